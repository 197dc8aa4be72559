#!/bin/bash
# Benchmark: the status page (docs/status-page.md) at N agents (default
# 10,000) in headless Chromium: first paint, and the page's update after a
# fleet switchover (SiteX's registrars SIGSTOPped). Prints figures; asserts
# nothing but that the page showed the whole fleet at each site.
# usage: bash bench/net/page.sh PATH-TO-dualsite [N (10000)]
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fleet-lib.sh"
BIN=$(realpath "$1")
N=${2:-10000}
need kamailio kamcmd perl ss
sh "$ROOT/scripts/deps.sh" browser || exit 1

echo "== Status page at $N agents: first paint, update after a fleet switchover (headless Chromium)"
machine
XP=$(free_port); XBP=$(free_port); YP=$(free_port); YBP=$(free_port); CP=$(free_port)
kam_start SIP_X "$XP" noauth; kam_start SIP_X_B "$XBP" noauth
kam_start SIP_Y "$YP" noauth; kam_start SIP_Y_B "$YBP" noauth
gen_config "$W/c.yaml" "$N" dual 2 $FLEET_TIMEOUT $FLEET_HOLD 127.0.0.1 "$XP" "$XBP" "$YP" "$YBP" 0.5
RUN_EXTRA="--control 127.0.0.1:$CP" run_start "$W/c.yaml" 127.0.0.1
wait_count '"proxy": 1, "site": "SiteY"' "$N" 120 || exit 1
# a start-up storm can push some agents to SiteY; they come home after the hold-down
wait_on SiteX "$N" 120 || exit 1
echo "command: bash bench/net/page.sh $BIN $N"
/usr/bin/python3 "$ROOT/bench/net/page.py" "http://127.0.0.1:$CP/" "$N" "$W/events" \
	"$(kam_pid SIP_X)" "$(kam_pid SIP_X_B)"
