# Registration mode, binding by binding. The same story runs in dual mode, then in
# single mode: start at SiteX, SiteX killed (switchover to SiteY), SiteX restarted
# (auto-restore after the hold-down). At each step the registrars must hold:
#   step           dual              single
#   start          SIP_X and SIP_Y   SIP_X only
#   switchover     SIP_Y             SIP_Y (registered there before the switchover)
#   restore        SIP_X and SIP_Y   SIP_X only (SIP_Y un-registered)
# Backups never hold one (their primaries stay up, or the whole site is down).
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites

holds() {
	for k in $1; do wait_until 2 has_binding "$k" 7001 || fail "$mode/$2: $k holds no binding for 7001"; done
	for k in $3; do wait_until 2 no_binding "$k" 7001 || fail "$mode/$2: $k still holds $(bindings "$k" 7001)"; done
	note "$mode/$2: bindings at [$1], none at [$3]"
}

for mode in dual single; do
	gen_config "$T/$mode.yaml" dualsite.registration-mode=$mode dualsite.restore-hold-down=2
	start_dualsite "$T/$mode.yaml"
	ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
	ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
	if [ $mode = dual ]; then
		ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
		holds "KX KY" start "KXB KYB"
	else
		ev_absent_for 1.5 "single mode registers only at the current site" alice registered proxy=1
		holds "KX" start "KXB KY KYB"
	fi

	out=$(ds_now)
	site_signal KILL SiteX
	ev_wait "$(fcalc "3 + $BUDGET + $TOL + 1")" --after "$out" alice switchover kind=sip from=SiteX to=SiteY
	sw=$EV_T
	if [ $mode = single ]; then
		ev_wait 0 --after "$out" alice registered proxy=1 site=SiteY server=SIP_Y
		fle "$EV_T" "$sw" || fail "single mode: registered at SiteY (t=$EV_T) after the switchover (t=$sw); a move registers at the target first"
	fi
	holds "KY" switchover "KYB"

	kam_restart KX
	kam_restart KXB
	ev_wait "$(fcalc "$BUDGET + 2 + 2 + $TOL")" --after "$sw" alice restore kind=sip from=SiteY to=SiteX reason=auto-restore
	if [ $mode = dual ]; then
		holds "KX KY" restore "KXB KYB"
	else
		holds "KX" restore "KXB KY KYB"
	fi
	ds_stop
	[ "$DS_RC" = 0 ] || fail "$mode: dualsite run exited $DS_RC after SIGTERM, expected 0"
done
