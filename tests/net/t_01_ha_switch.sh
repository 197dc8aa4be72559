# HA inside a site: SIGKILL of the primary in use moves the agent to the backup at once
# (ha-switch within the probe budget), and it registers at the backup.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
gen_config "$T/ds.yaml"
start_dualsite "$T/ds.yaml"

ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
wait_until 2 has_binding KX 7001 || fail "SIP_X holds no binding for 7001 after 'registered'"

kam_signal KILL KX
kill_t=$SIG_T0
# Over UDP a killed server gets ICMP port unreachable, so detection is usually fast;
# the bound is the budget for a silent server plus the tolerance.
ev_wait "$(fcalc "$BUDGET + $TOL + 2")" --after "$kill_t" alice ha-switch kind=sip site=SiteX from=SIP_X to=SIP_X_B
check_between "ha-switch time (kill at $SIG_T0..$SIG_T1)" "$EV_T" "$SIG_T0" "$(fcalc "$SIG_T1 + $BUDGET + $TOL")"
ha_t=$EV_T

# No timeout applies to an HA switch, and the site does not change.
ev_absent_for 0 "HA switch must not be a switchover" alice switchover
ev_wait 3 --after "$kill_t" alice registered proxy=0 site=SiteX server=SIP_X_B
check_between "registered at the backup after the ha-switch" "$(fcalc "$EV_T - $ha_t")" 0 \
	"$(fcalc "1 + $TOL")"
wait_until 2 has_binding KXB 7001 || fail "SIP_X_B holds no binding for 7001 after 'registered'"
# The peer site is untouched.
has_binding KY 7001 || fail "SIP_Y lost the binding of 7001 during an HA switch at SiteX"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
