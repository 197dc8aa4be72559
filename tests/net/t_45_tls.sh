# SIP over TLS, verified (docs/behaviour.md §7), against Kamailio's tls module and a
# test CA made here with openssl. Four registrars serve SIP over TLS, each with its own
# certificate: SIP_X a good one (subjectAltName IP:127.0.0.1, from the CA in
# dualsite.tls-ca-file), SIP_X_B an expired one, SIP_Y one for another host, SIP_Y_B one
# from another CA. Probes are OPTIONS over TLS: SIP_X comes up, the other three are
# declared down and the log says what did not verify. alice registers at SIP_X over
# TLS (Kamailio holds a tls: binding) and takes a call relayed to her over TLS (sipp
# here has no TLS: its leg to Kamailio is UDP). carol, dave and erin REGISTER through
# an "SBC" that is one of the three bad registrars: each attempt fails with reason
# tls, counted in dualsite_register_attempts_total{result="tls"}, and the log names
# what failed.
. "$(dirname "$0")/lib.sh"
net_init "$@"
tls_init
tls_ca good
tls_ca other
tls_cert good good "IP:127.0.0.1"
tls_cert good expired "IP:127.0.0.1" 20200101000000Z 20200102000000Z
tls_cert good wronghost "DNS:wrong.example,IP:127.0.0.9"
tls_cert other wrongca "IP:127.0.0.1"

SIP_PASSWORD=pw-$$
export DS_PW=$SIP_PASSWORD
for k in X XB Y YB; do free_port "P_$k"; free_port "TLS_$k"; done
start_kamailio_tls KX "$P_X" SiteX "$TLS_X" good
start_kamailio_tls KXB "$P_XB" SiteX "$TLS_XB" expired
start_kamailio_tls KY "$P_Y" SiteY "$TLS_Y" wronghost
start_kamailio_tls KYB "$P_YB" SiteY "$TLS_YB" wrongca

TLS_PERSONS="alice:7001 carol:7003:$TLS_XB dave:7004:$TLS_Y erin:7005:$TLS_YB"
tls_gen_config "$T/ds.yaml" "dualsite.tls-ca-file: $T/tls/good/ca.pem"

free_port CTL_PORT
start_dualsite "$T/ds.yaml" --control "127.0.0.1:$CTL_PORT"

# the good certificate: up, registered over TLS, Kamailio holds a tls: binding
ev_wait 6 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 6 alice registered proxy=0 site=SiteX server=SIP_X
wait_until 3 has_binding KX 7001 || fail "SIP_X holds no binding for 7001"
case $(binding_socket KX 7001) in
tls:*) ;;
*) fail "SIP_X got alice's REGISTER on $(binding_socket KX 7001), expected a tls: socket" ;;
esac

# the three bad certificates: probes fail and say why
down_said() { grep -q "server $1 (sip 127.0.0.1:$2) is down after .*tls: $3" "$T/ds.err"; }
wait_until 6 down_said SIP_X_B "$TLS_XB" "certificate has expired" ||
	fail "no 'SIP_X_B is down ... tls: certificate has expired' in the log"
wait_until 6 down_said SIP_Y "$TLS_Y" "IP address '127.0.0.1' not in certificate" ||
	fail "no 'SIP_Y is down ... tls: IP address '127.0.0.1' not in certificate' in the log"
wait_until 6 down_said SIP_Y_B "$TLS_YB" "unable to get local issuer certificate" ||
	fail "no 'SIP_Y_B is down ... tls: unable to get local issuer certificate' in the log"
ev_has alice registered proxy=1 && fail "alice registered at SiteY, whose servers failed TLS: $(ev_first alice registered proxy=1)"

# REGISTERs through a bad "SBC": registration-failed, reason tls, and the log says why
ev_wait 6 carol registration-failed proxy=0 site=SiteX reason=tls
ev_wait 6 dave registration-failed proxy=0 site=SiteX reason=tls
ev_wait 6 erin registration-failed proxy=0 site=SiteX reason=tls
grep -q "carol: proxy0 REGISTER to SIP_X failed: tls: certificate has expired" "$T/ds.err" ||
	fail "the log does not say carol's REGISTER failed on an expired certificate"
grep -q "dave: proxy0 REGISTER to SIP_X failed: tls: IP address '127.0.0.1' not in certificate" "$T/ds.err" ||
	fail "the log does not say dave's REGISTER failed on the host name"
grep -q "erin: proxy0 REGISTER to SIP_X failed: tls: unable to get local issuer certificate" "$T/ds.err" ||
	fail "the log does not say erin's REGISTER failed on the CA"
for k in KXB KY KYB; do
	register_count "$k" >"$T/$k.count"
	[ "$(cat "$T/$k.count")" = 0 ] || fail "$k received $(cat "$T/$k.count") REGISTERs over an unverified connection"
done
perl "$NET_DIR/http.pl" "127.0.0.1:$CTL_PORT" GET /metrics >"$T/m.out" 2>"$T/m.err" ||
	fail "GET /metrics: no answer: $(cat "$T/m.err")"
tls_count=$(awk '/^dualsite_register_attempts_total\{.*proxy="0".*result="tls"/ { s += $2 } END { print s + 0 }' "$T/m.out")
[ "$tls_count" -ge 3 ] || fail "dualsite_register_attempts_total{result=\"tls\"} is $tls_count, expected >= 3 (carol, dave, erin)"

# a call relayed to alice over her TLS connection
free_port CALL_PORT
start_sipp call "127.0.0.1:$P_X" -sf "$SIPP_DIR/call.xml" -s 7001 -d 1000 -m 1 \
	-p "$CALL_PORT" -timeout 15 -recv_timeout 8000
ev_wait 6 alice call-start site=SiteX
ev_wait 6 alice call-end site=SiteX reason=bye
wait_exit 6 "$(spid call)" || fail "sipp's call did not finish"
[ "$EXIT_RC" = 0 ] || fail "the call to alice over TLS failed (sipp rc $EXIT_RC): $(tail -n 5 "$T/call.err" 2>/dev/null)"

# TLS is set up at start only: a reload changing dualsite.tls-ca-file is refused
# (422, logged, saying a restart is needed) and nothing changes.
cp "$T/tls/good/ca.pem" "$T/ca2.pem"
sed -i "s|dualsite.tls-ca-file: $T/tls/good/ca.pem|dualsite.tls-ca-file: $T/ca2.pem|" "$T/ds.yaml"
grep -q "ca2.pem" "$T/ds.yaml" || fail "the test could not change dualsite.tls-ca-file in $T/ds.yaml"
perl "$NET_DIR/http.pl" "127.0.0.1:$CTL_PORT" POST /v1/reload >"$T/h.out" 2>&1
[ "$(head -n 1 "$T/h.out")" = 422 ] || fail "POST /v1/reload with a new tls-ca-file: $(cat "$T/h.out")"
grep -q "dualsite.tls-ca-file changed: TLS is set up at start only; restart dualsite" "$T/h.out" ||
	fail "422 without the TLS diagnostic: $(cat "$T/h.out")"
grep -q "reload: the configuration has errors; nothing changed" "$T/ds.err" ||
	fail "the refused reload was not logged: $(grep reload: "$T/ds.err" | tail -n 3)"

ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
no_binding KX 7001 || fail "after SIGTERM, SIP_X still holds $(bindings KX 7001)"
note "good certificate: registered and called over TLS; expired, wrong host, wrong CA: refused with reason tls"
