# Reload (docs/behaviour.md §8), counted at the registrars: four Kamailio registrars
# without digest auth, so that each REGISTER that reaches one is one request
# (kamcmd stats: rcv_requests_register). alice, bob and carol run; the file is
# rewritten and POST /v1/reload (`dualsite ctl reload`) applies it: bob gets a new
# option value (disaster-recovery.timeout), dave is added, carol removed. Exactly
# dave's two REGISTERs and carol's two un-REGISTERs reach the registrars (SIP_X
# and SIP_Y); alice (untouched) and bob (an engine option) send none, and no
# event of theirs follows. A file with an error changes nothing, by SIGHUP (the
# errors logged) and by POST (422 with the diagnostic); the daemon keeps running.
# So does one that brings TLS in (alice's transport): TLS is set up at start only.
# Then SIGHUP applies a new SIP user for alice (7001 -> 7011): her old binding is
# removed, the new one registered, her connection untouched. Last, dave's sites
# are swapped (a change of servers): his old bindings are removed and he
# registers and connects again, at SiteY first.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites -A NOAUTH
REGS="KX KXB KY KYB"

# mkcfg FILE [carol] [dave] [bob-timeout=N] [alice-user=U] [broken]: gen_config's
# alice and bob (bob prefers SiteY), plus the persons named; registrations of 120 s
# (refreshed at 60 s: none during the test).
mkcfg() {
	_f=$1
	shift
	WITH_BOB=1 gen_config "$T/base.yaml" sipendpoint.proxies.proxy0.reg_timeout=120 \
		sipendpoint.proxies.proxy1.reg_timeout=120
	_places="  Place_7003:
    dns:
      - {switch: SW_X, number: \"7003\"}
      - {switch: SW_Y, number: \"7003\"}
  Place_7004:
    dns:
      - {switch: SW_X, number: \"7004\"}
      - {switch: SW_Y, number: \"7004\"}"
	awk -v places="$_places" '{ print } /^places:$/ { print places }' "$T/base.yaml" >"$_f"
	for _a in "$@"; do
		case $_a in
		carol | dave)
			_u=7003
			[ "$_a" = dave ] && _u=7004
			printf '  %s:\n    tenant: Environment\n    place: Place_%s\n    sip: {user: "%s", password-env: DS_PW_ALICE}\n' \
				"$_a" "$_u" "$_u" >>"$_f" ;;
		bob-timeout=*)
			sed -i "s/disaster-recovery.peer-site: SiteX}/disaster-recovery.peer-site: SiteX, disaster-recovery.timeout: ${_a#*=}}/" "$_f" ;;
		dave-prefers-y)
			awk '{ print } /^  dave:$/ { print "    options:\n      interaction-workspace: {disaster-recovery.preferred-site: SiteY, disaster-recovery.peer-site: SiteX}" }' \
				"$_f" >"$_f.x" && mv "$_f.x" "$_f" ;;
		alice-tls)
			sed -i 's/transport: udp,/transport: [udp, tls],/' "$_f"
			awk '{ print } /^  alice:$/ { print "    options:\n      interaction-workspace: {sipendpoint.transport-protocol: TLS}" }' \
				"$_f" >"$_f.x" && mv "$_f.x" "$_f" ;;
		alice-user=*)
			sed -i "s/sip: {user: \"7001\"/sip: {user: \"${_a#*=}\"/" "$_f" ;;
		broken)
			sed -i 's/disaster-recovery.timeout=3/disaster-recovery.timeout=-5/; s/disaster-recovery.timeout: 3$/disaster-recovery.timeout: -5/' "$_f" ;;
		esac
	done
}

counts() {
	for _k in $REGS; do printf '%s=%s ' "$_k" "$(register_count "$_k")"; done
}
# deltas BEFORE: "KX=n KXB=n KY=n KYB=n", each registrar's REGISTERs since BEFORE
deltas() {
	_out=""
	for _k in $REGS; do
		_b=$(printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$_k=//p")
		_out="$_out$_k=$(($(register_count "$_k") - _b)) "
	done
	printf '%s' "${_out% }"
}
deltas_are() { [ "$(deltas "$1")" = "$2" ]; }
deltas_not() { [ "$(deltas "$1")" != "$2" ]; }

CTL=$T/ctl.sock
CFG=$T/ds.yaml
mkcfg "$CFG" carol
"$BIN" validate -c "$CFG" >"$T/v.out" 2>&1 || fail "validate rejects $CFG: $(cat "$T/v.out")"
start_dualsite "$CFG" --control "$CTL"
for a in alice bob carol; do
	for p in 0 1; do ev_wait 8 $a registered proxy=$p; done
done
for k in KX KY; do
	for aor in 7001 7002 7003; do wait_until 3 has_binding $k $aor || fail "$k holds no binding for $aor"; done
done
c0=$(counts)
wait_until 1 deltas_not "$c0" "KX=0 KXB=0 KY=0 KYB=0" && fail "REGISTERs before any reload: $(deltas "$c0")"
ev_lines0=$(wc -l <"$EV")

# POST /v1/reload: bob's option, dave added, carol removed
mkcfg "$CFG" dave bob-timeout=5
"$BIN" ctl --control "$CTL" reload >"$T/ctl.out" 2>"$T/ctl.err" ||
	fail "ctl reload exited $?: $(cat "$T/ctl.err")"
grep -q 'reloaded: 1 agent(s) added, 1 removed, 1 changed' "$T/ctl.out" ||
	fail "ctl reload printed: $(cat "$T/ctl.out")"
ev_wait 5 dave registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 dave registered proxy=1 site=SiteY server=SIP_Y
for k in KX KY; do
	wait_until 5 no_binding $k 7003 || fail "carol (removed) still bound at $k: $(bindings $k 7003)"
	has_binding $k 7004 || fail "dave (added) not bound at $k"
	for aor in 7001 7002; do has_binding $k $aor || fail "$k lost the binding of $aor"; done
done
# dave's REGISTER and carol's un-REGISTER at each of SIP_X and SIP_Y, nothing else
want="KX=2 KXB=0 KY=2 KYB=0"
wait_until 5 deltas_are "$c0" "$want" || fail "REGISTERs after the reload: $(deltas "$c0"), expected $want"
wait_until 3 deltas_not "$c0" "$want" && fail "more REGISTERs after the reload: $(deltas "$c0"), expected $want"
tail -n +"$((ev_lines0 + 1))" "$EV" >"$T/ev.after"
grep -E '"agent"[ ]*:[ ]*"(alice|bob)"' "$T/ev.after" &&
	fail "alice or bob had events after the reload (they should be untouched)"
grep -q 'reload: agent bob: new option values, taken in place' "$T/ds.err" ||
	fail "no log line for bob's new option value"
perl "$NET_DIR/http.pl" "$CTL" GET /v1/agents/carol >"$T/h.out" 2>&1
[ "$(head -n 1 "$T/h.out")" = 404 ] || fail "carol still an agent of the run: $(cat "$T/h.out")"

# A file with an error: SIGHUP logs it and changes nothing; POST answers 422.
c1=$(counts)
cp "$CFG" "$T/good.yaml"
mkcfg "$CFG" carol broken
kill -HUP "$DS_PID"
wait_until 5 grep -q 'reload: the configuration has errors; nothing changed' "$T/ds.err" ||
	fail "SIGHUP with a broken file: no log line; stderr: $(tail -n 5 "$T/ds.err")"
grep -q 'reload: .*ds.yaml:[0-9]*:[0-9]*: error: .*timeout' "$T/ds.err" ||
	fail "SIGHUP: the error was not logged with its place: $(grep reload: "$T/ds.err" | tail -n 5)"
perl "$NET_DIR/http.pl" "$CTL" POST /v1/reload >"$T/h.out" 2>&1
[ "$(head -n 1 "$T/h.out")" = 422 ] || fail "POST /v1/reload of a broken file: $(cat "$T/h.out")"
grep -q '"severity": "error"' "$T/h.out" && grep -q 'timeout' "$T/h.out" ||
	fail "422 without the diagnostic: $(cat "$T/h.out")"
"$BIN" ctl --control "$CTL" reload >"$T/ctl.out" 2>"$T/ctl.err" && fail "ctl reload of a broken file exited 0"
grep -q 'error: .*timeout' "$T/ctl.err" || fail "ctl reload did not print the error: $(cat "$T/ctl.err")"
wait_until 2 deltas_not "$c1" "KX=0 KXB=0 KY=0 KYB=0" && fail "REGISTERs after a refused reload: $(deltas "$c1")"
ds_alive || fail "dualsite exited after a refused reload"
perl "$NET_DIR/http.pl" "$CTL" GET /v1/agents/carol >"$T/h.out" 2>&1
[ "$(head -n 1 "$T/h.out")" = 404 ] || fail "a refused reload added carol: $(head -n 1 "$T/h.out")"

# TLS is set up at start only: a reload that brings it in (alice's transport) is
# refused, saying a restart is needed; nothing changes.
mkcfg "$CFG" carol alice-tls
perl "$NET_DIR/http.pl" "$CTL" POST /v1/reload >"$T/h.out" 2>&1
[ "$(head -n 1 "$T/h.out")" = 422 ] || fail "POST /v1/reload bringing TLS in: $(cat "$T/h.out")"
grep -q "agent 'alice' uses TLS .*restart dualsite to bring TLS in" "$T/h.out" ||
	fail "422 without the TLS diagnostic: $(cat "$T/h.out")"
grep -q "reload: .*persons/alice: agent 'alice' uses TLS" "$T/ds.err" ||
	fail "the refused TLS reload was not logged: $(grep reload: "$T/ds.err" | tail -n 3)"
wait_until 2 deltas_not "$c1" "KX=0 KXB=0 KY=0 KYB=0" && fail "REGISTERs after a refused TLS reload: $(deltas "$c1")"
ds_alive || fail "dualsite exited after a refused TLS reload"

# SIGHUP applies: alice's new SIP user (7011) re-registers her, nothing else moves.
c2=$(counts)
ev_lines1=$(wc -l <"$EV")
mkcfg "$CFG" dave bob-timeout=5 alice-user=7011
kill -HUP "$DS_PID"
wait_until 5 grep -q 'reload: done: 0 added, 0 removed, 1 changed' "$T/ds.err" ||
	fail "SIGHUP: no reload; stderr: $(grep reload: "$T/ds.err" | tail -n 5)"
for k in KX KY; do
	wait_until 5 has_binding $k 7011 || fail "alice's new SIP user 7011 not bound at $k"
	wait_until 5 no_binding $k 7001 || fail "alice's old SIP user 7001 still bound at $k"
	for aor in 7002 7004; do has_binding $k $aor || fail "$k lost the binding of $aor"; done
done
# at SIP_X and SIP_Y: 7001 un-REGISTERed, 7011 REGISTERed
want="KX=2 KXB=0 KY=2 KYB=0"
wait_until 5 deltas_are "$c2" "$want" || fail "REGISTERs after the SIGHUP: $(deltas "$c2"), expected $want"
wait_until 3 deltas_not "$c2" "$want" && fail "more REGISTERs after the SIGHUP: $(deltas "$c2"), expected $want"
tail -n +"$((ev_lines1 + 1))" "$EV" >"$T/ev.after"
grep -E '"event"[ ]*:[ ]*"(connection-lost|switchover|connected)"' "$T/ev.after" &&
	fail "alice's connection moved on a new SIP user"

# dave prefers SiteY now: a new engine; proxy0 at SIP_Y, proxy1 at SIP_X
c3=$(counts)
ev_lines2=$(wc -l <"$EV")
mkcfg "$CFG" dave bob-timeout=5 alice-user=7011 dave-prefers-y
"$BIN" ctl --control "$CTL" reload >"$T/ctl.out" 2>"$T/ctl.err" ||
	fail "ctl reload (dave's sites) exited $?: $(cat "$T/ctl.err")"
grep -q 'reloaded: 0 agent(s) added, 0 removed, 1 changed' "$T/ctl.out" ||
	fail "ctl reload (dave's sites) printed: $(cat "$T/ctl.out")"
grep -q 'reload: agent dave: new servers or sites' "$T/ds.err" || fail "dave not restarted on new sites"
wait_until 5 sh -c "tail -n +$((ev_lines2 + 1)) '$EV' | grep -q '\"agent\": \"dave\", \"event\": \"connected\", \"kind\": \"sip\", \"site\": \"SiteY\"'" ||
	fail "dave did not connect to SiteY after the reload: $(tail -n +$((ev_lines2 + 1)) "$EV")"
# each registrar: dave's old binding removed (un-REGISTER), the new one made
want="KX=2 KXB=0 KY=2 KYB=0"
wait_until 5 deltas_are "$c3" "$want" || fail "REGISTERs after dave's new sites: $(deltas "$c3"), expected $want"
wait_until 2 deltas_not "$c3" "$want" && fail "more REGISTERs after dave's new sites: $(deltas "$c3"), expected $want"
for k in KX KY; do
	[ "$(bindings $k 7004 | wc -l)" = 1 ] || fail "$k holds $(bindings $k 7004 | wc -l) bindings of dave, expected 1 (the new one)"
done
tail -n +"$((ev_lines2 + 1))" "$EV" | grep -E '"agent"[ ]*:[ ]*"(alice|bob)"' &&
	fail "alice or bob had events after dave's reload"

ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
for k in KX KY KXB KYB; do
	for aor in 7001 7002 7003 7004 7011; do
		no_binding $k $aor || fail "after SIGTERM, $k still holds $aor: $(bindings $k $aor)"
	done
done
