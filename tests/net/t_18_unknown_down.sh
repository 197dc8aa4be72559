# A server is unknown until its first answer, and a server declared down says
# why: both Stat Server pairs on refused ports never get a `connected` (the
# stat connection goes out of service once all four are known down, with
# "refused: TCP connection refused"); a SIGKILLed registrar is down with
# "refused: ICMP port unreachable", a SIGSTOPped one with "timed out".
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
free_port PORT_SX; free_port PORT_SXB; free_port PORT_SY; free_port PORT_SYB
gen_config "$T/sip.yaml"
# the same two sites, plus a Stat Server pair at each site on ports nobody listens on
awk -v sx="$PORT_SX" -v sxb="$PORT_SXB" -v sy="$PORT_SY" -v syb="$PORT_SYB" '
	/^  connections:/ { print "  connections: [SIP_X, SIP_Y, STAT_X, STAT_Y]"; next }
	{ print }
	/^servers:/ {
		printf "  STAT_X:   {kind: stat, host: 127.0.0.1, port: %s, backup: STAT_X_B,\n", sx
		print  "             options: {interaction-workspace: {disaster-recovery.site: SiteX}}}"
		printf "  STAT_X_B: {kind: stat, host: 127.0.0.1, port: %s,\n", sxb
		print  "             options: {interaction-workspace: {disaster-recovery.site: SiteX}}}"
		printf "  STAT_Y:   {kind: stat, host: 127.0.0.1, port: %s, backup: STAT_Y_B,\n", sy
		print  "             options: {interaction-workspace: {disaster-recovery.site: SiteY}}}"
		printf "  STAT_Y_B: {kind: stat, host: 127.0.0.1, port: %s,\n", syb
		print  "             options: {interaction-workspace: {disaster-recovery.site: SiteY}}}"
	}' "$T/sip.yaml" >"$T/ds.yaml"
"$BIN" validate -c "$T/ds.yaml" >"$T/validate.out" 2>&1 ||
	fail "dualsite validate rejects $T/ds.yaml: $(cat "$T/validate.out")"
start_dualsite "$T/ds.yaml"

ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
# Four refused Stat Servers: each is down after PROBE_FAILURES probes; only
# then is the stat connection known to have nowhere to go.
ev_wait "$(fcalc "$BUDGET + $TOL + 2")" alice out-of-service kind=stat
ev_absent_for 0 "no Stat Server ever answered" alice connected kind=stat
ev_absent_for 0 "no Stat Server ever answered" alice connection-lost kind=stat
for s in STAT_X STAT_X_B STAT_Y STAT_Y_B; do
	grep -q "server $s (stat [0-9.:]*) is down after $PROBE_FAILURES failed probes (refused: TCP connection refused)" "$T/ds.err" ||
		fail "no 'down ... (refused: TCP connection refused)' line for $s: $(grep "server $s" "$T/ds.err")"
done
# and none is said to be up or connected later on
ev_absent_for 1 "no Stat Server ever answered" alice connected kind=stat
grep -q "server STAT_X .* is up" "$T/ds.err" && fail "STAT_X said up: $(grep 'server STAT_X' "$T/ds.err")"

# A killed registrar (UDP): ICMP port unreachable; a stopped one: silence.
kam_signal KILL KX
ev_wait "$(fcalc "$BUDGET + $TOL + 2")" --after "$SIG_T0" alice ha-switch kind=sip site=SiteX from=SIP_X to=SIP_X_B
down_line() { grep -q "server $1 (sip [0-9.:]*) is down after $PROBE_FAILURES failed probes ($2)" "$T/ds.err"; }
wait_until 2 down_line SIP_X "refused: ICMP port unreachable" ||
	fail "no 'SIP_X down ... (refused: ICMP port unreachable)' line: $(grep 'server SIP_X ' "$T/ds.err")"
kam_signal STOP KYB
wait_until "$(fcalc "$BUDGET + $TOL + 2")" down_line SIP_Y_B "timed out" ||
	fail "no 'SIP_Y_B down ... (timed out)' line: $(grep 'server SIP_Y_B' "$T/ds.err")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
