# The main job (`make demo`): `dualsite lab` plays its six-step story against
# four real Kamailio registrars and exits 0; it writes its events and picture,
# and removes every process and file it made.
. "$(dirname "$0")/lib.sh"
net_init "$@"

"$BIN" lab --agents 2 --seed 11 --events "$T/events.jsonl" --svg "$T/lab.svg" \
	>"$T/lab.out" 2>"$T/lab.err" &
LAB_PID=$!
PIDS="$PIDS $LAB_PID"
# The registrars' password stays off their command lines (/proc/PID/cmdline is
# readable by every local user): checked on every Kamailio process once all four run.
# The password: from the environment the lab gives `dualsite run` (readable by us only).
lab_run_pid() { sed -n 's/.*dualsite run -c .*(pid \([0-9]*\)).*/\1/p' "$T/lab.out" | head -n 1; }
lab_pw() {
	_rp=$(lab_run_pid)
	[ -n "$_rp" ] && tr '\0' '\n' <"/proc/$_rp/environ" 2>/dev/null | sed -n 's/^DUALSITE_LAB_PASSWORD=//p'
}
lab_kams() { sed -n 's/.*(Kamailio, pid \([0-9]*\)).*/\1/p' "$T/lab.out"; }
lab_kams_up() { [ -n "$(lab_pw)" ] && [ "$(lab_kams | wc -l)" -ge 4 ]; }
wait_until 60 lab_kams_up || fail "the lab did not start dualsite run (with its password) and four Kamailio within 60 s"
pw=$(lab_pw) checked=0
for p in $(lab_kams); do
	for c in $p $(ps -o pid= --ppid "$p"); do
		cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$c/cmdline") || continue
		[ -n "$cmd" ] || continue
		checked=$((checked + 1))
		case $cmd in *"$pw"*) fail "Kamailio process $c shows the registrar password: $cmd" ;; esac
	done
done
[ "$checked" -ge 4 ] || fail "checked the command lines of $checked Kamailio processes, expected at least 4"
wait_until 180 proc_gone "$LAB_PID" || fail "the lab did not finish within 180 s"
wait "$LAB_PID"
rc=$?
[ "$rc" = 0 ] || { cat "$T/lab.out" "$T/lab.err" >&2; fail "dualsite lab exited $rc"; }
grep -q "^The story went as docs/behaviour.md §3 says.$" "$T/lab.out" || fail "no verdict line in the lab's output"

# Each agent switched over and came home; one was held by the call.
for a in alice bob; do
	grep -q "\"agent\": \"$a\", \"event\": \"switchover\", \"kind\": \"sip\", \"from\": \"SiteX\", \"to\": \"SiteY\"" \
		"$T/events.jsonl" || fail "no sip switchover of $a in the lab's events"
	grep -q "\"agent\": \"$a\", \"event\": \"restore\", \"kind\": \"sip\"" "$T/events.jsonl" ||
		fail "no sip restore of $a in the lab's events"
done
[ "$(grep -c '"event": "restore-deferred"' "$T/events.jsonl")" = 1 ] ||
	fail "expected exactly one restore-deferred in the lab's events"
grep -q "<svg" "$T/lab.svg" || fail "the lab's --svg file is not an SVG"
# The picture is titled as what it shows: a real run, one panel per agent.
grep -q "dualsite simulate" "$T/lab.svg" && fail "the lab's picture is titled 'dualsite simulate'"
for a in alice bob; do
	grep -q ">dualsite lab: $a</text>" "$T/lab.svg" || fail "no panel titled 'dualsite lab: $a' in the picture"
done
# The call is drawn: a scenario mark and label where it came in and where the caller hung up.
svg_note_at_time "$T/lab.svg" 1 "call comes in through SiteY"
grep -q '>[0-9.]*s the far end hangs up</text>' "$T/lab.svg" || fail "no call-end mark in the picture"
# A scenario label stands at its time, its diamond there.
svg_note_at_time "$T/lab.svg" 1 "SiteX back"

# Nothing left behind: the lab's Kamailio processes and its temp directory.
lab_dir=$(sed -n 's|.*dualsite run -c \(/[^ ]*\)/lab.yaml.*|\1|p' "$T/lab.out" | head -n 1)
[ -n "$lab_dir" ] || fail "the lab did not print its configuration path"
[ ! -e "$lab_dir" ] || fail "the lab left $lab_dir behind"
for p in $(sed -n 's/.*(Kamailio, pid \([0-9]*\)).*/\1/p; s/.*(stand-in TCP listener, pid \([0-9]*\)).*/\1/p' "$T/lab.out"); do
	proc_gone "$p" || fail "the lab left process $p running"
done
note "story passed; events, picture and clean-up checked"
