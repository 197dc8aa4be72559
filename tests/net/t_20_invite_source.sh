# Calls come only through the agent's SIP Servers (or SBCs), and a call's site is
# the site of the server it came through. An INVITE straight from 127.0.0.2 (no
# server there) gets 403, starts no call, and a second one adds no log line (one
# per 10 s); an INVITE from SIP_Y_B's address (127.0.0.3, SiteY) whose request URI
# claims dsp=0 (SiteX) is answered and is a call through SiteY; so is one from
# alice's proxy1 SBC (127.0.0.4, sipendpoint.sbc-register-address.peer: a sipp
# registrar there takes her proxy1 REGISTERs). Over TCP, the stranger still gets
# 403 and the INVITE from 127.0.0.3 is still a call through SiteY.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
free_port PORT_SBC
SIPP_IP=127.0.0.4 start_sipp sbc -sf "$SIPP_DIR/reg200_ours.xml" -p "$PORT_SBC" -key exp 60
gen_config "$T/sip.yaml" sipendpoint.sbc-register-address.peer=127.0.0.4 \
	sipendpoint.sbc-register-port.peer="$PORT_SBC"
# SIP_Y_B on its own loopback address (nothing listens there: it is just down)
sed "s/^  SIP_Y_B: {kind: sip, host: 127.0.0.1,/  SIP_Y_B: {kind: sip, host: 127.0.0.3,/" \
	"$T/sip.yaml" >"$T/ds.yaml"
grep -q "host: 127.0.0.3" "$T/ds.yaml" || fail "could not move SIP_Y_B to 127.0.0.3 in $T/ds.yaml"
start_dualsite "$T/ds.yaml"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
# listening on every interface (0.0.0.0): the calls go to its loopback address
ds_addr=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\) .*/\1/p' "$T/ds.err" | head -n 1 |
	sed 's/^0\.0\.0\.0:/127.0.0.1:/')
[ -n "$ds_addr" ] || fail "no listen address in dualsite's log"

refused() { grep -c "INVITE for '7001' from 127.0.0.2:[0-9]* refused (403)" "$T/ds.err"; }
for n in 1 2; do
	SIPP_IP=127.0.0.2 start_sipp "stranger$n" "$ds_addr" -sf "$SIPP_DIR/invite_dsp.xml" \
		-s 7001 -d 500 -m 1 -timeout 10 -trace_msg -message_file "$T/stranger$n.msg"
	wait_exit 10 "$(spid "stranger$n")" || fail "sipp from 127.0.0.2 did not finish"
	[ "$EXIT_RC" = 0 ] || fail "sipp from 127.0.0.2 failed (rc $EXIT_RC): $(tail -n 5 "$T/stranger$n.out")"
done
grep -q "^SIP/2.0 403 Forbidden" "$T/stranger1.msg" || fail "sipp from 127.0.0.2 got no 403"
ev_absent_for 0 "an INVITE from 127.0.0.2 is no call" alice call-start
[ "$(refused)" = 1 ] || fail "expected one 403 log line for two INVITEs within 10 s, got $(refused)"

SIPP_IP=127.0.0.3 start_sipp viay "$ds_addr" -sf "$SIPP_DIR/invite_dsp.xml" -s 7001 -d 1000 -m 1 \
	-timeout 15
ev_wait 5 alice call-start site=SiteY
ev_wait 5 alice call-end site=SiteY reason=bye
wait_exit 10 "$(spid viay)" || fail "sipp from 127.0.0.3 did not finish"
[ "$EXIT_RC" = 0 ] || fail "sipp from 127.0.0.3 failed (rc $EXIT_RC): $(tail -n 5 "$T/viay.out")"
grep -q "from 127.0.0.3:[0-9]* refused" "$T/ds.err" && fail "the INVITE from SIP_Y_B's address was refused"
ended=$EV_T

SIPP_IP=127.0.0.4 start_sipp viasbc "$ds_addr" -sf "$SIPP_DIR/invite_dsp.xml" -s 7001 -d 500 -m 1 \
	-timeout 15
ev_wait 5 --after "$ended" alice call-start site=SiteY
ev_wait 5 --after "$ended" alice call-end site=SiteY reason=bye
wait_exit 10 "$(spid viasbc)" || fail "sipp from the SBC's address did not finish"
[ "$EXIT_RC" = 0 ] || fail "sipp from 127.0.0.4 failed (rc $EXIT_RC): $(tail -n 5 "$T/viasbc.out")"
grep -q "from 127.0.0.4:[0-9]* refused" "$T/ds.err" && fail "the INVITE from the SBC was refused"
ended=$EV_T

# the same over TCP, each on a connection of its own to run's SIP port: run's
# framing listener passes the INVITE on to libre through a loopback relay, and
# the source that decides is still the caller's (docs/run.md "SIP over TCP")
SIPP_IP=127.0.0.2 start_sipp stranger_tcp "$ds_addr" -t t1 -sf "$SIPP_DIR/invite_dsp.xml" \
	-s 7001 -d 500 -m 1 -timeout 10 -trace_msg -message_file "$T/stranger_tcp.msg"
wait_exit 10 "$(spid stranger_tcp)" || fail "sipp from 127.0.0.2 over TCP did not finish"
[ "$EXIT_RC" = 0 ] || fail "sipp from 127.0.0.2 over TCP failed (rc $EXIT_RC): $(tail -n 5 "$T/stranger_tcp.out")"
grep -q "^SIP/2.0 403 Forbidden" "$T/stranger_tcp.msg" || fail "sipp from 127.0.0.2 over TCP got no 403"
ev_absent_for 0 "an INVITE from 127.0.0.2 over TCP is no call" --after "$ended" alice call-start
SIPP_IP=127.0.0.3 start_sipp viay_tcp "$ds_addr" -t t1 -sf "$SIPP_DIR/invite_dsp.xml" -s 7001 \
	-d 500 -m 1 -timeout 15
ev_wait 5 --after "$ended" alice call-start site=SiteY
ev_wait 5 --after "$ended" alice call-end site=SiteY reason=bye
wait_exit 10 "$(spid viay_tcp)" || fail "sipp from 127.0.0.3 over TCP did not finish"
[ "$EXIT_RC" = 0 ] || fail "sipp from 127.0.0.3 over TCP failed (rc $EXIT_RC): $(tail -n 5 "$T/viay_tcp.out")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
