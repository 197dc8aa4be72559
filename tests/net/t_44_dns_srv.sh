# RFC 3263 SRV (docs/behaviour.md §7): SIP servers named without a port. SIP_X is
# sipx.dstest: dnsmasq serves _sip._udp.sipx.dstest with two targets, priority 10
# (sip1, $SRV_IP) and priority 20 (sip2, $SRV_IP2, another port), and answers the
# priority-10 one last: the priority-10 target is used (alice registers at its
# registrar KX, none at KX2). SIP_Y is sipy.dstest with no SRV record: the A record
# on port 5060 is used (KY listens on $SRV_IP:5060 in the servers' namespace; dnsmasq
# answers for all of dstest, so the missing SRV record is "no such name", not a
# refusal).
. "$(dirname "$0")/lib.sh"
net_init "$@"
NET3=10.243.$(($$ % 200 + 1))
SRV_IP=$NET3.1 AG_IP=$NET3.2 SRV_IP2=$NET3.3
netns_two "$SRV_IP" "$AG_IP"
ip -n "$NS_SRV" addr add "$SRV_IP2/24" dev "vs$$"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_X2; free_port PORT_XB; free_port PORT_YB
PORT_Y=5060
printf '%s\n' "$SRV_IP sip1.dstest" "$SRV_IP2 sip2.dstest" "$SRV_IP sipy.dstest" >"$T/hosts"
DNS_ARGS="--local=/dstest/ --srv-host=_sip._udp.sipx.dstest,sip1.dstest,$PORT_X,10,10 --srv-host=_sip._udp.sipx.dstest,sip2.dstest,$PORT_X2,20,10"
start_dnsmasq "$SRV_IP"
start_kamailio KX "$PORT_X" SiteX -A "LISTEN=$SRV_IP"
start_kamailio KX2 "$PORT_X2" SiteX -A "LISTEN=$SRV_IP2"
start_kamailio KXB "$PORT_XB" SiteX -A "LISTEN=$SRV_IP"
start_kamailio KY "$PORT_Y" SiteY -A "LISTEN=$SRV_IP"
start_kamailio KYB "$PORT_YB" SiteY -A "LISTEN=$SRV_IP"
SERVER_HOST=$SRV_IP
gen_config "$T/gen.yaml"
sed -e "s/^  SIP_X:   {kind: sip, host: $SRV_IP, port: $PORT_X,/  SIP_X:   {kind: sip, host: sipx.dstest,/" \
	-e "s/^  SIP_Y:   {kind: sip, host: $SRV_IP, port: $PORT_Y,/  SIP_Y:   {kind: sip, host: sipy.dstest,/" \
	"$T/gen.yaml" >"$T/ds.yaml"
[ "$(grep -c 'host: sip[xy].dstest, transport' "$T/ds.yaml")" = 2 ] ||
	fail "could not name SIP_X and SIP_Y without ports in $T/ds.yaml"
start_dualsite "$T/ds.yaml"
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
grep -q "server SIP_X: 'sipx.dstest' is $SRV_IP:$PORT_X (SRV _sip._udp.sipx.dstest -> sip1.dstest:$PORT_X, TTL 2 s)" "$T/ds.err" ||
	fail "no log line of SIP_X's SRV answer (priority 10: sip1.dstest:$PORT_X)"
grep -q "server SIP_Y: 'sipy.dstest' is $SRV_IP:5060 (no SRV _sip._udp.sipy.dstest: A on 5060, TTL 2 s)" "$T/ds.err" ||
	fail "no log line of SIP_Y's fallback to its A record on 5060"
wait_until 2 has_binding KX 7001 || fail "KX (priority 10 target) holds no binding for 7001 (REGISTERs at KX $(register_count KX), KX2 $(register_count KX2), KXB $(register_count KXB), KY $(register_count KY), KYB $(register_count KYB))"
wait_until 2 has_binding KY 7001 || fail "KY ($SRV_IP:5060, the A fallback) holds no binding for 7001"
no_binding KX2 7001 || fail "KX2 (priority 20 target) holds a binding: $(bindings KX2 7001)"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
