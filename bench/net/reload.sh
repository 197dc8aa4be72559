#!/bin/bash
# Benchmark: a reload that changes one agent's option at N agents (default
# 10,000). Rewrites the configuration file, alternating one agent's
# disaster-recovery.timeout between two values, and sends POST /v1/reload
# REQ times (sequentially). Prints the client's time per reload (read and
# validate in run's worker thread, then apply in the loop), the part that
# held the loop (run's log, "applied in X ms of the loop"), the probes'
# round trips meanwhile, and the REGISTERs that reached the registrars (none
# are due: every agent is untouched but the one, whose new value is an
# engine option). Asserts nothing but that every reload was answered 200
# with one agent changed.
# usage: bash bench/net/reload.sh PATH-TO-dualsite [N (10000)] [REQUESTS (20)]
#        bash bench/net/reload.sh PATH-TO-dualsite --smoke   (200 agents, 4 reloads)
. "$(dirname "$0")/lib.sh"
BIN=$(realpath "$1")
N=${2:-10000}
REQ=${3:-20}
if [ "$N" = --smoke ]; then N=200; REQ=4; fi
need kamailio kamcmd perl ss

echo "== Reload: one agent's option changed, at $N agents"
machine
XP=$(free_port); XBP=$(free_port); YP=$(free_port); YBP=$(free_port); CP=$(free_port)
kam_start SIP_X "$XP" noauth; kam_start SIP_X_B "$XBP" noauth
kam_start SIP_Y "$YP" noauth; kam_start SIP_Y_B "$YBP" noauth
# probes every 2 s: on a loaded machine the start's burst of REGISTERs must not
# make a server look down (which would start a storm that hides the figure)
gen_config "$W/base.yaml" "$N" dual 2 2 3 127.0.0.1 "$XP" "$XBP" "$YP" "$YBP" 2
# the two files a reload alternates between: a1's disaster-recovery.timeout 5 or 7
for v in 5 7; do
	sed "s/^\(  a1: {.*\)}$/\1, options: {interaction-workspace: {disaster-recovery.timeout: $v}}}/" \
		"$W/base.yaml" >"$W/c$v.yaml"
done
grep -q 'disaster-recovery.timeout: 5}}}$' "$W/c5.yaml" || { echo "bench: could not set a1's option" >&2; exit 1; }
cp "$W/c5.yaml" "$W/c.yaml"
CTL=127.0.0.1:$CP
RUN_EXTRA="--control $CTL" run_start "$W/c.yaml" 127.0.0.1
wait_count '"proxy": 1, "site": "SiteY"' "$N" 120 || exit 1
wait_count '"proxy": 0, "site": "SiteX"' "$N" 120 || exit 1
regs() { echo $(( $(kam_stat SIP_X rcv_requests_register) + $(kam_stat SIP_Y rcv_requests_register) +
		  $(kam_stat SIP_X_B rcv_requests_register) + $(kam_stat SIP_Y_B rcv_requests_register) )); }
# quiet: no REGISTER reaches the registrars for 3 s (deadline 120 s)
r0=$(regs); end=$((${EPOCHREALTIME%.*} + 120))
while :; do
	sleep 3
	r=$(regs)
	[ "$r" = "$r0" ] && break
	r0=$r
	[ "${EPOCHREALTIME%.*}" -lt "$end" ] || { echo "bench: the fleet never fell quiet (REGISTERs still coming)" >&2; exit 1; }
done
grep -q 'is down after' "$W/run.log" && echo "note: a server was declared down during the start (loaded machine)"
r0=$(regs)
: >"$W/times"
for i in $(seq "$REQ"); do
	if [ $((i % 2)) = 1 ]; then cp "$W/c7.yaml" "$W/c.yaml"; else cp "$W/c5.yaml" "$W/c.yaml"; fi
	perl -MIO::Socket::INET -MTime::HiRes=time -e '
		my $t0 = time;
		my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0]) or die "connect: $!\n";
		print $s "POST /v1/reload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
		my ($r, $buf) = ("", "");
		$r .= $buf while sysread($s, $buf, 1 << 20);
		$r =~ m{^HTTP/1\.1 200 } or die "not 200: " . substr($r, 0, 300) . "\n";
		$r =~ m{"added": 0, "removed": 0, "changed": 1} or die "not one agent changed: $r\n";
		printf "%.2f\n", (time - $t0) * 1000;' "$CTL" >>"$W/times" || exit 1
done
sleep 1
r1=$(regs)
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms", v[int((NR + 1) / 2)], v[NR] }'; }
echo "POST /v1/reload x $REQ, the whole reload (read + validate in a thread, apply): $(stats <"$W/times")"
grep -o 'applied in [0-9.]* ms of the loop' "$W/run.log" | sed 's/applied in //; s/ ms.*//' >"$W/apply"
echo "  the loop's part (apply):                                                  $(stats <"$W/apply")"
echo "  REGISTERs that reached the registrars meanwhile: $((r1 - r0))"
run_stop
echo "goal (docs/behaviour.md §8 at 10,000 agents): a reload that changes one agent's option costs < 10 ms of loop time"
echo "reproduce: bash bench/net/reload.sh $1 $N $REQ"
