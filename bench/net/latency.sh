#!/bin/bash
# Benchmark 1: detection, switchover and restore latency of one agent, for
# three kinds of outage of its preferred site (both SIP Servers of SiteX):
#   silent   SIGSTOP (no answer at all)       back: SIGCONT
#   refused  SIGKILL (ICMP port unreachable)  back: Kamailio started again
#   drop     an nftables drop rule in a network namespace this script makes
#            (SiteX's registrars live there, behind a veth pair)  back: rule deleted
# Reports p50/p95/max of (switchover - outage - timeout) and of
# (restore - site back - hold-down), with random-delay-range 0.
# TRANSPORTS (default udp): each type is measured once per transport, in the
# same run; tls = SIP over TLS to Kamailio's tls module (probes, REGISTERs),
# its certificate verified (bench/net/tls-latency.sh runs udp and tls).
# usage: bash bench/net/latency.sh PATH-TO-dualsite [OUTAGES-PER-TYPE (20) | smoke] [TYPES] [TRANSPORTS]
# smoke: 2 outages of each type (drop only as root), and a check that every
# outage gave its three figures (`make bench-smoke`).
. "$(dirname "$0")/lib.sh"
. "$ROOT/bench/figures.sh"
BIN=$(realpath "$1")
N=${2:-20}
TYPES=${3:-silent refused drop}
TRANSPORTS=${4:-udp}
SMOKE=""
if [ "$N" = smoke ]; then
	SMOKE=1 N=2
	[ "$(id -u)" = 0 ] || TYPES=${3:-silent refused}
fi
TIMEOUT=1 HOLD=1 PROBE=0.2
need kamailio kamcmd ip nft ss perl

setup_netns() {
	local i
	for i in $(seq 50); do
		SUB=$((RANDOM % 250 + 1))
		ip -o addr | grep -q "10\.231\.$SUB\." || break
	done
	NETNS=dsb$$
	ip netns add "$NETNS"
	ip link add "${NETNS}h" type veth peer name "${NETNS}n"
	ip link set "${NETNS}n" netns "$NETNS"
	ip addr add "10.231.$SUB.1/30" dev "${NETNS}h"
	ip link set "${NETNS}h" up
	ip netns exec "$NETNS" ip addr add "10.231.$SUB.2/30" dev "${NETNS}n"
	ip netns exec "$NETNS" ip link set "${NETNS}n" up
	ip netns exec "$NETNS" ip link set lo up
}

fault_on() {
	case $1 in
	silent) kam_signal SIP_X STOP; kam_signal SIP_X_B STOP ;;
	refused) kam_signal SIP_X KILL; kam_signal SIP_X_B KILL ;;
	drop) ip netns exec "$NETNS" nft -f - <<-EOF
		table inet dsbench {
			chain input {
				type filter hook input priority 0;
				meta l4proto { udp, tcp } th dport { $CXP, $CXBP } drop
			}
		}
		EOF
		;;
	esac
}

# Sets T_UP: the instant SiteX answers again (for refused, when its first
# registrar is up again; the second one follows).
fault_off() {
	case $1 in
	silent) T_UP=$EPOCHREALTIME; kam_signal SIP_X CONT; kam_signal SIP_X_B CONT ;;
	refused) kam_start SIP_X "$XP" auth 127.0.0.1 "" "$XT"; T_UP=$EPOCHREALTIME
		kam_start SIP_X_B "$XBP" auth 127.0.0.1 "" "$XBT" ;;
	drop) ip netns exec "$NETNS" nft delete table inet dsbench; T_UP=$EPOCHREALTIME ;;
	esac
}

# p50/p95/max of the numbers on stdin, in ms
pct() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit }
		i50 = int(0.5 * NR + 0.999999); i95 = int(0.95 * NR + 0.999999)
		printf "%4.0f / %4.0f / %4.0f", v[i50] * 1000, v[i95] * 1000, v[NR] * 1000 }'
}

echo "== Benchmark 1: detection, switchover and restore latency (1 agent, dual mode)"
machine
echo "probe-interval $PROBE s, probe-timeout $PROBE s, probe-failures 2 (budget $(awk -v p=$PROBE 'BEGIN{print 3*p}') s);" \
     "timeout $TIMEOUT s; hold-down $HOLD s; random-delay-range 0; $N outages of each type"
printf "%-4s %-8s %3s  %-22s %-26s %-26s\n" tp fault n "detect p50/p95/max ms" "switchover-outage-timeout" "restore-back-holddown"
for tp in $TRANSPORTS; do
for fault in $TYPES; do
	XP=$(free_port); XBP=$(free_port); YP=$(free_port); YBP=$(free_port)
	XT="" XBT="" YT="" YBT=""
	XH=127.0.0.1 LISTEN=127.0.0.1 NS=""
	if [ "$fault" = drop ]; then
		setup_netns
		XH=10.231.$SUB.2 LISTEN=10.231.$SUB.1 NS=$NETNS
	fi
	if [ "$tp" = tls ]; then
		XT=$(free_port); XBT=$(free_port); YT=$(free_port); YBT=$(free_port)
		tls_setup 127.0.0.1 "$XH"
	fi
	kam_start SIP_X "$XP" auth "$XH" "$NS" "$XT"
	kam_start SIP_X_B "$XBP" auth "$XH" "$NS" "$XBT"
	kam_start SIP_Y "$YP" auth 127.0.0.1 "" "$YT"
	kam_start SIP_Y_B "$YBP" auth 127.0.0.1 "" "$YBT"
	# the ports SIP goes to: UDP's, or TLS's
	CXP=${XT:-$XP} CXBP=${XBT:-$XBP}
	# refused restarts Kamailio outside the namespace: only drop uses it
	BENCH_TLS=$([ "$tp" = tls ] && echo 1) gen_config "$W/c.yaml" 1 dual 0 $TIMEOUT $HOLD \
		"$XH" "$CXP" "$CXBP" "${YT:-$YP}" "${YBT:-$YBP}" $PROBE
	run_start "$W/c.yaml" "$LISTEN"
	wait_count '"kind": "sip", "site": "SiteX"' 1 15 || exit 1
	wait_count '"proxy": 1' 1 15 || exit 1
	: > "$W/marks"
	for i in $(seq "$N"); do
		# start each outage at a random phase of the probe period
		sleep "0.$(printf %03d $((RANDOM % 200)))"
		t_out=$EPOCHREALTIME
		fault_on "$fault"
		wait_count '"event": "switchover"' "$i" 15 || exit 1
		fault_off "$fault"
		t_up=$T_UP
		wait_count '"event": "restore"' "$i" 15 || exit 1
		echo "$t_out $t_up" >> "$W/marks"
	done
	run_stop
	# the run's clock: t=0 lies at min(arrival - t) on the wall clock
	awk -v to=$TIMEOUT -v hold=$HOLD -v marks="$W/marks" -v out="$W/lat" '
		{ match($0, /"t": [0-9.]+/); t = substr($0, RSTART + 5, RLENGTH - 5) + 0
		  off = $1 - t; if (NR == 1 || off < min) min = off }
		/"event": "connection-lost"/ { lost[++nl] = t }
		/"event": "switchover"/ { sw[++ns] = t }
		/"event": "restore"/ { rs[++nr] = t }
		END {
			i = 0
			while ((getline line < marks) > 0) {
				split(line, m, " "); i++
				o = m[1] - min; u = m[2] - min
				# the first loss after the outage
				d = ""; for (j = 1; j <= nl; j++) if (lost[j] >= o) { d = lost[j] - o; break }
				printf "%s %.6f %.6f\n", d, sw[i] - o - to, rs[i] - u - hold > out
			}
		}' "$W/events"
	if [ -n "$SMOKE" ]; then
		[ "$(wc -l < "$W/lat")" -eq "$N" ] || { echo "bench smoke: latency $tp $fault: $(wc -l < "$W/lat") of $N outages measured" >&2; exit 1; }
		figures "latency $tp $fault" $(cat "$W/lat")
	fi
	printf "%-4s %-8s %3s  %-22s %-26s %-26s\n" "$tp" "$fault" "$(wc -l < "$W/lat")" \
		"$(cut -d' ' -f1 "$W/lat" | grep . | pct)" "$(cut -d' ' -f2 "$W/lat" | pct)" \
		"$(cut -d' ' -f3 "$W/lat" | pct)"
	for k in SIP_X SIP_X_B SIP_Y SIP_Y_B; do
		kam_signal $k CONT 2>/dev/null; kam_signal $k TERM 2>/dev/null
	done
	sleep 0.3
	if [ -n "$NETNS" ]; then
		ip netns del "$NETNS"; ip link del "${NETNS}h" 2>/dev/null; NETNS=""
	fi
done
done
echo "reproduce: bash bench/net/latency.sh $1 $N \"$TYPES\" \"$TRANSPORTS\""
