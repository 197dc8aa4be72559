# `dualsite lab --scenario`: the picture of a scenario played on real registrars is
# titled as a lab run, its scenario labels stand (whole) at their times even where
# the lab's own account of the fault is long, and the call it placed is drawn.
. "$(dirname "$0")/lib.sh"
net_init "$@"
cat >"$T/sc.yaml" <<'YAML'
# SiteX down then up around a call through SiteY: every lab action is a scenario label.
agent: alice
duration: 22
seed: 3
events:
  - {at: 1, down: SiteX}
  - {at: 9, call: start}
  - {at: 11, up: SiteX}
  - {at: 19, call: end}
YAML
"$BIN" lab --agents 1 --scenario "$T/sc.yaml" --events "$T/events.jsonl" --svg "$T/lab.svg" \
	>"$T/lab.out" 2>"$T/lab.err" &
LAB_PID=$!
PIDS="$PIDS $LAB_PID"
wait_until 120 proc_gone "$LAB_PID" || fail "the lab did not finish within 120 s"
wait "$LAB_PID"
rc=$?
[ "$rc" = 0 ] || { cat "$T/lab.out" "$T/lab.err" >&2; fail "dualsite lab --scenario exited $rc"; }
grep -q '"event": "call-start"' "$T/events.jsonl" || fail "the scenario's call did not reach alice"

grep -q "dualsite simulate" "$T/lab.svg" && fail "the lab's picture is titled 'dualsite simulate'"
grep -q ">dualsite lab: alice</text>" "$T/lab.svg" || fail "no panel titled 'dualsite lab: alice'"
svg_note_at_time "$T/lab.svg" 1 "SiteX down"
svg_note_at_time "$T/lab.svg" 1 "SiteX up"
svg_note_at_time "$T/lab.svg" 1 "call comes in through SiteY"
grep -q '>[0-9.]*s the far end hangs up</text>' "$T/lab.svg" || fail "no call-end mark in the picture"
note "scenario played; picture title, labels and call marks checked"
