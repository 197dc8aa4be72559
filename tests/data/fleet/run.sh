#!/bin/sh
# The fleet (docs/behaviour.md §9): `dualsite simulate` for many agents.
#
# Each directory CASE/ holds scenario.yaml (run against config.yaml here),
# optionally `args` (more arguments, e.g. --agent), expected.jsonl (the
# events, --events -) and expected.txt (the timeline). Every output is made
# twice and must be the same bytes (determinism). Then, for every case: the
# events are ordered by t, then by agent name; each agent's events in the
# fleet are exactly its events when simulated alone (the agents share the
# simulated servers, not their decisions); --svg draws the fleet picture.
# Usage: run.sh /abs/path/to/dualsite
suite=fleet
. "$(dirname "$0")/../lib.sh"

twice() { # label, output file, command...
	label=$1 out=$2
	shift 2
	(cd "$here" && "$@" >"$out.1" 2>"$tmp/err"; echo $? >"$tmp/rc")
	(cd "$here" && "$@" >"$out" 2>/dev/null)
	check "$label (run twice, same bytes)" "$out.1" "$out" 0 "$(cat "$tmp/rc")"
}

for dir in "$here"/*/; do
	c=$(basename "$dir")
	[ -f "$dir/scenario.yaml" ] || continue
	args=$(cat "$dir/args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	twice "$c events" "$tmp/ev" "$bin" simulate -c config.yaml --scenario "$c/scenario.yaml" $args --events -
	check "$c events" "$dir/expected.jsonl" "$tmp/ev" 0 0
	# shellcheck disable=SC2086
	twice "$c timeline" "$tmp/tl" "$bin" simulate -c config.yaml --scenario "$c/scenario.yaml" $args
	check "$c timeline" "$dir/expected.txt" "$tmp/tl" 0 0
	# by t, then by agent name (byte order)
	sed 's/^{"t": \([0-9.]*\), "agent": "\([^"]*\)".*/\1 \2/' "$tmp/ev" >"$tmp/keys"
	LC_ALL=C sort -s -k1,1n -k2,2 "$tmp/keys" >"$tmp/sorted"
	check "$c ordered by t, then agent" "$tmp/sorted" "$tmp/keys" 0 0
	# each agent alone gives the same events as in the fleet
	for a in $(cut -d' ' -f2 "$tmp/keys" | sort -u); do
		grep "\"agent\": \"$a\"" "$tmp/ev" >"$tmp/mine"
		(cd "$here" && "$bin" simulate -c config.yaml --scenario "$c/scenario.yaml" \
			--agent "$a" --events - >"$tmp/alone" 2>/dev/null)
		check "$c: $a in the fleet = $a alone" "$tmp/alone" "$tmp/mine" 0 $?
	done
	# shellcheck disable=SC2086
	twice "$c svg" "$tmp/svg" "$bin" simulate -c config.yaml --scenario "$c/scenario.yaml" $args --svg "$tmp/pic.svg"
	(cd "$here" && "$bin" simulate -c config.yaml --scenario "$c/scenario.yaml" $args \
		--svg "$tmp/pic2.svg" >/dev/null 2>&1)
	check "$c svg (same bytes twice)" "$tmp/pic.svg" "$tmp/pic2.svg" 0 $?
	n=$(cut -d' ' -f2 "$tmp/keys" | sort -u | wc -l)
	if [ "$n" -gt 1 ]; then
		# the fleet picture: well-formed, a chart of agents per kind and the REGISTERs
		python3 - "$tmp/pic.svg" "$n" >"$tmp/got" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
ids = sorted(g.get('id') for g in root.iter(ns + 'g') if g.get('class') == 'chart')
title = root.find(ns + 'text').text
print(' '.join(ids))
print(title)
PY
		printf 'agents-config agents-sip agents-stat registers\ndualsite simulate: %s agents\n' "$n" >"$tmp/want"
		check "$c svg is the fleet picture" "$tmp/want" "$tmp/got" 0 0
	fi
done

# Mistakes: exit 1 with the reason (and the closest name), nothing on stdout.
err_case() { # label, expected first stderr line, args...
	label=$1
	printf '%s\n' "$2" >"$tmp/want"
	shift 2
	(cd "$here" && "$bin" simulate -c config.yaml "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	head -n 1 "$tmp/err" >"$tmp/got"
	check "$label" "$tmp/want" "$tmp/got" 1 "$(cat "$tmp/rc")"
	check "$label (stdout empty)" /dev/null "$tmp/out" 0 0
}
printf 'agent: [ann, bobb]\nduration: 5\n' >"$tmp/unknown.yaml"
err_case "unknown agent in a list" "$tmp/unknown.yaml:1:14: error: agent: no person 'bobb' in the configuration; did you mean 'bob'?" --scenario "$tmp/unknown.yaml"
err_case "unknown --agent" "dualsite simulate: --agent 'bobb': no person 'bobb' in the configuration; did you mean 'bob'?" --scenario "$here/list/scenario.yaml" --agent ann --agent bobb
printf 'agent: []\nduration: 5\n' >"$tmp/empty.yaml"
err_case "empty list" "$tmp/empty.yaml:1:1: error: agent: the list of agents is empty; expected the name of a person ('agent: alice'), a list of them ('agent: [alice, bob]') or 'all'" --scenario "$tmp/empty.yaml"
printf 'agent: [ann, all]\nduration: 5\n' >"$tmp/all.yaml"
err_case "all inside a list" "$tmp/all.yaml:1:14: error: agent/1: expected the name of a person ('all' stands alone: 'agent: all')" --scenario "$tmp/all.yaml"

echo "fleet: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
