# The main job (`make demo`): `dualsite lab` plays its six-step story against
# four real Kamailio registrars and exits 0; it writes its events and picture,
# and removes every process and file it made.
. "$(dirname "$0")/lib.sh"
net_init "$@"

"$BIN" lab --agents 2 --seed 11 --events "$T/events.jsonl" --svg "$T/lab.svg" \
	>"$T/lab.out" 2>"$T/lab.err" &
LAB_PID=$!
PIDS="$PIDS $LAB_PID"
wait_until 180 proc_gone "$LAB_PID" || fail "the lab did not finish within 180 s"
wait "$LAB_PID"
rc=$?
[ "$rc" = 0 ] || { cat "$T/lab.out" "$T/lab.err" >&2; fail "dualsite lab exited $rc"; }
grep -q "^The story went as SPEC §3 says.$" "$T/lab.out" || fail "no verdict line in the lab's output"

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

# Nothing left behind: the lab's Kamailio processes and its temp directory.
lab_dir=$(sed -n 's|.*dualsite run -c \(/[^ ]*\)/lab.yaml.*|\1|p' "$T/lab.out" | head -n 1)
[ -n "$lab_dir" ] || fail "the lab did not print its configuration path"
[ ! -e "$lab_dir" ] || fail "the lab left $lab_dir behind"
for p in $(sed -n 's/.*(Kamailio, pid \([0-9]*\)).*/\1/p; s/.*(stand-in TCP listener, pid \([0-9]*\)).*/\1/p' "$T/lab.out"); do
	proc_gone "$p" || fail "the lab left process $p running"
done
note "story passed; events, picture and clean-up checked"
