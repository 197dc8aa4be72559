#!/bin/bash
# Benchmark: the control endpoint at N agents (default 10,000). Times GET
# /v1/status and GET /metrics (sequential requests from one client, each on
# its own connection), the time the requests held dualsite's loop (from its
# debug lines: a status answer is written in slices over many loop turns,
# so its longest turn is what the loop was held at once: in wall time, and in
# the loop's own CPU time, which a loaded machine does not stretch), and what the SIP
# loop's probes saw meanwhile: the probe round trips of
# dualsite_probe_rtt_seconds, idle and while the requests run (a request
# that held the loop would show as a longer round trip of the probes
# answered meanwhile). Prints figures; asserts nothing but that every
# request was answered 200.
# usage: bash bench/net/control.sh PATH-TO-dualsite [N (10000)] [REQUESTS (50)]
#        bash bench/net/control.sh PATH-TO-dualsite --smoke   (200 agents, 5 requests)
. "$(dirname "$0")/lib.sh"
BIN=$(realpath "$1")
N=${2:-10000}
REQ=${3:-50}
if [ "$N" = --smoke ]; then N=200; REQ=5; fi
need kamailio kamcmd perl ss

echo "== Control endpoint: GET /v1/status and GET /metrics at $N agents; probe round trips meanwhile"
machine
XP=$(free_port); XBP=$(free_port); YP=$(free_port); YBP=$(free_port); CP=$(free_port)
kam_start SIP_X "$XP" noauth; kam_start SIP_X_B "$XBP" noauth
kam_start SIP_Y "$YP" noauth; kam_start SIP_Y_B "$YBP" noauth
gen_config "$W/c.yaml" "$N" dual 2 2 3 127.0.0.1 "$XP" "$XBP" "$YP" "$YBP" 0.5
CTL=127.0.0.1:$CP
RUN_EXTRA="--control $CTL --log-level debug" run_start "$W/c.yaml" 127.0.0.1
wait_count '"proxy": 1, "site": "SiteY"' "$N" 120 || exit 1
wait_count '"proxy": 0, "site": "SiteX"' "$N" 120 || exit 1
sleep 2   # let the start's REGISTER answers drain

# times PATH COUNT: COUNT sequential GETs; prints "p50 p95 max (ms) bytes
# first-byte-p50 (ms)" or fails. The time is the whole answer's, as read off
# the socket (the body is not parsed).
times() {
	perl -MIO::Socket::INET -MTime::HiRes=time -e '
		my ($addr, $path, $n) = @ARGV; my (@t, @f, $bytes);
		for (1..$n) {
			my $t0 = time;
			my $s = IO::Socket::INET->new(PeerAddr => $addr) or die "connect: $!\n";
			print $s "GET $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
			# large reads: PerlIO reads 8 KiB at a time, which the figure would measure
			my ($r, $buf) = ("", "");
			while (sysread($s, $buf, 1 << 20)) {
				push @f, (time - $t0) * 1000 if $r eq "";
				$r .= $buf;
			}
			push @t, (time - $t0) * 1000;
			$r =~ m{^HTTP/1\.1 200 } or die "not 200: " . substr($r, 0, 80) . "\n";
			$bytes = length($r);
		}
		@t = sort { $a <=> $b } @t;
		@f = sort { $a <=> $b } @f;
		printf "%.1f %.1f %.1f %d %.1f\n", $t[int(0.5 * $#t)], $t[int(0.95 * $#t)], $t[-1], $bytes,
			$f[int(0.5 * $#f)];
	' "$CTL" "$1" "$2"
}
# rtt: "count sum over100ms" of every server's probe round trips so far
rtt() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0]) or die;
		print $s "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n"; local $/; my $r = <$s>;
		my ($c, $sum, $le) = (0, 0, 0);
		$c += $1 while $r =~ /^dualsite_probe_rtt_seconds_count\S* (\d+)/mg;
		$sum += $1 while $r =~ /^dualsite_probe_rtt_seconds_sum\S* ([\d.]+)/mg;
		$le += $1 while $r =~ /^dualsite_probe_rtt_seconds_bucket\S*le="0.1"\} (\d+)/mg;
		print "$c $sum ", $c - $le, "\n";' "$CTL"
}
# loop PATH: p50 and max of the loop time the endpoint logged for PATH (debug
# lines); for a status answer, of its longest turn, and p50 of all its turns
pct() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "p50 %.1f ms, max %.1f ms", v[int((NR + 1) / 2)], v[NR]; else print "-" }'; }
loop() {
	grep -F "control: GET $1: 200" "$W/run.log" | sed 's/.* \([0-9.]*\) ms$/\1/' | pct
}
loop_status() {
	_l=$(grep -F "control: GET /v1/status: 200" "$W/run.log")
	echo "longest turn $(printf '%s\n' "$_l" | sed 's/.* longest \([0-9.]*\) ms.*/\1/' | pct)" \
	     "(of CPU: $(printf '%s\n' "$_l" | sed 's/.* longest [0-9.]* ms (of CPU \([0-9.]*\) ms).*/\1/' | pct)," \
	     "$(printf '%s\n' "$_l" | sed 's/.* in \([0-9]*\) turns.*/\1/' | sort -n | tail -n 1) turns at most);" \
	     "all turns of an answer $(printf '%s\n' "$_l" | sed 's/.* \([0-9.]*\) ms in all.*/\1/' | pct)" \
	     "(of CPU: $(printf '%s\n' "$_l" | sed 's/.* in all (of CPU \([0-9.]*\) ms)$/\1/' | pct))"
}
delta() { # delta BEFORE AFTER: probes, mean ms, probes over 100 ms
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); n = y[1] - x[1];
		printf "%d probes, mean %.2f ms, %d over 100 ms", n, n ? (y[2] - x[2]) / n * 1000 : 0, y[3] - x[3] }'
}

r0=$(rtt); sleep 5; r1=$(rtt)
echo "idle 5 s:               probe round trips: $(delta "$r0" "$r1")"
s=$(times /v1/status "$REQ") || exit 1; r2=$(rtt)
read -r p50 p95 max bytes first <<<"$s"
echo "GET /v1/status x $REQ:   p50 $p50 ms, p95 $p95 ms, max $max ms ($bytes bytes, first byte p50 $first ms);"
echo "                        of the loop: $(loop_status);"
echo "                        probe round trips meanwhile: $(delta "$r1" "$r2")"
m=$(times /metrics "$REQ") || exit 1; r3=$(rtt)
read -r p50 p95 max bytes first <<<"$m"
echo "GET /metrics x $REQ:     p50 $p50 ms, p95 $p95 ms, max $max ms ($bytes bytes); of the loop: $(loop /metrics);"
echo "                        probe round trips meanwhile: $(delta "$r2" "$r3")"
echo "(p50/p95/max: a client's time for the whole answer; of the loop: the time the request held dualsite's loop at once)"
run_stop
echo "goals (docs/behaviour.md §8 at 10,000 agents): /v1/status within 100 ms, /metrics within 50 ms"
echo "reproduce: bash bench/net/control.sh $1 $N $REQ"
