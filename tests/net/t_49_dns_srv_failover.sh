# The next SRV target when one fails (docs/behaviour.md §7, RFC 3263 §4.3). SIP_X is
# sipx.dstest without a port: _sip._udp.sipx.dstest has sip1 (priority 10, KX on
# $SRV_IP) and sip2 (priority 20, KX2 on $SRV_IP2). alice's proxy1 goes through the SBC
# sbc.dstest with port 0: _sip._udp.sbc.dstest has sbc1 (priority 10, KS1) and sbc2
# (priority 20, KS2). Both priority-10 registrars are killed at once. SIP_X's probes
# fail, and instead of being declared down it moves to sip2: probes and the next
# REGISTER go to KX2, with no HA switch to SIP_X_B. proxy1's REGISTER through sbc1 is
# unanswered (reason timeout), the SBC moves to sbc2, and the retry registers at KS2.
. "$(dirname "$0")/lib.sh"
net_init "$@"
NET3=10.245.$(($$ % 200 + 1))
SRV_IP=$NET3.1 AG_IP=$NET3.2 SRV_IP2=$NET3.3
netns_two "$SRV_IP" "$AG_IP"
ip -n "$NS_SRV" addr add "$SRV_IP2/24" dev "vs$$"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_X2; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
free_port PORT_S1; free_port PORT_S2
printf '%s\n' "$SRV_IP sip1.dstest" "$SRV_IP2 sip2.dstest" "$SRV_IP sbc1.dstest" \
	"$SRV_IP2 sbc2.dstest" >"$T/hosts"
DNS_ARGS="--local=/dstest/ --srv-host=_sip._udp.sipx.dstest,sip1.dstest,$PORT_X,10,10
 --srv-host=_sip._udp.sipx.dstest,sip2.dstest,$PORT_X2,20,10
 --srv-host=_sip._udp.sbc.dstest,sbc1.dstest,$PORT_S1,10,10
 --srv-host=_sip._udp.sbc.dstest,sbc2.dstest,$PORT_S2,20,10"
start_dnsmasq "$SRV_IP"
for k in "KX $PORT_X SiteX $SRV_IP" "KX2 $PORT_X2 SiteX $SRV_IP2" "KXB $PORT_XB SiteX $SRV_IP" \
	"KY $PORT_Y SiteY $SRV_IP" "KYB $PORT_YB SiteY $SRV_IP" "KS1 $PORT_S1 SiteY $SRV_IP" \
	"KS2 $PORT_S2 SiteY $SRV_IP2"; do
	set -- $k
	start_kamailio "$1" "$2" "$3" -A "LISTEN=$4"
done
SERVER_HOST=$SRV_IP
gen_config "$T/gen.yaml" sipendpoint.sbc-register-address.peer=sbc.dstest \
	sipendpoint.sbc-register-port.peer=0 sipendpoint.proxies.proxy0.reg_timeout=4 \
	sipendpoint.proxies.proxy1.reg_timeout=4
sed "s/^  SIP_X:   {kind: sip, host: $SRV_IP, port: $PORT_X,/  SIP_X:   {kind: sip, host: sipx.dstest,/" \
	"$T/gen.yaml" >"$T/ds.yaml"
grep -q "host: sipx.dstest, transport" "$T/ds.yaml" || fail "could not name SIP_X without a port in $T/ds.yaml"
start_dualsite "$T/ds.yaml"
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
wait_until 2 has_binding KX 7001 || fail "KX (sip1, priority 10) holds no binding for 7001"
wait_until 2 has_binding KS1 7001 || fail "KS1 (sbc1, priority 10) holds no binding for 7001"
no_binding KX2 7001 || fail "KX2 (priority 20) holds a binding before any failure"
no_binding KS2 7001 || fail "KS2 (priority 20) holds a binding before any failure"

kam_signal KILL KX KS1
KILL_T=$SIG_T0
wait_until 5 kam_gone KX || fail "KX did not die"
wait_until 5 kam_gone KS1 || fail "KS1 did not die"
wait_until 10 grep -q "server SIP_X: SRV target sip1.dstest:$PORT_X failed; next: sip2.dstest:$PORT_X2" "$T/ds.err" ||
	fail "SIP_X did not move to its next SRV target within 10 s"
wait_until 10 has_binding KX2 7001 || fail "KX2 (sip2) holds no binding for 7001 after sip1 died"
wait_until 10 grep -q "SBC sbc.dstest: SRV target sbc1.dstest:$PORT_S1 failed; next: sbc2.dstest:$PORT_S2" "$T/ds.err" ||
	fail "the SBC did not move to its next SRV target within 10 s"
wait_until 10 has_binding KS2 7001 || fail "KS2 (sbc2) holds no binding for 7001 after sbc1 died"
ev_wait 10 --after "$KILL_T" alice registered proxy=1 site=SiteY server=SIP_Y
grep -q "server SIP_X (sip .*) is down" "$T/ds.err" &&
	fail "SIP_X was declared down although its next SRV target answers: $(grep "server SIP_X (sip .*) is down" "$T/ds.err")"
ev_absent_for 0 "SIP_X's next SRV target is no HA switch" alice ha-switch
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
