# Phone loss that heals: as t_05, but reregister_in_seconds (1) is shorter than
# wait-for-sipphone-timeout (3): the endpoint registers again in time and alice does
# NOT switch over; the registrar holds her binding again.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
check=0.5 wait=3 rereg=1
gen_config "$T/ds.yaml" dualsite.binding-check-interval=$check \
	disaster-recovery.wait-for-sipphone-timeout=$wait \
	sipendpoint.proxies.proxy0.reregister_in_seconds=$rereg
start_dualsite "$T/ds.yaml"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y

rm_t=$(ds_now)
ul_rm KX 7001
ev_wait "$(fcalc "$check + 1 + $TOL")" --after "$rm_t" alice registration-lost proxy=0 site=SiteX reason=removed
lost=$EV_T
ev_wait "$(fcalc "$rereg + 1 + $TOL")" --after "$lost" alice registered proxy=0 site=SiteX server=SIP_X
check_between "registered again after the loss" "$(fcalc "$EV_T - $lost")" "$rereg" "$(fcalc "$rereg + $TOL")"
wait_until 2 has_binding KX 7001 || fail "SIP_X holds no binding for 7001 after re-registering"
# Watch past the moment a phone-loss switchover would have come (lost + wait + TOL).
ev_absent_for "$(fcalc "$lost + $wait + $TOL + 1 - $(ds_now)")" "registration came back within wait-for-sipphone-timeout" \
	--after "$rm_t" alice switchover
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
