#!/bin/sh
# The command line of every command (SPEC §4): the cases of cases.txt, each
# its exit status and the first line on stderr. Usage: run.sh /abs/path/to/dualsite
suite=cli
. "$(dirname "$0")/../lib.sh"

n=0
while IFS='|' read -r want args msg; do
	case "$want" in '#'* | '') continue ;; esac
	n=$((n + 1))
	want=$(echo $want)
	msg=${msg# }
	# shellcheck disable=SC2086
	(cd "$root" && "$bin" $args >/dev/null 2>"$tmp/err"; echo $? >"$tmp/rc")
	if [ -n "$msg" ]; then printf '%s\n' "$msg" >"$tmp/want"; else : >"$tmp/want"; fi
	head -n 1 "$tmp/err" >"$tmp/got"
	check "$n: dualsite$args" "$tmp/want" "$tmp/got" "$want" "$(cat "$tmp/rc")"
done <"$here/cases.txt"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
