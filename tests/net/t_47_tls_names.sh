# TLS host names (docs/behaviour.md §7): the certificate must name the host in a DNS
# subject alternative name; for a server found by SRV, the SRV domain or the target.
# In network namespaces, dnsmasq serves the names (TTL 2 s) and four Kamailio
# registrars serve SIP over TLS, certificates from a test CA made with openssl:
#   SIP_X   sipx.dstest, no port: SRV _sips._tcp -> sip1.dstest; the certificate
#           names the target sip1.dstest only: verified
#   SIP_X_B sipxb.dstest:PORT; the certificate names other.dstest: refused, the log
#           names the host
#   SIP_Y   sipy.dstest, no port: SRV _sips._tcp -> sip3.dstest; the certificate
#           names the domain sipy.dstest only: verified
#   SIP_Y_B sipyb.sitey.dstest:PORT; the certificate names *.sitey.dstest: verified (a wildcard
#           left-most label)
# alice registers at SIP_X and SIP_Y over TLS; SIP_X_B is down for its name.
. "$(dirname "$0")/lib.sh"
net_init "$@"
tls_init
NET3=10.244.$(($$ % 200 + 1))
SRV_IP=$NET3.1 AG_IP=$NET3.2
netns_two "$SRV_IP" "$AG_IP"
tls_ca good
tls_cert good kx "DNS:sip1.dstest"
tls_cert good kxb "DNS:other.dstest"
tls_cert good ky "DNS:sipy.dstest"
tls_cert good kyb "DNS:*.sitey.dstest"
SIP_PASSWORD=pw-$$
export DS_PW=$SIP_PASSWORD
for k in X XB Y YB; do free_port "P_$k"; free_port "TLS_$k"; done
printf '%s\n' "$SRV_IP sip1.dstest" "$SRV_IP sip3.dstest" "$SRV_IP sipxb.dstest" \
	"$SRV_IP sipyb.sitey.dstest" >"$T/hosts"
DNS_ARGS="--local=/dstest/ --srv-host=_sips._tcp.sipx.dstest,sip1.dstest,$TLS_X,10,10 --srv-host=_sips._tcp.sipy.dstest,sip3.dstest,$TLS_Y,10,10"
start_dnsmasq "$SRV_IP"
TLS_LISTEN=$SRV_IP
start_kamailio_tls KX "$P_X" SiteX "$TLS_X" kx
start_kamailio_tls KXB "$P_XB" SiteX "$TLS_XB" kxb
start_kamailio_tls KY "$P_Y" SiteY "$TLS_Y" ky
start_kamailio_tls KYB "$P_YB" SiteY "$TLS_YB" kyb
TLS_PERSONS="alice:7001"
tls_gen_config "$T/gen.yaml" "dualsite.tls-ca-file: $T/tls/good/ca.pem"
sed -e "s/^  SIP_X: {kind: sip, host: 127.0.0.1, port: $TLS_X,/  SIP_X: {kind: sip, host: sipx.dstest,/" \
	-e "s/^  SIP_Y: {kind: sip, host: 127.0.0.1, port: $TLS_Y,/  SIP_Y: {kind: sip, host: sipy.dstest,/" \
	-e "s/^  SIP_X_B: {kind: sip, host: 127.0.0.1,/  SIP_X_B: {kind: sip, host: sipxb.dstest,/" \
	-e "s/^  SIP_Y_B: {kind: sip, host: 127.0.0.1,/  SIP_Y_B: {kind: sip, host: sipyb.sitey.dstest,/" \
	"$T/gen.yaml" >"$T/ds.yaml"
[ "$(grep -c 'host: sip[xy]b*\.[a-z.]*dstest' "$T/ds.yaml")" = 4 ] || fail "could not name the servers in $T/ds.yaml"
"$BIN" validate -c "$T/ds.yaml" >"$T/validate.out" 2>&1 || fail "validate rejects $T/ds.yaml: $(cat "$T/validate.out")"
start_dualsite "$T/ds.yaml"
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 8 alice registered proxy=1 site=SiteY server=SIP_Y
grep -q "server SIP_X: 'sipx.dstest' is $SRV_IP:$TLS_X (SRV _sips._tcp.sipx.dstest -> sip1.dstest:$TLS_X" "$T/ds.err" ||
	fail "SIP_X was not found by SRV _sips._tcp (target sip1.dstest:$TLS_X)"
for k in KX KY; do
	wait_until 3 has_binding $k 7001 || fail "$k holds no binding for 7001"
	case $(binding_socket $k 7001) in
	tls:*) ;;
	*) fail "$k got alice's REGISTER on $(binding_socket $k 7001), expected a tls: socket" ;;
	esac
done
down_said() { grep -q "server $1 (sip $SRV_IP:$2) is down after .*tls: $3" "$T/ds.err"; }
wait_until 6 down_said SIP_X_B "$TLS_XB" "host name 'sipxb.dstest' not in certificate 'kxb'" ||
	fail "no 'SIP_X_B is down ... tls: host name 'sipxb.dstest' not in certificate' in the log"
up_said() { grep -q "server SIP_Y_B (sip $SRV_IP:$TLS_YB) is up" "$T/ds.err"; }
wait_until 6 up_said || fail "SIP_Y_B (a *.sitey.dstest certificate) did not come up"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
note "SRV target and SRV domain verified, a wildcard verified, another name refused"
