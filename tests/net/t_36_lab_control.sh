# `dualsite lab --keep-running --no-story` runs `run` with a control endpoint and
# prints it with the `dualsite ctl` commands; the printed status command works
# against the running lab; Ctrl-C (SIGINT) removes the lab.
. "$(dirname "$0")/lib.sh"
net_init "$@"
"$BIN" lab --keep-running --no-story --seed 3 >"$T/lab.out" 2>"$T/lab.err" &
LAB=$!
PIDS="$PIDS $LAB"
wait_until 30 grep -q "^events follow:" "$T/lab.out" ||
	fail "the lab did not come up: $(tail -n 5 "$T/lab.out") $(tail -n 5 "$T/lab.err")"
cmd=$(sed -n 's/^    \(.* ctl --control .* status\)$/\1/p' "$T/lab.out")
[ -n "$cmd" ] || fail "the lab does not print a ctl status command: $(cat "$T/lab.out")"
sock=$(sed -n 's/^  control: *\([^ ]*\) .*/\1/p' "$T/lab.out")
[ -S "$sock" ] || fail "no control socket at '$sock'"
# every agent the lab lists is at home once started
n=$(sed -n 's/^  agents: //p' "$T/lab.out" | tr ',' '\n' | grep -c .)
wait_until 10 sh -c "$cmd 2>/dev/null | grep -q '^0 of $n agents not at home'" ||
	fail "the printed command ($cmd) does not show the $n agents at home: $($cmd 2>&1)"
kill -INT "$LAB"
wait_exit 15 "$LAB" || fail "the lab did not end after SIGINT"
[ ! -e "$sock" ] || fail "the control socket is left behind"
