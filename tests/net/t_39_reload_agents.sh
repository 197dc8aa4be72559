# Reload of `run --agent alice` (docs/behaviour.md §8): only the chosen agents are
# reloaded. The file gains a person (carol) and bob's option changes: neither is
# alice's, so the reload adds, removes and changes nothing and no REGISTER reaches
# the registrars (Kamailio without auth, rcv_requests_register). Then alice's own
# option changes: one agent changed, still no REGISTER (an engine option). A file
# whose error is in bob's option only is accepted (bob is not run, as at start);
# one that removes alice is refused and changes nothing. Last, during a call,
# alice's sites are swapped (a new engine on new servers): the call goes on to
# the caller's BYE, which the new engine reports as the call's end.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites -A NOAUTH

# mkcfg FILE [sed expressions...]: alice and bob, applied the expressions
mkcfg() {
	_f=$1
	shift
	WITH_BOB=1 gen_config "$T/base.yaml" sipendpoint.proxies.proxy0.reg_timeout=120 \
		sipendpoint.proxies.proxy1.reg_timeout=120
	cp "$T/base.yaml" "$_f"
	for _e in "$@"; do sed -i "$_e" "$_f"; done
}
total() {
	_n=0
	for _k in KX KXB KY KYB; do _n=$((_n + $(register_count "$_k"))); done
	echo "$_n"
}
total_not() { [ "$(total)" != "$1" ]; }
CTL=$T/ctl.sock
CFG=$T/ds.yaml
reload() {
	perl "$NET_DIR/http.pl" "$CTL" POST /v1/reload >"$T/h.out" 2>&1 || fail "POST /v1/reload: $(cat "$T/h.out")"
}

mkcfg "$CFG"
EV=$T/events.jsonl
: >"$EV"
${DS_WRAP:-} "$BIN" run -c "$CFG" --agent alice --events "$EV" --seed 1 --control "$CTL" >"$T/ds.out" 2>"$T/ds.err" &
DS_PID=$!
PIDS="$PIDS $DS_PID"
for p in 0 1; do ev_wait 8 alice registered proxy=$p; done
c0=$(total)

# bob's option and a new person: not alice's business
mkcfg "$CFG" 's/disaster-recovery.peer-site: SiteX}/disaster-recovery.peer-site: SiteX, disaster-recovery.timeout: 9}/'
cat >>"$CFG" <<EOF
  carol:
    tenant: Environment
    place: Place_7002
    sip: {user: "7003", password-env: DS_PW_ALICE}
EOF
reload
[ "$(head -n 1 "$T/h.out")" = 200 ] || fail "reload: $(cat "$T/h.out")"
grep -q '"added": 0, "removed": 0, "changed": 0' "$T/h.out" || fail "reload of others' changes: $(cat "$T/h.out")"
perl "$NET_DIR/http.pl" "$CTL" GET /v1/agents/carol >"$T/a.out" 2>&1
[ "$(head -n 1 "$T/a.out")" = 404 ] || fail "carol runs though only alice was chosen"

# alice's own option: one agent changed, no REGISTER
mkcfg "$CFG"
awk '{ print } /^  alice:$/ { print "    options:\n      interaction-workspace: {disaster-recovery.timeout: 7}" }' "$CFG" >"$T/x.yaml" && mv "$T/x.yaml" "$CFG"
reload
grep -q '"added": 0, "removed": 0, "changed": 1' "$T/h.out" || fail "reload of alice's option: $(cat "$T/h.out")"
wait_until 2 total_not "$c0" && fail "REGISTERs after reloads that touched nothing registered: $(($(total) - c0))"

# an error in bob's option only: accepted (bob is not run), as at start
mkcfg "$CFG" 's/disaster-recovery.peer-site: SiteX}/disaster-recovery.peer-site: SiteX, disaster-recovery.timeout: -1}/'
reload
[ "$(head -n 1 "$T/h.out")" = 200 ] || fail "an error about bob refused alice's reload: $(cat "$T/h.out")"
grep -q '"severity": "error"' "$T/h.out" || fail "bob's error not reported: $(cat "$T/h.out")"
grep -q '"changed": 1' "$T/h.out" || fail "alice's option back to the default is a change: $(cat "$T/h.out")"

# alice gone from the file: refused, nothing changes
mkcfg "$CFG" 's/^  alice:$/  alicia:/'
reload
[ "$(head -n 1 "$T/h.out")" = 422 ] || fail "a file without alice: $(cat "$T/h.out")"
grep -q 'alice' "$T/h.out" || fail "the 422 does not name alice: $(cat "$T/h.out")"
perl "$NET_DIR/http.pl" "$CTL" GET /v1/agents/alice >"$T/a.out" 2>&1
[ "$(head -n 1 "$T/a.out")" = 200 ] || fail "alice gone after a refused reload"
wait_until 2 total_not "$c0" && fail "REGISTERs after the reloads: $(($(total) - c0))"

# a call through SIP_X, held 5 s by the caller; meanwhile alice prefers SiteY
mkcfg "$CFG"
reload
free_port CALL_PORT
start_sipp call "127.0.0.1:$PORT_X" -sf "$SIPP_DIR/call.xml" -s 7001 -d 5000 -m 1 \
	-p "$CALL_PORT" -timeout 20 -recv_timeout 10000
ev_wait 5 alice call-start site=SiteX
cs=$EV_T
mkcfg "$CFG" 's/^    place: Place_7001$/    place: Place_7001\n    options:\n      interaction-workspace: {disaster-recovery.preferred-site: SiteY, disaster-recovery.peer-site: SiteX}/'
reload
grep -q '"changed": 1' "$T/h.out" || fail "reload of alice's sites: $(cat "$T/h.out")"
grep -q 'reload: agent alice: new servers or sites: its engine starts again on them (its call goes on)' "$T/ds.err" ||
	fail "alice was not restarted with her call kept: $(grep 'reload: agent' "$T/ds.err" | tail -n 3)"
ev_wait 10 --after "$cs" alice call-end reason=bye
wait_exit 10 "$(spid call)" || fail "sipp's call did not finish"
[ "$EXIT_RC" = 0 ] ||
	fail "the call was torn down by the reload (sipp rc $EXIT_RC): $(tail -n 5 "$T/call.err" 2>/dev/null)"

ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
