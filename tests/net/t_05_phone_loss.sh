# Phone loss: with binding checks on, the registrar of the current site drops alice's
# binding (kamcmd ul.rm); the binding check finds it gone (registration-lost, removed)
# and, as it does not come back within wait-for-sipphone-timeout (the next attempt is
# reregister_in_seconds away, longer than that), alice switches over (phone-loss).
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
check=0.5 wait=3
gen_config "$T/ds.yaml" dualsite.binding-check-interval=$check \
	disaster-recovery.wait-for-sipphone-timeout=$wait \
	sipendpoint.proxies.proxy0.reregister_in_seconds=20
start_dualsite "$T/ds.yaml"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
wait_until 2 has_binding KX 7001 || fail "SIP_X holds no binding for 7001 after 'registered'"

rm_t=$(ds_now)
ul_rm KX 7001
rm_t1=$(ds_now)
note "binding of 7001 removed at SIP_X at t=$rm_t..$rm_t1"
# register-timeout (1 s) bounds the check's answer.
ev_wait "$(fcalc "$check + 1 + $TOL")" --after "$rm_t" alice registration-lost proxy=0 site=SiteX reason=removed
lost=$EV_T
check_between "registration-lost time" "$lost" "$rm_t" "$(fcalc "$rm_t1 + $check + $TOL")"

ev_wait "$(fcalc "$wait + $TOL + 1")" --after "$rm_t" alice switchover kind=sip from=SiteX to=SiteY reason=phone-loss
check_between "phone-loss switchover after registration-lost" "$(fcalc "$EV_T - $lost")" "$wait" \
	"$(fcalc "$wait + $TOL")"
# SiteX's SIP Servers never went down.
ev_absent_for 0 "the SIP Servers stayed up" alice connection-lost
has_binding KY 7001 || fail "SIP_Y holds no binding for 7001 after the phone-loss switchover"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
