# An SBC named by SRV (docs/behaviour.md §7): alice's and bob's proxy0 go through
# sipendpoint.sbc-register-address sbc.dstest with port 0, so `run` looks up
# _sip._udp.sbc.dstest (dnsmasq in the servers' namespace, TTL 4 s) once for both and
# REGISTERs at the target, sbc1.dstest (KS, $SRV_IP), not at SIP_X's address. The
# target's A record then changes to $SRV_IP2 (KS2, same port): after its TTL the next
# REGISTER goes there. Then dnsmasq is killed: the last answer is kept until its TTL
# ends (alice stays registered, refreshes go on), after which her proxy0 REGISTERs
# fail at once with reason dns: a registration-lost event with reason dns (the first
# loss since the kill) and dualsite_register_attempts_total{result="dns"} > 0.
. "$(dirname "$0")/lib.sh"
net_init "$@"
NET3=10.244.$(($$ % 200 + 1))
SRV_IP=$NET3.1 AG_IP=$NET3.2 SRV_IP2=$NET3.3
netns_two "$SRV_IP" "$AG_IP"
ip -n "$NS_SRV" addr add "$SRV_IP2/24" dev "vs$$"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB; free_port PORT_S
echo "$SRV_IP sbc1.dstest" >"$T/hosts"
DNS_TTL=4
DNS_ARGS="--local=/dstest/ --srv-host=_sip._udp.sbc.dstest,sbc1.dstest,$PORT_S,10,10"
start_dnsmasq "$SRV_IP"
for k in "KX $PORT_X SiteX" "KXB $PORT_XB SiteX" "KY $PORT_Y SiteY" "KYB $PORT_YB SiteY" \
	"KS $PORT_S SiteX"; do
	set -- $k
	start_kamailio "$1" "$2" "$3" -A "LISTEN=$SRV_IP"
done
start_kamailio KS2 "$PORT_S" SiteX -A "LISTEN=$SRV_IP2"
SERVER_HOST=$SRV_IP
WITH_BOB=1 gen_config "$T/ds.yaml" sipendpoint.sbc-register-address=sbc.dstest \
	sipendpoint.sbc-register-port=0 sipendpoint.proxies.proxy0.reg_timeout=4
free_port CPORT
start_dualsite "$T/ds.yaml" --control "127.0.0.1:$CPORT"
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
grep -q "SBC sbc.dstest: a name with port 0: SRV _sip._udp.sbc.dstest, one look-up for 2 agent proxies" "$T/ds.err" ||
	fail "no log line of one SRV look-up for both agents' SBC"
grep -q "SBC sbc.dstest: 'sbc.dstest' is $SRV_IP:$PORT_S (SRV _sip._udp.sbc.dstest -> sbc1.dstest:$PORT_S, TTL 4 s)" "$T/ds.err" ||
	fail "no log line of the SBC's SRV answer (sbc1.dstest:$PORT_S)"
wait_until 2 has_binding KS 7001 || fail "KS (the SRV target) holds no binding for 7001"
no_binding KX 7001 || fail "KX holds a binding although proxy0 goes through the SBC: $(bindings KX 7001)"
[ "$(grep -c "query\[SRV\] _sip._udp.sbc.dstest" "$T/dnsmasq.log")" -ge 1 ] ||
	fail "dnsmasq saw no SRV query for the SBC"

# the target's A record changes: followed after its TTL
echo "$SRV_IP2 sbc1.dstest" >"$T/hosts"
kill -HUP "$DNS_PID"
wait_until 12 grep -q "SBC sbc.dstest: 'sbc.dstest' is $SRV_IP2:$PORT_S (SRV _sip._udp.sbc.dstest -> sbc1.dstest:$PORT_S, TTL 4 s), was another" "$T/ds.err" ||
	fail "the SBC's new address ($SRV_IP2) was not taken within 12 s"
wait_until 8 has_binding KS2 7001 || fail "KS2 ($SRV_IP2) holds no binding for 7001 after the change"

# A reload brings an SBC named by DNS that no agent used: alice's and bob's proxy1 go
# through sbc1.dstest (A record, now $SRV_IP2: KS2). It is added to the SBCs and looked up
# (the look-ups start again around that); sbc.dstest keeps its answer (no proxy0
# loss); alice's old proxy1 binding at SiteY's registrar is un-REGISTERed.
has_binding KY 7001 || has_binding KYB 7001 || fail "no SiteY binding for 7001 before the reload"
WITH_BOB=1 gen_config "$T/ds.yaml" sipendpoint.sbc-register-address=sbc.dstest \
	sipendpoint.sbc-register-port=0 sipendpoint.proxies.proxy0.reg_timeout=4 \
	sipendpoint.sbc-register-address.peer=sbc1.dstest \
	sipendpoint.sbc-register-port.peer=$PORT_S
RELOAD_T=$(ds_now)
kill -HUP "$DS_PID"
wait_until 10 grep -q "reload: done: 0 added, 0 removed, 2 changed" "$T/ds.err" ||
	fail "the reload bringing alice's peer SBC did not finish: $(grep reload: "$T/ds.err" | tail -n 5)"
grep -q "reload: agent alice: new SIP user, transport or SBC: registering again" "$T/ds.err" ||
	fail "no log line of alice's new SBC"
wait_until 8 grep -q "SBC sbc1.dstest: 'sbc1.dstest' is $SRV_IP2:$PORT_S (TTL 4 s)" "$T/ds.err" ||
	fail "the new SBC sbc1.dstest was not looked up after the reload: $(grep SBC "$T/ds.err" | tail -n 5)"
wait_until 8 no_binding KY 7001 || fail "KY still holds alice's old proxy1 binding: $(bindings KY 7001)"
no_binding KYB 7001 || fail "KYB holds a binding for alice after the reload: $(bindings KYB 7001)"
proxy1_at_ks2() { bindings KS2 7001 | grep -q 'dsp=1'; }
wait_until 8 proxy1_at_ks2 ||
	fail "KS2 (sbc1.dstest) holds no proxy1 binding for 7001: $(bindings KS2 7001)"
ev_absent_for 0 "the new SBC's first look-up is waited for" --after "$RELOAD_T" alice registration-lost proxy=1
ev_absent_for 0 "sbc.dstest kept its answer across the reload" --after "$RELOAD_T" alice registration-lost proxy=0

# DNS gone: the last answer is kept until its TTL ends, then reason dns
kill -KILL "$DNS_PID"
wait_exit 5 "$DNS_PID" || fail "dnsmasq (PID $DNS_PID) did not die"
KILL_T=$(ds_now)
ev_wait 20 --after "$KILL_T" alice registration-lost proxy=0
[ "$(ev_field "$EV_LINE" reason)" = dns ] ||
	fail "alice's first proxy0 loss after the DNS server died says reason '$(ev_field "$EV_LINE" reason)', expected dns (the last answer is kept until its TTL ends): $EV_LINE"
keep=$(grep -n "SBC sbc.dstest: look-up of 'sbc.dstest' .*; keeping $SRV_IP2:$PORT_S until its TTL ends" "$T/ds.err" | head -n 1 | cut -d: -f1)
gone=$(grep -n "SBC sbc.dstest: no address for 'sbc.dstest' (.*; the last answer's TTL ended): REGISTERs through it fail with reason dns" "$T/ds.err" | head -n 1 | cut -d: -f1)
unsent=$(grep -n "alice: proxy0 REGISTER to SIP_X not sent: dns: .* (its SBC's name)" "$T/ds.err" | head -n 1 | cut -d: -f1)
[ -n "$keep" ] || fail "no line saying the SBC's last answer is kept until its TTL ends"
[ -n "$gone" ] || fail "no line saying the SBC's address is gone when its TTL ended"
[ -n "$unsent" ] || fail "no line saying alice's REGISTER was not sent for reason dns"
[ "$keep" -lt "$gone" ] && [ "$gone" -lt "$unsent" ] ||
	fail "expected kept (line $keep), then gone (line $gone), then REGISTER not sent (line $unsent)"
ev_absent_for 0 "the SBC's name is no server loss" alice connection-lost

ip netns exec "$NS_AG" perl "$NET_DIR/http.pl" "127.0.0.1:$CPORT" GET /metrics >"$T/m.out" 2>"$T/m.err" ||
	fail "GET /metrics: no answer: $(cat "$T/m.err")"
dns=$(awk '$1 == "dualsite_register_attempts_total{proxy=\"0\",result=\"dns\"}" { print $2 }' "$T/m.out")
[ -n "$dns" ] && [ "$dns" -ge 1 ] ||
	fail "dualsite_register_attempts_total{proxy=\"0\",result=\"dns\"} is '$dns', expected at least 1"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
