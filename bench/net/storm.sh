#!/bin/bash
# Benchmark 4: storm control. 10,000 agents in single mode switch over when
# SiteX goes silent; SiteY's registrar counts the REGISTERs it receives each
# second, for random-delay-range 0, 5 and 30 s. Draws the three curves in
# bench/net/storm.svg (the storm flattening as the range grows).
# usage: bash bench/net/storm.sh PATH-TO-dualsite [AGENTS (10000) | smoke] [RANGES (0 5 30)] [SVG]
# smoke: 10 agents, ranges 0 and 1 s, the chart in a scratch file (not
# bench/net/storm.svg), and a check that each range has its figures and the
# chart its curves (`make bench-smoke`).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fleet-lib.sh"
. "$ROOT/bench/figures.sh"
BIN=$(realpath "$1")
N=${2:-10000}
RANGES=${3:-0 5 30}
SVG=${4:-$ROOT/bench/net/storm.svg}
SMOKE=""
[ "$N" = smoke ] && SMOKE=1 N=10 RANGES=${3:-0 1} SVG=${4:-$W/storm.svg}
need kamailio kamcmd ss perl

echo "== Benchmark 4: storm control ($N agents, single mode, SiteX silenced by SIGSTOP)"
machine
printf "%-6s %22s %8s %8s %8s\n" range "after timeout 50/99/100%" "REG@Y" "REG/s" "peakREG"
: > "$W/legend"
for r in $RANGES; do
	if fleet_run "$N" single "$r"; then
		cp "$W/fleet/rate" "$W/storm-$r"
		printf "%-6s %22s %8s %8s %8s\n" "${r}s" "$F_T50/$F_T99/$F_T100 s" "$F_REG" "$F_RATE" "$F_PEAKRATE"
		echo "$r peak $F_PEAKRATE/s; all moved $F_T100 s after the timeout" >> "$W/legend"
		[ -z "$SMOKE" ] || figures "storm range $r" "$F_T50" "$F_T99" "$F_T100" "$F_REG" "$F_RATE" "$F_PEAKRATE"
	else
		printf "%-6s FAILED: %s\n" "${r}s" "$F_FAIL"
		[ -z "$SMOKE" ] || exit 1
		: > "$W/storm-$r"
		echo "$r failed (${F_FAIL%%:*})" >> "$W/legend"
	fi
	fleet_stop
done

# The chart: REGISTERs/s at SiteY against seconds after the timeout.
awk -v n="$N" -v w="$W" -v ranges="$RANGES" -v legend="$W/legend" '
BEGIN {
	nr = split(ranges, R, " ")
	split("#d62728 #ff7f0e #1f77b4 #2ca02c #9467bd", C, " ")
	xmax = 10; ymax = 100
	for (i = 1; i <= nr; i++) {
		f = w "/storm-" R[i]; k = 0
		while ((getline l < f) > 0) {
			split(l, p, " "); k++; X[i, k] = p[1]; Y[i, k] = p[2]
			if (p[1] > xmax) xmax = p[1]; if (p[2] > ymax) ymax = p[2]
		}
		K[i] = k
	}
	while ((getline l < legend) > 0) { split(l, p, " "); L[p[1]] = substr(l, length(p[1]) + 2) }
	# round the axes up to a readable step
	ys = 10 ^ int(log(ymax) / log(10)); ymax = int(ymax / ys + 1) * ys
	xs = xmax > 40 ? 10 : 5; xmax = int(xmax / xs + 1) * xs
	W = 900; H = 480; l = 80; r = 20; t = 50; b = 60
	pw = W - l - r; ph = H - t - b
	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
	printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	printf "<text x=\"%d\" y=\"24\" font-size=\"16\">REGISTERs per second at the peer registrar: %d agents switching over (single mode)</text>\n", l, n
	for (y = 0; y <= ymax; y += ys) {
		py = t + ph - y / ymax * ph
		printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", l, py, l + pw, py
		printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", l - 6, py + 4, y
	}
	for (x = -2; x <= xmax; x += (x < 0 ? 2 : xs)) {
		px = l + (x + 2) / (xmax + 2) * pw
		printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", px, t, px, t + ph
		printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", px, t + ph + 16, x
	}
	printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", l, t + ph, l + pw, t + ph
	printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", l, t, l, t + ph
	px0 = l + 2 / (xmax + 2) * pw
	printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n", px0, t, px0, t + ph
	printf "<text x=\"%.1f\" y=\"%d\">timeout</text>\n", px0 + 4, t + 12
	printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds after disaster-recovery.timeout expired</text>\n", l + pw / 2, H - 18
	printf "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">REGISTER/s</text>\n", t + ph / 2, t + ph / 2
	for (i = 1; i <= nr; i++) {
		if (K[i]) {
			printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", C[i]
			for (k = 1; k <= K[i]; k++)
				printf "%.1f,%.1f ", l + (X[i, k] + 2) / (xmax + 2) * pw, t + ph - Y[i, k] / ymax * ph
			printf "\"/>\n"
		}
		ly = t + 16 + (i - 1) * 18
		printf "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>\n", l + pw - 440, ly - 4, C[i]
		printf "<text x=\"%d\" y=\"%d\">range %s s: %s</text>\n", l + pw - 420, ly, R[i], L[R[i]]
	}
	printf "</svg>\n"
}' > "$SVG"
echo "chart: $SVG"
if [ -n "$SMOKE" ]; then
	curves=$(grep -c '<polyline' "$SVG")
	[ "$curves" -eq "$(echo $RANGES | wc -w)" ] || { echo "bench smoke: storm: $curves curves in the chart" >&2; exit 1; }
	echo "bench smoke: storm chart: $curves curves"
fi
echo "reproduce: bash bench/net/storm.sh $1 $N \"$RANGES\""
