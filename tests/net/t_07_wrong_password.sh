# Wrong password: every registrar answers 401 twice (challenge, then a failed answer).
# No registration was ever held: the endpoint reports registration-failed
# (rejected:401) at both proxies, once each (never registration-lost), logs a line
# that names the likely cause (the SIP user and password), and does not storm: at most 2 REGISTERs (request + one answered challenge) per
# attempt, one attempt per reregister_in_seconds.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SIP_PASSWORD=right-$$
export DS_PW_ALICE=wrong-$$
two_sites
rereg=1
gen_config "$T/ds.yaml" sipendpoint.proxies.proxy0.reregister_in_seconds=$rereg \
	sipendpoint.proxies.proxy1.reregister_in_seconds=$rereg
start_dualsite "$T/ds.yaml"
ev_wait 5 alice registration-failed proxy=0 site=SiteX reason=rejected:401
ev_wait 5 alice registration-failed proxy=1 site=SiteY reason=rejected:401
ev_absent_for 0 "nothing registers with a wrong password" alice registered
# With no registration anywhere, no site is available for sip.
ev_absent_for 0 "no site is available" alice connected kind=sip

grep 'alice' "$T/ds.err" | grep '401' | grep -q 'check the SIP user and password' ||
	fail "no log line on stderr names alice, the 401 rejection and its likely cause: $(grep 'alice' "$T/ds.err" | grep '401')"
note "log: $(grep 'alice' "$T/ds.err" | grep '401' | head -n 1)"

# Watch a window of several retry periods, then count what SIP_X received.
window=5
ev_absent_for "$window" "a rejected endpoint must not register" alice registered
n=$(register_count KX)
t=$(ds_now)
attempts=$(awk -v t="$t" -v r="$rereg" 'BEGIN { printf "%d", t / r + 1 }')
note "SIP_X saw $n REGISTERs in $t s (at most $attempts attempts at one per $rereg s)"
[ "$n" -ge 4 ] || fail "SIP_X saw $n REGISTERs in $t s: the endpoint should retry every $rereg s"
[ "$n" -le $((2 * attempts)) ] ||
	fail "SIP_X saw $n REGISTERs in $t s, more than 2 per attempt x $attempts attempts: a REGISTER storm"
# Each retry is again the same rejection: one event per proxy, and nothing was lost.
for p in 0 1; do
	[ "$(ev_count alice registration-failed proxy=$p)" = 1 ] ||
		fail "registration-failed is said once per reason, got for proxy $p: $(ev_find alice registration-failed proxy=$p)"
done
ev_absent_for 0 "no registration was held, none was lost" alice registration-lost
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
