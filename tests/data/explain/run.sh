#!/bin/sh
# Data-driven tests of `dualsite explain` (docs/behaviour.md §2.1, §4).
#
# Each directory CASE/ holds config.yaml, `agent` (the name asked for),
# expected.txt and expected.json (the exact stdout of `dualsite explain -c
# config.yaml --agent NAME`, without and with --json, run inside CASE/), `exit`
# (the status of both) and, optionally, expected-stderr.txt. Then
# docs/options.md must be exactly `dualsite explain --reference`: the option
# reference is generated from the option table, never edited by hand.
# Usage: run.sh /abs/path/to/dualsite
suite=explain
. "$(dirname "$0")/../lib.sh"

for dir in "$here"/*/; do
	[ -d "$dir" ] || continue   # no directory at all: finish() says so
	name=$(basename "$dir")
	[ -f "$dir/all" ] && continue   # an --all case: the loop below
	cases=$((cases + 1))
	need "$name" "$dir" config.yaml agent exit expected.txt expected.json || continue
	agent=$(cat "$dir/agent")
	want=$(cat "$dir/exit")
	(cd "$dir" && "$bin" explain -c config.yaml --agent "$agent" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "$name (text)" "$dir/expected.txt" "$tmp/out" "$want" "$(cat "$tmp/rc")"
	if [ -f "$dir/expected-stderr.txt" ]; then
		check "$name (stderr)" "$dir/expected-stderr.txt" "$tmp/err" "$want" "$(cat "$tmp/rc")"
	fi
	(cd "$dir" && "$bin" explain -c config.yaml --agent "$agent" --json >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "$name (json)" "$dir/expected.json" "$tmp/out" "$want" "$(cat "$tmp/rc")"
	# The JSON must parse, when a parser is at hand.
	if [ -s "$tmp/out" ] && command -v python3 >/dev/null 2>&1; then
		if python3 -m json.tool "$tmp/out" >/dev/null 2>&1; then pass=$((pass + 1)); else
			fail=$((fail + 1)); echo "FAIL explain/$name: --json output does not parse"; fi
	fi
done

# --all: CASE/ with a file `all` holds expected-all.txt, .json and .csv (the
# exit status in `exit`); every agent's JSON object in --all must be what
# --agent NAME --json prints for it alone.
for dir in "$here"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/all" ] || continue
	cases=$((cases + 1))
	need "$name" "$dir" config.yaml exit expected-all.txt expected-all.json expected-all.csv || continue
	want=$(cat "$dir/exit")
	for fmt in txt json csv; do
		case $fmt in txt) opt= ;; *) opt=--$fmt ;; esac
		# shellcheck disable=SC2086
		(cd "$dir" && "$bin" explain -c config.yaml --all $opt >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
		check "$name --all ($fmt)" "$dir/expected-all.$fmt" "$tmp/out" "$want" "$(cat "$tmp/rc")"
	done
	(cd "$dir" && "$bin" explain -c config.yaml --all --json >"$tmp/all.json" 2>/dev/null)
	python3 - "$tmp/all.json" >"$tmp/names" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1]))["agents"]:
    print(a["agent"])
PY
	while IFS= read -r a; do
		(cd "$dir" && "$bin" explain -c config.yaml --agent "$a" --json >"$tmp/one" 2>/dev/null)
		python3 - "$tmp/all.json" "$a" >"$tmp/row" <<'PY'
import json, sys
for a in json.load(open(sys.argv[1]))["agents"]:
    if a["agent"] == sys.argv[2]:
        print(json.dumps(a, indent=1))
PY
		python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1))' "$tmp/one" >"$tmp/alone"
		check "$name --all: $a as alone" "$tmp/alone" "$tmp/row" 0 0
	done <"$tmp/names"
done
"$bin" explain -c "$here/all/config.yaml" --all --agent bob >"$tmp/out" 2>/dev/null
check "--all with --agent (usage)" /dev/null "$tmp/out" 2 $?
"$bin" explain -c "$here/all/config.yaml" --agent bob --csv >"$tmp/out" 2>/dev/null
check "--csv without --all (usage)" /dev/null "$tmp/out" 2 $?
"$bin" explain -c "$here/all/config.yaml" --all --csv --json >"$tmp/out" 2>/dev/null
check "--csv with --json (usage)" /dev/null "$tmp/out" 2 $?

"$bin" explain --reference >"$tmp/ref" 2>&1
check "docs/options.md is generated" "$root/docs/options.md" "$tmp/ref" 0 $?

# Usage errors are exit 2; a missing file is exit 2 with nothing on stdout.
"$bin" explain -c "$here/base/config.yaml" >"$tmp/out" 2>/dev/null
check "no --agent (usage)" /dev/null "$tmp/out" 2 $?
"$bin" explain -c "$tmp/no-such.yaml" --agent alice >"$tmp/out" 2>/dev/null
check "unreadable file" /dev/null "$tmp/out" 2 $?

finish
