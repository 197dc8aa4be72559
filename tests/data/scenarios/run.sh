#!/bin/sh
# Scenario tests: runs `dualsite simulate --events -` on every case directory
# here and compares the JSON lines with the case's expected.jsonl, byte for
# byte; runs each case twice and requires the same output (determinism).
#
# usage: run.sh /abs/path/to/dualsite [CASE...]
# A case is a directory holding scenario.yaml, expected.jsonl and either
# config.yaml or a file `config` whose first line names a shared
# configuration, relative to the case directory. Every directory is a case:
# one missing a file fails, and a run of no case fails. A case that must be
# refused also holds `exit` (the status) and expected-stderr.txt (the exact
# diagnostics, paths relative to the case); its expected.jsonl is empty.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 /path/to/dualsite [CASE...]" >&2
	exit 2
fi
bin=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
case "$bin" in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
	echo "scenarios: $bin is not an executable" >&2
	exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ds-scen.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -gt 0 ]; then
	cases=$*
else
	cases=$(cd "$here" && for d in */; do [ -d "$d" ] && echo "${d%/}"; done)
fi

pass=0
fail=0
for c in $cases; do
	dir=$here/$c
	if [ ! -f "$dir/scenario.yaml" ]; then
		echo "FAIL $c: no scenario.yaml in $dir"
		fail=$((fail + 1))
		continue
	fi
	if [ -f "$dir/config.yaml" ]; then
		cfg=config.yaml
	elif [ -f "$dir/config" ]; then
		cfg=$(sed -n '1{s/^[[:space:]]*//;s/[[:space:]]*$//;p;}' "$dir/config")
		if [ -z "$cfg" ] || [ ! -f "$dir/$cfg" ]; then
			echo "FAIL $c: 'config' names '$cfg', which is not a file relative to the case"
			fail=$((fail + 1))
			continue
		fi
	else
		echo "FAIL $c: neither config.yaml nor a 'config' file naming a shared one"
		fail=$((fail + 1))
		continue
	fi
	if [ ! -f "$dir/expected.jsonl" ]; then
		echo "FAIL $c: no expected.jsonl"
		fail=$((fail + 1))
		continue
	fi
	want=0
	if [ -f "$dir/exit" ]; then
		want=$(cat "$dir/exit")
		if [ ! -f "$dir/expected-stderr.txt" ]; then
			echo "FAIL $c: an 'exit' file but no expected-stderr.txt"
			fail=$((fail + 1))
			continue
		fi
	fi
	ok=1
	for run in 1 2; do
		(cd "$dir" && "$bin" simulate -c "$cfg" --scenario scenario.yaml --events -) \
			>"$tmp/out$run" 2>"$tmp/err$run"
		rc=$?
		if [ "$rc" -ne "$want" ]; then
			echo "FAIL $c: simulate exited $rc, expected $want (run $run):"
			sed 's/^/    /' "$tmp/err$run"
			ok=0
			break
		fi
	done
	if [ "$ok" -eq 1 ] && [ "$want" -ne 0 ] && ! cmp -s "$dir/expected-stderr.txt" "$tmp/err1"; then
		echo "FAIL $c: stderr differs from expected-stderr.txt (- expected, + actual):"
		diff -u "$dir/expected-stderr.txt" "$tmp/err1" | sed 's/^/    /'
		ok=0
	fi
	if [ "$ok" -eq 1 ] && ! cmp -s "$tmp/out1" "$tmp/out2"; then
		echo "FAIL $c: two runs gave different output (not deterministic):"
		diff -u "$tmp/out1" "$tmp/out2" | sed 's/^/    /'
		ok=0
	fi
	if [ "$ok" -eq 1 ] && ! cmp -s "$dir/expected.jsonl" "$tmp/out1"; then
		echo "FAIL $c: output differs from expected.jsonl (- expected, + actual):"
		diff -u "$dir/expected.jsonl" "$tmp/out1" | sed 's/^/    /'
		ok=0
	fi
	if [ "$ok" -eq 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "scenarios: $((pass + fail)) cases, $pass passed, $fail failed"
if [ "$((pass + fail))" -eq 0 ]; then
	echo "FAIL scenarios: no case ran"
	exit 1
fi
[ "$fail" -eq 0 ]
