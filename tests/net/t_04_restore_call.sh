# Restore: SiteX (preferred) is lost, alice switches to SiteY; a call reaches her
# through SiteY's registrar; SiteX comes back. After the hold-down the restore is
# deferred (restore-deferred, call-active) while the call lasts, the call is not torn
# down (the caller's BYE is answered 200), and the restore follows the call's end.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
hold=2
gen_config "$T/ds.yaml" dualsite.restore-hold-down=$hold dualsite.answer-delay=0.2
start_dualsite "$T/ds.yaml"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y

site_signal STOP SiteX
ev_wait 8 alice switchover kind=sip from=SiteX to=SiteY reason=server-loss
sw=$EV_T

# The call: through SIP_Y's registrar, held 6 s by the caller, then BYE.
call_ms=6000
free_port CALL_PORT
start_sipp call "127.0.0.1:$(kport KY)" -sf "$SIPP_DIR/call.xml" -s 7001 -d $call_ms -m 1 \
	-p "$CALL_PORT" -timeout 20 -recv_timeout 10000
ev_wait 3 --after "$sw" alice call-start site=SiteY
cs=$EV_T

site_signal CONT SiteX
up=$SIG_T0
# The preferred site is available again when alice holds a registration there.
ev_wait "$(fcalc "$BUDGET + 2")" --after "$up" alice registered proxy=0 site=SiteX
avail=$EV_T

ev_wait "$(fcalc "$hold + $TOL + 1")" --after "$up" alice restore-deferred kind=sip reason=call-active
check_between "restore-deferred after SiteX became available" "$(fcalc "$EV_T - $avail")" \
	"$hold" "$(fcalc "$hold + $TOL")"
ev_absent_for 0 "no restore during the call" --after "$sw" alice restore

ev_wait "$(fcalc "$call_ms / 1000 + 3")" --after "$cs" alice call-end site=SiteY reason=bye
ce=$EV_T
# The caller ended it after holding it: it lasted its whole length.
check_between "call length" "$(fcalc "$ce - $cs")" "$(fcalc "$call_ms / 1000 - $TOL")" \
	"$(fcalc "$call_ms / 1000 + 0.2 + $TOL")"
ev_wait 2 --after "$sw" alice restore kind=sip from=SiteY to=SiteX reason=auto-restore
check_between "restore after the call's end" "$(fcalc "$EV_T - $ce")" 0 "$TOL"
[ "$(ev_count --after "$sw" alice restore-deferred)" = 1 ] ||
	fail "restore-deferred must come once per call: $(ev_find --after "$sw" alice restore-deferred)"

wait_exit 5 "$(spid call)" || fail "sipp's call did not finish"
[ "$EXIT_RC" = 0 ] ||
	fail "sipp's call failed (rc $EXIT_RC): the call was torn down or the BYE not answered 200; $(tail -n 5 "$T/call.err" 2>/dev/null)"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
