# An answered call echoes the caller's RTP (docs/behaviour.md §7). sipp calls alice
# through SiteX's registrar with an SDP whose audio is where rtp_peer.py listens; the
# answer's media address is a socket of run (RTP and RTCP ports); rtp_peer.py gets each
# of its 50 packets back (payload, payload type, timestamp, marker; run's own SSRC and
# sequence), and nothing for a non-RTP datagram, RTCP on the RTP port, or a packet from
# another source. The call-end log line and /metrics count 50 received and 50 sent,
# and the socket is gone when the caller's BYE ends the call. A second call, through
# SiteX, ends when SiteX is lost (site-lost) and a third, through SiteY, when run
# stops: each logs its counts and frees its socket. First, with --advertise HOST:PORT,
# the SDP names HOST and the RTP port, not PORT.
. "$(dirname "$0")/lib.sh"
net_init "$@"
command -v python3 >/dev/null 2>&1 || { echo "$TEST_NAME: python3 not found" >&2; exit 2; }
two_sites
gen_config "$T/ds.yaml"
answered_ge() { [ "$(grep -c "alice: call answered (200 OK), media at" "$T/ds.err")" -ge "$1" ]; }
# media_addr N: the media address of the N-th answer, from run's log.
media_addr() {
	sed -n 's/.*alice: call answered (200 OK), media at \([0-9.]*:[0-9]*\) (RTP echo).*/\1/p' \
		"$T/ds.err" | sed -n "${1}p"
}
# run_holds PORT: a UDP socket of run is bound to PORT.
run_holds() { ss -Hulnp "sport = :$1" 2>/dev/null | grep -q "pid=$DS_PID,"; }
run_lets_go() { ! run_holds "$1"; }
# call NAME REGISTRAR HOLD_MS: a sipp call to alice whose media is at 127.0.0.1:$RTP;
# waits for run's answer and sets MEDIA (its media address) and MPORT.
ncalls=0
call() {
	free_port RTP
	start_sipp "$1" "127.0.0.1:$(kport "$2")" -sf "$SIPP_DIR/call_rtp.xml" -s 7001 \
		-key rtpport "$RTP" -d "$3" -m 1 -timeout 60 -recv_timeout 60000
	ncalls=$((ncalls + 1))
	wait_until 5 answered_ge "$ncalls" || fail "run did not answer call $ncalls ($1)"
	MEDIA=$(media_addr "$ncalls")
	MPORT=${MEDIA##*:}
	case $MEDIA in
	127.0.0.1:*) ;;
	*) fail "call $ncalls: media address '$MEDIA', expected 127.0.0.1:PORT (the address that reaches Kamailio)" ;;
	esac
	run_holds "$MPORT" || fail "call $ncalls: no socket of run on the SDP's media port $MPORT"
	run_holds "$((MPORT + 1))" || fail "call $ncalls: no RTCP socket of run on $((MPORT + 1))"
}
# echo_check COUNT: rtp_peer.py's packets all come back, and nothing else.
echo_check() {
	python3 "$NET_DIR/rtp_peer.py" "$RTP" "$MEDIA" "$1" 10 >"$T/peer$ncalls.out" 2>&1 ||
		fail "call $ncalls: the echo is wrong: $(cat "$T/peer$ncalls.out")"
	note "call $ncalls: $(head -n 1 "$T/peer$ncalls.out")"
}
# ended_line WHY RX TX: run logged the call's end with its counts.
ended_line() {
	grep -q "alice: call ended ($1), RTP packets received $2, sent $3 (1 from a source other than 127.0.0.1:$RTP ignored)$" "$T/ds.err" ||
		fail "no line 'call ended ($1), RTP packets received $2, sent $3 (1 ... ignored)'; got: $(grep 'call ended' "$T/ds.err")"
}

# 0. With --advertise HOST:PORT, the SDP carries HOST and the RTP port (PORT is SIP's).
# An INVITE straight to run from the servers' address, its URI naming SiteX.
start_dualsite "$T/ds.yaml" --advertise 198.51.100.7:5999
ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
ds_addr=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\) .*/\1/p' "$T/ds.err" | head -n 1 |
	sed 's/^0\.0\.0\.0:/127.0.0.1:/')
[ -n "$ds_addr" ] || fail "no listen address in dualsite's log"
start_sipp adv "$ds_addr" -sf "$SIPP_DIR/invite_dsp.xml" -s 7001 -d 2000 -m 1 -timeout 15
wait_until 5 answered_ge 1 || fail "run did not answer the INVITE sent straight to it"
MEDIA=$(media_addr 1)
case $MEDIA in
198.51.100.7:5999) fail "with --advertise 198.51.100.7:5999 the SDP's media port is 5999, SIP's" ;;
198.51.100.7:*) run_holds "${MEDIA##*:}" || fail "no socket of run on the SDP's media port ${MEDIA##*:}" ;;
*) fail "with --advertise 198.51.100.7:5999 the media address is '$MEDIA', expected 198.51.100.7:PORT" ;;
esac
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run (--advertise) exited $DS_RC after SIGTERM, expected 0"

free_port CPORT
CTL=127.0.0.1:$CPORT
start_dualsite "$T/ds.yaml" --control "$CTL"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y

# 1. ended by the caller's BYE
call bye KX 20000   # held long enough for a late start of the peer on a loaded machine
echo_check 50
ev_wait 30 alice call-end site=SiteX reason=bye
ended_line "by the caller" 50 50
wait_until 2 run_lets_go "$MPORT" || fail "run still holds the media port $MPORT after the call's end"
wait_exit 5 "$(spid bye)" || fail "sipp's call did not finish"
[ "$EXIT_RC" = 0 ] || fail "sipp's call failed (rc $EXIT_RC): $(tail -n 5 "$T/bye.err" 2>/dev/null)"
perl "$NET_DIR/http.pl" "$CTL" GET /metrics >"$T/m.out" 2>"$T/m.err" ||
	fail "GET /metrics: no answer: $(cat "$T/m.err")"
for dir in received sent; do
	v=$(awk -v s="dualsite_rtp_packets_total{direction=\"$dir\"}" '$1 == s { print $2 }' "$T/m.out")
	[ "$v" = 50 ] || fail "dualsite_rtp_packets_total{direction=\"$dir\"} = '$v', expected 50"
done
ce=$EV_T

# 2. ended by the loss of its site
call lost KX 60000
ev_wait 5 --after "$ce" alice call-start site=SiteX
echo_check 5
site_signal KILL SiteX
ev_wait "$(fcalc "$BUDGET + $TOL + 2")" --after "$ce" alice call-end site=SiteX reason=site-lost
ended_line "its site was lost" 5 5
wait_until 2 run_lets_go "$MPORT" || fail "run still holds the media port $MPORT after site-lost"
ce=$EV_T

# 3. ended by run's clean stop
call stop KY 60000
ev_wait 5 --after "$ce" alice call-start site=SiteY
echo_check 5
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
ended_line "clean stop" 5 5
