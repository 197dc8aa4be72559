# Drain SiteX under a call (docs/behaviour.md §8): alice is on a sipp call through
# SIP_X, carol is idle; `dualsite ctl drain SiteX` moves carol to SiteY at once
# (switchover, reason drain), defers alice (restore-deferred, call-active) until the
# caller's BYE, then moves her; the call is never torn down. While drained, no
# restore and no manual restore reaches SiteX; undrain brings both home after the
# hold-down counted from the undrain.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
hold=2
gen_config "$T/ds.yaml" dualsite.restore-hold-down=$hold
cat >>"$T/ds.yaml" <<EOC
  carol:
    tenant: Environment
    place: Place_7002
    sip: {user: "7002", password-env: DS_PW_ALICE}
EOC
"$BIN" validate -c "$T/ds.yaml" >"$T/validate.out" 2>&1 || fail "carol's configuration: $(cat "$T/validate.out")"
SOCK=$T/ctl.sock
start_dualsite "$T/ds.yaml" --control "$SOCK"
for a in alice carol; do
	ev_wait 5 $a connected kind=sip site=SiteX server=SIP_X
	ev_wait 5 $a registered proxy=1 site=SiteY server=SIP_Y
done
ctl() { "$BIN" ctl --control "$SOCK" "$@" >"$T/ctl.out" 2>"$T/ctl.err"; CTL_RC=$?; }

call_ms=5000
free_port CALL_PORT
start_sipp call "127.0.0.1:$(kport KX)" -sf "$SIPP_DIR/call.xml" -s 7001 -d $call_ms -m 1 \
	-p "$CALL_PORT" -timeout 20 -recv_timeout 10000
ev_wait 3 alice call-start site=SiteX
cs=$EV_T

d0=$(ds_now)
ctl drain SiteX
d1=$(ds_now)
[ "$CTL_RC" = 0 ] || fail "ctl drain SiteX exited $CTL_RC: $(cat "$T/ctl.err")"
grep -qx "SiteX drained: 2 agents on it move off as their calls end" "$T/ctl.out" ||
	fail "ctl drain: $(cat "$T/ctl.out")"

ev_wait 2 --after "$d0" carol switchover kind=sip from=SiteX to=SiteY reason=drain
check_between "carol's move after the drain" "$EV_T" "$d0" "$(fcalc "$d1 + $TOL")"
ev_wait 2 --after "$d0" alice restore-deferred kind=sip reason=call-active
check_between "alice's deferral after the drain" "$EV_T" "$d0" "$(fcalc "$d1 + $TOL")"

# During the call alice stays; a manual restore to the drained site is refused.
ctl restore carol
[ "$CTL_RC" = 1 ] || fail "ctl restore carol while SiteX is drained: exit $CTL_RC, expected 1"
grep -q "SiteX is drained" "$T/ctl.err" || fail "the refusal does not say why: $(cat "$T/ctl.err")"
ctl status
grep -q "^drained: SiteX " "$T/ctl.out" || fail "ctl status does not show the drain: $(cat "$T/ctl.out")"
grep -Eq "^alice +SiteX +on SiteX +sip connected SiteX \(SIP_X\)$" "$T/ctl.out" ||
	fail "ctl status: alice should be listed as on her call at SiteX: $(cat "$T/ctl.out")"

ev_wait "$(fcalc "$call_ms / 1000 + 3")" --after "$cs" alice call-end site=SiteX reason=bye
ce=$EV_T
ev_absent_for 0 "alice must not move during her call" --after "$d0" --before "$ce" alice switchover
ev_wait 2 --after "$d0" alice switchover kind=sip from=SiteX to=SiteY reason=drain
check_between "alice's move after the BYE" "$(fcalc "$EV_T - $ce")" 0 "$TOL"
wait_exit 5 "$(spid call)" || fail "sipp's call did not finish"
[ "$EXIT_RC" = 0 ] || fail "sipp's call failed (rc $EXIT_RC): torn down, or the BYE not answered 200"

# Drained: SiteX is up and registered, yet no restore after the hold-down.
ev_absent_for "$(fcalc "$hold + 1")" "no restore to a drained site" --after "$d0" alice restore
ev_absent_for 0 "no restore to a drained site" --after "$d0" carol restore

u0=$(ds_now)
ctl undrain SiteX
[ "$CTL_RC" = 0 ] || fail "ctl undrain SiteX exited $CTL_RC: $(cat "$T/ctl.err")"
for a in alice carol; do
	ev_wait "$(fcalc "$hold + 2")" --after "$u0" $a restore kind=sip from=SiteY to=SiteX reason=auto-restore
	check_between "$a's restore after the undrain" "$(fcalc "$EV_T - $u0")" "$hold" "$(fcalc "$hold + $TOL")"
done

ctl drain SiteQ
[ "$CTL_RC" = 1 ] || fail "ctl drain SiteQ: exit $CTL_RC, expected 1"
grep -q "no site 'SiteQ'" "$T/ctl.err" || fail "ctl drain SiteQ: $(cat "$T/ctl.err")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
