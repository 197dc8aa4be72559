#!/bin/bash
# Benchmarks 2 and 3: a fleet of 1,000 and 10,000 agents in one dualsite
# process, single and dual registration mode; the current site (SiteX) goes
# silent. Reports the time from the timeout until 50/99/100 % of agents are
# connected and registered at SiteY, the REGISTERs/s SiteY's registrar took,
# peak CPU and memory per agent; then, against the same Kamailio, sipp
# registers as many users, and dualsite's CPU-seconds per REGISTER are
# divided by sipp's.
# usage: bash bench/net/fleet.sh PATH-TO-dualsite [SIZES (1000 10000) | smoke] [MODES (single dual)]
# smoke: 10 agents in each mode, and a check that each row has its figures
# (`make bench-smoke`).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fleet-lib.sh"
. "$ROOT/bench/figures.sh"
BIN=$(realpath "$1")
SIZES=${2:-1000 10000}
SMOKE=""
[ "$SIZES" = smoke ] && SMOKE=1 SIZES=10
MODES=${3:-single dual}
# random-delay-range of the fleet: 0 makes the whole fleet retry in
# lock-step after a start-up storm (benchmark 4 measures 0, 5 and 30 s)
RANGE=${4:-2}
need kamailio kamcmd sipp ss perl

echo "== Benchmark 2: fleet switchover (one dualsite process; SiteX silenced by SIGSTOP)"
echo "== Benchmark 3: baseline: sipp registers as many users against the same Kamailio"
machine
echo "registrars without digest auth; probe 0.5 s x 2 + 0.5 s (budget 1.5 s); timeout $FLEET_TIMEOUT s;" \
     "random-delay-range $RANGE s; register-timeout 2 s; reregister_in_seconds 2"
# cpu_ratio SIPP_CPU SIPP_OK: dualsite's CPU per REGISTER over sipp's
cpu_ratio() {
	awk -v c="$F_CPU" -v r="$F_REG" -v sc="$1" -v sn="$2" 'BEGIN {
		if (r < 0.1 * sn || sc <= 0 || sn <= 0) print "n/a"; else printf "%.2f", (c / r) / (sc / sn) }'
}
per_reg() { awk -v c="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", c / n * 1e6; else print "-" }'; }
printf "%-6s %-6s %22s %8s %8s %8s %8s %9s %9s %9s %10s %10s\n" agents mode "after timeout 50/99/100%" \
	"REG@Y" "REG/s" "peakREG" "CPU s" "peakCPU%" "HWM kB/ag" "RSS kB/ag" "÷sipp@2000" "÷sipp@rate"
for n in $SIZES; do
	for mode in $MODES; do
		if ! fleet_run "$n" "$mode" "$RANGE"; then
			fleet_stop
			printf "%-6s %-6s FAILED: %s\n" "$n" "$mode" "$F_FAIL"
			[ -z "$SMOKE" ] || exit 1
			continue
		fi
		# sipp flat out (2,000/s), then at the mean rate dualsite's
		# switchover produced: a process woken once per REGISTER pays
		# more per REGISTER than one that takes them in bursts.
		sipp_baseline "$n" "$YP" 2000 300000
		ratio=$(cpu_ratio "$S_CPU" "$S_OK")
		base="sipp at 2000/s: $S_OK REGISTERs in $S_CPU CPU-s ($(per_reg "$S_CPU" "$S_OK") us each)"
		ratio_rate=n/a
		if [ "$F_RATE" -gt 0 ]; then
			sipp_baseline "$n" "$YP" "$F_RATE" 400000
			ratio_rate=$(cpu_ratio "$S_CPU" "$S_OK")
			base="$base; at $F_RATE/s: $S_OK in $S_CPU CPU-s ($(per_reg "$S_CPU" "$S_OK") us each)"
		fi
		fleet_stop
		[ -z "$SMOKE" ] || figures "fleet $n $mode" "$F_T50" "$F_T99" "$F_T100" "$F_REG" "$F_RATE" \
			"$F_PEAKRATE" "$F_CPU" "$F_PEAKCPU" "$F_HWM" "$F_RSS" "$S_CPU" "$S_OK"
		printf "%-6s %-6s %22s %8s %8s %8s %8s %9s %9s %9s %10s %10s\n" "$n" "$mode" \
			"$F_T50/$F_T99/$F_T100 s" "$F_REG" "$F_RATE" "$F_PEAKRATE" "$F_CPU" "$F_PEAKCPU" \
			"$(awk -v a="$F_HWM" -v n="$n" 'BEGIN{printf "%.1f", a/n}')" \
			"$(awk -v a="$F_RSS" -v n="$n" 'BEGIN{printf "%.1f", a/n}')" "$ratio" "$ratio_rate"
		echo "       baseline: $base;"
		echo "       dualsite: $F_REG REGISTERs at SiteY in $F_CPU CPU-s ($(per_reg "$F_CPU" "$F_REG") us each; $F_N agents switched over)"
	done
done
echo "REG@Y: REGISTERs SiteY's registrar received from the timeout to 100 %; REG/s: their mean rate;"
echo "peakREG: highest 1-s rate; CPU s: dualsite CPU in that window; HWM/RSS: peak and final resident memory per agent;"
echo "÷sipp@2000, ÷sipp@rate: dualsite CPU-seconds per REGISTER divided by sipp's, sipp registering as many users at 2,000/s"
echo "  and at dualsite's mean REG/s (n/a in dual mode: the agents were registered at SiteY already)"
echo "reproduce: bash bench/net/fleet.sh $1 \"$SIZES\" \"$MODES\" $RANGE"
