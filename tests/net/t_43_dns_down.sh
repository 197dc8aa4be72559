# DNS server gone (docs/behaviour.md §7): SIP_X is named (sipx.dstest, TTL 4 s, dnsmasq
# in the servers' namespace). dnsmasq is killed: the next look-up fails, the last answer
# is kept until its TTL ends (said in the log; SIP_X stays up meanwhile), then SIP_X
# has no address: its probes fail with reason "dns: ...", it is declared down and
# alice makes the HA switch to SIP_X_B (a numeric address, still reachable).
. "$(dirname "$0")/lib.sh"
net_init "$@"
NET3=10.242.$(($$ % 200 + 1))
SRV_IP=$NET3.1 AG_IP=$NET3.2
netns_two "$SRV_IP" "$AG_IP"
echo "$SRV_IP sipx.dstest" >"$T/hosts"
DNS_TTL=4
start_dnsmasq "$SRV_IP"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
for k in "KX $PORT_X SiteX" "KXB $PORT_XB SiteX" "KY $PORT_Y SiteY" "KYB $PORT_YB SiteY"; do
	set -- $k
	start_kamailio "$1" "$2" "$3" -A "LISTEN=$SRV_IP"
done
SERVER_HOST=$SRV_IP
gen_config "$T/gen.yaml"
sed "s/^  SIP_X:   {kind: sip, host: $SRV_IP,/  SIP_X:   {kind: sip, host: sipx.dstest,/" \
	"$T/gen.yaml" >"$T/ds.yaml"
grep -q "host: sipx.dstest" "$T/ds.yaml" || fail "could not name SIP_X in $T/ds.yaml"
start_dualsite "$T/ds.yaml"
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
wait_until 2 has_binding KX 7001 || fail "KX holds no binding for 7001"

kill -KILL "$DNS_PID"
wait_exit 5 "$DNS_PID" || fail "dnsmasq (PID $DNS_PID) did not die"
KILL_T=$(ds_now)
ev_wait 15 --after "$KILL_T" alice ha-switch kind=sip site=SiteX from=SIP_X to=SIP_X_B
keep=$(grep -n "server SIP_X: look-up of 'sipx.dstest' .*; keeping $SRV_IP:$PORT_X until its TTL ends" "$T/ds.err" | head -n 1 | cut -d: -f1)
gone=$(grep -n "server SIP_X: no address for 'sipx.dstest' (.*; the last answer's TTL ended)" "$T/ds.err" | head -n 1 | cut -d: -f1)
down=$(grep -n "server SIP_X (sip .*) is down after [0-9]* failed probes (dns: " "$T/ds.err" | head -n 1 | cut -d: -f1)
[ -n "$keep" ] || fail "no line saying the last answer is kept until its TTL ends"
[ -n "$gone" ] || fail "no line saying the address is gone when the TTL ended"
[ -n "$down" ] || fail "no line saying SIP_X is down with reason dns"
[ "$keep" -lt "$gone" ] && [ "$gone" -lt "$down" ] ||
	fail "expected kept (line $keep), then gone (line $gone), then down (line $down)"
ev_wait 3 --after "$KILL_T" alice registered proxy=0 site=SiteX server=SIP_X_B
ds_stop
