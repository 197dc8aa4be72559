# dualsite ctl against a running `run --control`: status (table and --json), agent,
# switchover and restore (exit 0, the agent moves: events with reason manual), a
# refusal (exit 1, the daemon's message on stderr), no daemon (exit 2), and events
# (JSON lines as they happen, until the daemon stops: exit 0).
. "$(dirname "$0")/lib.sh"
net_init "$@"
SOCK=$T/ctl.sock
control_run "$SOCK"

ctl() { "$BIN" ctl --control "$SOCK" "$@" >"$T/ctl.out" 2>"$T/ctl.err"; CTL_RC=$?; }
out_has() { grep -Eq "$1" "$T/ctl.out" || fail "ctl $2: no line matching /$1/ in: $(cat "$T/ctl.out") $(cat "$T/ctl.err")"; }

# events: followed from now on, in the background
"$BIN" ctl --control "$SOCK" events >"$T/stream.out" 2>"$T/stream.err" &
STREAM=$!
PIDS="$PIDS $STREAM"

ctl status
[ "$CTL_RC" = 0 ] || fail "ctl status exited $CTL_RC: $(cat "$T/ctl.err")"
out_has '^SIP_X +sip +SiteX +up +[0-9.]+ ms$' status
out_has '^sip +SiteX +1 +0 +0$' status
out_has '^sip +SiteY +1 +0 +0$' status
out_has '^0 of 2 agents not at home' status

ctl status --json
[ "$CTL_RC" = 0 ] || fail "ctl status --json exited $CTL_RC"
[ "$(perl "$NET_DIR/json.pl" agents/0/agent servers/3/name <"$T/ctl.out" | tr '\n' ' ')" = "alice SIP_Y_B " ] ||
	fail "ctl status --json: not the daemon's JSON: $(head -c 300 "$T/ctl.out")"

t0=$(ds_now)
ctl switchover alice
[ "$CTL_RC" = 0 ] || fail "ctl switchover alice exited $CTL_RC: $(cat "$T/ctl.err")"
out_has '^manual switchover of alice accepted' switchover
ev_wait 2 --after "$t0" alice switchover kind=sip from=SiteX to=SiteY reason=manual
ctl status
out_has '^1 of 2 agents not at home' "status after the switchover"
out_has '^alice +SiteX +- +sip connected SiteY \(SIP_Y\) \[auto-restore suspended\]$' "status after the switchover"
out_has '^sip +SiteY +2 +0 +0$' "status after the switchover"

ctl agent alice
[ "$CTL_RC" = 0 ] || fail "ctl agent alice exited $CTL_RC"
out_has '^agent alice: preferred site SiteX, peer site SiteY; auto-restore suspended' agent
out_has '^  sip +connected +SiteY +SIP_Y$' agent
out_has '^  proxy0 +registered +SiteX +SIP_X, expires in [0-9]+ s$' agent

t1=$(ds_now)
ctl restore alice
[ "$CTL_RC" = 0 ] || fail "ctl restore alice exited $CTL_RC"
ev_wait 2 --after "$t1" alice restore kind=sip from=SiteY to=SiteX reason=manual

ctl agent nobody
[ "$CTL_RC" = 1 ] || fail "ctl agent nobody: exit $CTL_RC, expected 1"
grep -q "^dualsite ctl: no agent 'nobody' in this run$" "$T/ctl.err" ||
	fail "ctl agent nobody: the daemon's message not on stderr: $(cat "$T/ctl.err")"

"$BIN" ctl --control "$T/none.sock" status >/dev/null 2>"$T/none.err"
rc=$?
[ "$rc" = 2 ] || fail "ctl on a socket nobody serves: exit $rc, expected 2"
grep -q "cannot connect to $T/none.sock" "$T/none.err" || fail "no clear message: $(cat "$T/none.err")"

# The stream carried the switchover and the restore as JSON lines.
grep -q '"agent": "alice", "event": "switchover", "kind": "sip", "from": "SiteX", "to": "SiteY", "reason": "manual"' "$T/stream.out" ||
	fail "ctl events missed the switchover: $(cat "$T/stream.out") $(cat "$T/stream.err")"
wait_until 2 grep -q '"event": "restore", "kind": "sip", "from": "SiteY", "to": "SiteX", "reason": "manual"' "$T/stream.out" ||
	fail "ctl events missed the restore: $(cat "$T/stream.out")"
# every line of the stream is one of the events file's lines, in its order
grep -vxFf "$EV" "$T/stream.out" >"$T/extra" && fail "stream lines not in the events file: $(cat "$T/extra")"

ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
wait_exit 5 "$STREAM" || fail "ctl events did not end when the daemon stopped"
[ "$EXIT_RC" = 0 ] || fail "ctl events exited $EXIT_RC when the daemon stopped, expected 0: $(cat "$T/stream.err")"
