#!/bin/sh
# `dualsite render` (docs/behaviour.md §9, docs/render.md): a real run's
# events drawn as `simulate --svg` draws a simulation.
#
# lab-events.jsonl was recorded from a real `dualsite lab --events FILE
# --seed 3` run (Kamailio registrars, three agents); expected-*.svg are its
# pictures, checked by eye once and then byte for byte. sim-events.jsonl is
# `simulate --events` of tests/data/fleet/site-loss: rendered with that
# configuration, every agent's picture must carry the same event labels as
# `simulate --svg` draws for the same agent (render builds the same trace).
# Usage: run.sh /abs/path/to/dualsite
suite=render
. "$(dirname "$0")/../lib.sh"

r() { (cd "$here" && "$bin" render "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"); }

r --events lab-events.jsonl --svg "$tmp/fleet.svg"
check "lab run, the fleet" "$here/expected-fleet.svg" "$tmp/fleet.svg" 0 "$(cat "$tmp/rc")"
r --events lab-events.jsonl --svg "$tmp/alice.svg" --agent alice
check "lab run, alice" "$here/expected-alice.svg" "$tmp/alice.svg" 0 "$(cat "$tmp/rc")"
(cd "$here" && "$bin" render --events - --svg "$tmp/stdin.svg" --agent=alice <lab-events.jsonl)
sed 's/dualsite render: (stdin)/dualsite render: lab-events.jsonl/' "$tmp/stdin.svg" >"$tmp/stdin2.svg"
check "events from stdin" "$here/expected-alice.svg" "$tmp/stdin2.svg" 0 $?

# the same labels as the simulation drew, agent by agent
labels() { # svg -> the event labels ("21.69s switchover ..."), not the scenario's notes
	python3 - "$1" <<'PY'
import re, sys, xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
for t in ET.parse(sys.argv[1]).getroot().iter(ns + 'text'):
    if t.get('font-style') != 'italic' and t.text and re.match(r'^[0-9.]+s (?!simulated|recorded)\S', t.text):
        print(t.text)
PY
}
for a in ann bob carl dora eve; do
	(cd "$here/../fleet" && "$bin" simulate -c config.yaml --scenario site-loss/scenario.yaml \
		--agent "$a" --svg "$tmp/sim.svg" >/dev/null 2>&1)
	r --events sim-events.jsonl -c ../fleet/config.yaml --agent "$a" --svg "$tmp/ren.svg"
	labels "$tmp/sim.svg" | sort >"$tmp/want"
	labels "$tmp/ren.svg" | sort >"$tmp/got"
	check "$a: render's labels = simulate's" "$tmp/want" "$tmp/got" 0 "$(cat "$tmp/rc")"
	[ -s "$tmp/want" ] || { fail=$((fail + 1)); echo "FAIL $a: no label found"; }
done
r --events sim-events.jsonl -c ../fleet/config.yaml --svg "$tmp/all.svg"
grep -c 'class="chart"' "$tmp/all.svg" >"$tmp/got"
echo 4 >"$tmp/want"
check "with -c, the fleet picture (3 kinds + REGISTERs)" "$tmp/want" "$tmp/got" 0 "$(cat "$tmp/rc")"

# Mistakes: exit 1 (2: usage, unreadable) with FILE:LINE:COL and what was expected.
bad() { # label, exit, expected first stderr line, file content, args...
	label=$1 want=$2 msg=$3 content=$4
	shift 4
	printf '%s\n' "$content" >"$tmp/ev.jsonl"
	(cd "$tmp" && "$bin" render --events ev.jsonl --svg "$tmp/x.svg" "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	head -n 1 "$tmp/err" >"$tmp/got"
	printf '%s\n' "$msg" >"$tmp/want"
	check "$label" "$tmp/want" "$tmp/got" "$want" "$(cat "$tmp/rc")"
}
ok='{"t": 0.000, "agent": "ann", "event": "connected", "kind": "sip", "site": "SiteX", "server": "SIP_X"}'
bad "not an object" 1 "ev.jsonl:2:1: error: -: expected '{': each line is one JSON object such as {\"t\": 1.000, \"agent\": \"alice\", \"event\": \"connected\", ...}" "$ok
hello"
bad "no t" 1 "ev.jsonl:1:1: error: t: the event has no \"t\"" '{"agent": "ann", "event": "connected"}'
bad "t not a number" 1 "ev.jsonl:1:7: error: t: expected t as a number of seconds from 0, such as 12.345" '{"t": "x", "agent": "ann", "event": "connected"}'
bad "unclosed object" 1 "ev.jsonl:1:45: error: -: expected ',' or '}' after the value of \"event\"" '{"t": 1, "agent": "ann", "event": "call-end"'
bad "unknown key" 1 "ev.jsonl:1:26: error: agnet: unknown key \"agnet\"; an event has t, agent, event, kind, site, server, from, to, reason, proxy" '{"t": 1, "agent": "ann", "agnet": "x", "event": "x"}'
bad "unknown event" 1 "ev.jsonl:1:1: error: event: unknown event \"conected\"; expected one of the events of docs/behaviour.md §5 (connected, switchover, ...)" '{"t": 1, "agent": "ann", "event": "conected", "kind": "sip"}'
bad "out of order" 1 "ev.jsonl:2:1: error: t: t 0.500 is before the previous event's 1.000; the events must be in time order, as run writes them" '{"t": 1, "agent": "ann", "event": "call-end", "site": "SiteX", "reason": "bye"}
{"t": 0.5, "agent": "ann", "event": "call-end", "site": "SiteX", "reason": "bye"}'
bad "site not of the configuration" 1 "ev.jsonl:1:1: error: site: \"SiteZ\" is not a site of agent ann in the configuration (sites SiteX and SiteY)" '{"t": 0.000, "agent": "ann", "event": "connected", "kind": "sip", "site": "SiteZ", "server": "SIP_X"}' -c "$here/../fleet/config.yaml"
bad "agent not a person" 1 "ev.jsonl:1:1: error: agent: agent \"zed\" is no person of the configuration" '{"t": 0.000, "agent": "zed", "event": "connected", "kind": "sip", "site": "SiteX", "server": "SIP_X"}' -c "$here/../fleet/config.yaml"
bad "empty file" 1 "ev.jsonl:0:0: error: -: no event in the file; expected the JSON lines of \`dualsite run --events\` or \`dualsite lab --events\`" ''
bad "--agent not in the file" 1 "dualsite render: agent 'bob' has no event in ev.jsonl" "$ok" --agent bob
(cd "$tmp" && "$bin" render --events no-such.jsonl --svg x.svg >/dev/null 2>"$tmp/err"; echo $? >"$tmp/rc")
check "unreadable file" /dev/null /dev/null 2 "$(cat "$tmp/rc")"
(cd "$tmp" && "$bin" render --events ev.jsonl >/dev/null 2>"$tmp/err"; echo $? >"$tmp/rc")
check "no --svg (usage)" /dev/null /dev/null 2 "$(cat "$tmp/rc")"

echo "render: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
