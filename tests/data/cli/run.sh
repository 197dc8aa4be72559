#!/bin/sh
# The command line of every command (docs/behaviour.md §4): the cases of cases.txt, each
# its exit status, the first line on stderr and, for every case that exits 0
# (and any other that gives one), its whole stdout. Usage: run.sh /abs/path/to/dualsite
suite=cli
. "$(dirname "$0")/../lib.sh"

while IFS='|' read -r want args msg out; do
	case "$want" in '#'* | '') continue ;; esac
	cases=$((cases + 1))
	want=$(echo $want)
	msg=${msg# }
	msg=${msg% }
	out=$(echo $out)
	# shellcheck disable=SC2086
	(cd "$root" && "$bin" $args >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	if [ -n "$msg" ]; then printf '%s\n' "$msg" >"$tmp/want"; else : >"$tmp/want"; fi
	head -n 1 "$tmp/err" >"$tmp/got"
	check "$cases: dualsite$args" "$tmp/want" "$tmp/got" "$want" "$(cat "$tmp/rc")"
	# stdout: "-" is nothing, else a file under tests/data/cli/
	if [ -z "$out" ] && [ "$want" = 0 ]; then
		fail=$((fail + 1))
		echo "FAIL $suite/$cases: dualsite$args exits 0 but its row gives no expected stdout"
	elif [ "$out" = - ]; then
		check "$cases: dualsite$args (stdout)" /dev/null "$tmp/out" "$want" "$(cat "$tmp/rc")"
	elif [ -n "$out" ]; then
		if [ -f "$here/$out" ]; then
			check "$cases: dualsite$args (stdout)" "$here/$out" "$tmp/out" "$want" "$(cat "$tmp/rc")"
		else
			fail=$((fail + 1))
			echo "FAIL $suite/$cases: no file $out"
		fi
	fi
done <"$here/cases.txt"

finish
