# SIP over TCP: servers accept UDP and TCP, alice's transport-protocol is TCP. Her
# bindings come in over TCP at both sites, a call relayed to her over TCP completes,
# a call that a caller sends straight to run's SIP port over TCP completes too,
# a reload to TCP-only servers probes them over TCP (answers still reach the probes'
# listener), and an HA switch (SIGKILL of SIP_X) re-registers her at the backup over TCP.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SERVER_TRANSPORT="[udp, tcp]"
two_sites
gen_config "$T/ds.yaml" sipendpoint.transport-protocol=TCP
start_dualsite "$T/ds.yaml"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
for k in KX KY; do
	wait_until 2 has_binding $k 7001 || fail "$k holds no binding for 7001"
	case $(binding_socket $k 7001) in
	tcp:*) ;;
	*) fail "$k got alice's REGISTER on $(binding_socket $k 7001), expected a tcp: socket" ;;
	esac
done

free_port CALL_PORT
start_sipp call "127.0.0.1:$(kport KX)" -sf "$SIPP_DIR/call.xml" -s 7001 -d 1000 -m 1 \
	-p "$CALL_PORT" -timeout 15 -recv_timeout 8000
ev_wait 5 alice call-start site=SiteX
ev_wait 5 alice call-end site=SiteX reason=bye
wait_exit 5 "$(spid call)" || fail "sipp's call did not finish"
[ "$EXIT_RC" = 0 ] || fail "the call over TCP failed (sipp rc $EXIT_RC): $(tail -n 5 "$T/call.err" 2>/dev/null)"

# a call that opens its own TCP connection to run's SIP port (run's listener
# frames it and passes it on to libre, docs/run.md "SIP over TCP"): it rings,
# is answered, and the caller's BYE on that connection ends it
DS_PORT=$(sed -n 's/.*listening on .*:\([0-9]*\) (udp, tcp).*/\1/p' "$T/ds.err" | head -n 1)
[ -n "$DS_PORT" ] || fail "run's log names no SIP port"
free_port CALL2_PORT
start_sipp call2 "127.0.0.1:$DS_PORT" -t t1 -sf "$SIPP_DIR/call.xml" -s 7001 -d 500 -m 1 \
	-p "$CALL2_PORT" -timeout 15 -recv_timeout 8000
ev_wait 5 --after "$EV_T" alice call-start site=SiteX
ev_wait 5 --after "$EV_T" alice call-end site=SiteX reason=bye
wait_exit 5 "$(spid call2)" || fail "sipp's call straight to run over TCP did not finish"
[ "$EXIT_RC" = 0 ] || fail "the call straight to run over TCP failed (sipp rc $EXIT_RC): $(tail -n 5 "$T/call2.err" 2>/dev/null)"

# A reload making the servers TCP-only (a new server table: the probe rounds start
# again) probes them over TCP: their answers must still reach the probes' listener,
# made before the UAS checks' catch-all and kept across the restart, so the servers
# come up again and alice connects and registers on her new engine.
RELOAD_T=$(ds_now)
SERVER_TRANSPORT=tcp gen_config "$T/ds.yaml" sipendpoint.transport-protocol=TCP
kill -HUP "$DS_PID"
wait_until 10 grep -q "reload: done: 0 added, 0 removed, 1 changed" "$T/ds.err" ||
	fail "the reload to TCP-only servers did not finish: $(grep reload: "$T/ds.err" | tail -n 5)"
ev_wait 10 --after "$RELOAD_T" alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 --after "$RELOAD_T" alice registered proxy=0 site=SiteX server=SIP_X
grep -q "matched no request of ours" "$T/ds.err" &&
	fail "answers dropped after the reload: $(grep "matched no request" "$T/ds.err" | head -n 2)"
ev_absent_for 0 "the TCP probes are answered" --after "$RELOAD_T" alice ha-switch

kam_signal KILL KX
ev_wait "$(fcalc "$BUDGET + $TOL + 2")" --after "$SIG_T0" alice ha-switch kind=sip site=SiteX from=SIP_X to=SIP_X_B
check_between "ha-switch time (kill at $SIG_T0..$SIG_T1)" "$EV_T" "$SIG_T0" "$(fcalc "$SIG_T1 + $BUDGET + $TOL")"
ev_wait 3 --after "$SIG_T0" alice registered proxy=0 site=SiteX server=SIP_X_B
wait_until 2 has_binding KXB 7001 || fail "SIP_X_B holds no binding for 7001"
case $(binding_socket KXB 7001) in
tcp:*) ;;
*) fail "SIP_X_B got alice's REGISTER on $(binding_socket KXB 7001), expected tcp" ;;
esac
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
for k in KXB KY; do no_binding $k 7001 || fail "after SIGTERM, $k still holds $(bindings $k 7001)"; done
