# DNS (docs/behaviour.md §7): SIP_X is named (sipx.dstest), served by dnsmasq in the
# servers' namespace with a 2 s TTL; `run` in the agent's namespace looks it up with
# the system's resolver configuration (/etc/netns/NS/resolv.conf) and registers there.
# Then the record changes (hosts file rewritten, SIGHUP): within a few TTLs the name
# is looked up again, the probes go to the new address (its registrar counts
# OPTIONS) and so does the next REGISTER refresh (the binding appears there).
. "$(dirname "$0")/lib.sh"
net_init "$@"
NET3=10.241.$(($$ % 200 + 1))
SRV_IP=$NET3.1 AG_IP=$NET3.2 SRV_IP2=$NET3.3
netns_two "$SRV_IP" "$AG_IP"
ip -n "$NS_SRV" addr add "$SRV_IP2/24" dev "vs$$"
echo "$SRV_IP sipx.dstest" >"$T/hosts"
start_dnsmasq "$SRV_IP"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
start_kamailio KX "$PORT_X" SiteX -A "LISTEN=$SRV_IP"
start_kamailio KX2 "$PORT_X" SiteX -A "LISTEN=$SRV_IP2"
start_kamailio KXB "$PORT_XB" SiteX -A "LISTEN=$SRV_IP"
start_kamailio KY "$PORT_Y" SiteY -A "LISTEN=$SRV_IP"
start_kamailio KYB "$PORT_YB" SiteY -A "LISTEN=$SRV_IP"
SERVER_HOST=$SRV_IP
gen_config "$T/gen.yaml" sipendpoint.proxies.proxy0.reg_timeout=4
sed "s/^  SIP_X:   {kind: sip, host: $SRV_IP,/  SIP_X:   {kind: sip, host: sipx.dstest,/" \
	"$T/gen.yaml" >"$T/ds.yaml"
grep -q "host: sipx.dstest" "$T/ds.yaml" || fail "could not name SIP_X in $T/ds.yaml"
start_dualsite "$T/ds.yaml"
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
grep -q "server SIP_X: 'sipx.dstest' is $SRV_IP:$PORT_X (TTL 2 s)" "$T/ds.err" ||
	fail "no log line of the first answer for sipx.dstest"
wait_until 2 has_binding KX 7001 || fail "KX ($SRV_IP) holds no binding for 7001"
[ -z "$(register_count KX2)" ] || [ "$(register_count KX2)" = 0 ] ||
	fail "KX2 ($SRV_IP2) got REGISTERs before the record changed"

echo "$SRV_IP2 sipx.dstest" >"$T/hosts"
kill -HUP "$DNS_PID"
wait_until 8 grep -q "server SIP_X: 'sipx.dstest' is $SRV_IP2:$PORT_X (TTL 2 s), was another" "$T/ds.err" ||
	fail "the new answer for sipx.dstest ($SRV_IP2) was not taken within 8 s"
wait_until 5 sh -c "[ \"\$(kamcmd -s unix:$T/KX2.ctl stats.get_statistics rcv_requests_options 2>&1 | sed -n 's/.*= *\([0-9]*\).*/\1/p')\" -ge 1 ]" ||
	fail "no probe reached KX2 ($SRV_IP2) after the change"
wait_until 8 has_binding KX2 7001 || fail "KX2 ($SRV_IP2) holds no binding for 7001 after the change"
case $(bindings KX2 7001) in
"sip:7001@$AG_IP:"*) ;;
*) fail "KX2 holds Contact '$(bindings KX2 7001)', expected sip:7001@$AG_IP:..." ;;
esac
ev_absent_for 0 "a record change is no outage" alice connection-lost
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
