# Two agents in one process, preferring opposite sites: alice (SiteX) and bob (SiteY,
# so his proxy0 is SiteY and proxy1 SiteX). SiteX falls silent: alice switches over to
# SiteY; bob only loses his proxy1 registration (timeout) and stays connected to SiteY.
# SiteX returns: bob registers at his proxy1 again, alice restores; bob never moves.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
WITH_BOB=1 gen_config "$T/ds.yaml"
start_dualsite "$T/ds.yaml"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 bob connected kind=sip site=SiteY server=SIP_Y
ev_wait 5 bob registered proxy=0 site=SiteY server=SIP_Y
ev_wait 5 bob registered proxy=1 site=SiteX server=SIP_X
for k in KX KY; do
	for aor in 7001 7002; do wait_until 2 has_binding $k $aor || fail "$k holds no binding for $aor"; done
done

wait_until 2 mid_round || fail "no mid-round instant found"
site_signal STOP SiteX
ev_wait "$(fcalc "$BUDGET + $TOL + 1")" --after "$SIG_T0" bob registration-lost proxy=1 site=SiteX reason=timeout
check_between "bob's proxy1 loss (outage at $SIG_T0..$SIG_T1)" "$EV_T" "$SIG_T0" "$(fcalc "$SIG_T1 + $BUDGET + $TOL")"
ev_wait "$(fcalc "3 + $BUDGET + $TOL + 1")" --after "$SIG_T0" alice switchover kind=sip from=SiteX to=SiteY reason=server-loss
ev_absent_for 0 "bob's current site is up" bob connection-lost
ev_absent_for 0 "bob's current site is up" bob switchover

wait_until 2 mid_round || fail "no mid-round instant found"
site_signal CONT SiteX
up=$SIG_T0
ev_wait "$(fcalc "$BUDGET + 2")" --after "$up" bob registered proxy=1 site=SiteX
ev_wait "$(fcalc "$BUDGET + 2 + 2 + $TOL")" --after "$up" alice restore kind=sip from=SiteY to=SiteX reason=auto-restore
for ev in switchover restore ha-switch connection-lost; do
	ev_absent_for 0 "bob stays at SiteY" bob $ev
done
for aor in 7001 7002; do
	wait_until 2 has_binding KX $aor || fail "SIP_X holds no binding for $aor after SiteX returned"
done
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
for k in KX KY; do
	for aor in 7001 7002; do no_binding $k $aor || fail "after SIGTERM, $k still holds $(bindings $k $aor)"; done
done
