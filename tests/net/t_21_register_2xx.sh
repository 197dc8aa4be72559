# What a registrar's 2xx means (RFC 3261 §10.2.4, docs/run.md): it lists the bindings
# it holds. SIP_X (sipp) answers 200 listing another binding but not ours; SIP_Y
# (sipp) answers 200 listing ours with expires=0. Neither made a binding: no
# `registered`, the attempt is reported with reason `removed` (not `rejected:200`)
# and a log line says why, and the endpoint keeps trying every reregister_in_seconds.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
start_sipp regx -sf "$SIPP_DIR/reg200_nocontact.xml" -p "$PORT_X"
start_sipp regy -sf "$SIPP_DIR/reg200_ours.xml" -p "$PORT_Y" -key exp 0
start_kamailio KXB "$PORT_XB" SiteX
start_kamailio KYB "$PORT_YB" SiteY
gen_config "$T/ds.yaml"
start_dualsite "$T/ds.yaml"

# registration-lost today; registration-failed where no registration was held
# (docs/behaviour.md §5): either names the reason
reg_not_made() {
	ev_has alice registration-lost proxy="$1" reason=removed ||
		ev_has alice registration-failed proxy="$1" reason=removed
}
wait_until 5 reg_not_made 0 || fail "no registration-lost/failed (removed) at proxy0: $(ev_find alice registration-lost) $(ev_find alice registration-failed)"
wait_until 5 reg_not_made 1 || fail "no registration-lost/failed (removed) at proxy1"
grep -q "alice: proxy0 REGISTER to SIP_X answered 200 without our Contact among its bindings: not registered" "$T/ds.err" ||
	fail "no log line saying SIP_X's 200 lacked our Contact: $(grep 'proxy0 REGISTER' "$T/ds.err" | tail -n 3)"
grep -q "alice: proxy1 REGISTER to SIP_Y answered 200 granting expires=0 to our Contact: not registered" "$T/ds.err" ||
	fail "no log line saying SIP_Y's 200 granted expires=0: $(grep 'proxy1 REGISTER' "$T/ds.err" | tail -n 3)"
# and it tries again: a second REGISTER reaches each (reregister_in_seconds 2)
reg_count() { grep -c '^REGISTER ' "$T/$1.log" 2>/dev/null || echo 0; }
two() { [ "$(reg_count "$1")" -ge 2 ]; }
wait_until 5 two regx || fail "SIP_X got $(reg_count regx) REGISTER(s), expected a retry"
wait_until 5 two regy || fail "SIP_Y got $(reg_count regy) REGISTER(s), expected a retry"
ev_absent_for 0 "a 2xx that holds no binding of ours is no registration" alice registered
ev_absent_for 0 "no connection without a registration" alice connected kind=sip
grep -q 'rejected:200' "$EV" && fail "a 2xx reported as rejected:200: $(grep 'rejected:200' "$EV")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
