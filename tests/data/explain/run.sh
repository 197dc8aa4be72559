#!/bin/sh
# Data-driven tests of `dualsite explain` (SPEC §2.1, §4).
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

"$bin" explain --reference >"$tmp/ref" 2>&1
check "docs/options.md is generated" "$root/docs/options.md" "$tmp/ref" 0 $?

# Usage errors are exit 2; a missing file is exit 2 with nothing on stdout.
"$bin" explain -c "$here/base/config.yaml" >"$tmp/out" 2>/dev/null
check "no --agent (usage)" /dev/null "$tmp/out" 2 $?
"$bin" explain -c "$tmp/no-such.yaml" --agent alice >"$tmp/out" 2>/dev/null
check "unreadable file" /dev/null "$tmp/out" 2 $?

finish
