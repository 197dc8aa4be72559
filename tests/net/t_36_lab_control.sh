# `dualsite lab --keep-running --no-story` runs `run` with a control endpoint and
# prints it (loopback TCP) with the `dualsite ctl` commands and the status page URL, which serves the page; the printed status command works
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
addr=$(sed -n 's/^  control: *\([^ ]*\) .*/\1/p' "$T/lab.out")
url=$(sed -n 's|^  status page: *\(http://[^ ]*\) .*|\1|p' "$T/lab.out")
[ "$url" = "http://$addr/" ] || fail "no status page URL for the control address '$addr': $(cat "$T/lab.out")"
perl "$NET_DIR/http.pl" "$addr" GET / >"$T/page.out" 2>&1 || fail "the page's address does not answer"
head -n 1 "$T/page.out" | grep -q '^200' && grep -qi '<html' "$T/page.out" ||
	fail "GET $url is not the status page: $(head -c 300 "$T/page.out")"
# every agent the lab lists is at home once started
n=$(sed -n 's/^  agents: //p' "$T/lab.out" | tr ',' '\n' | grep -c .)
wait_until 10 sh -c "$cmd 2>/dev/null | grep -q '^0 of $n agents not at home'" ||
	fail "the printed command ($cmd) does not show the $n agents at home: $($cmd 2>&1)"
kill -INT "$LAB"
wait_exit 15 "$LAB" || fail "the lab did not end after SIGINT"
if perl "$NET_DIR/http.pl" "$addr" GET / >/dev/null 2>&1; then
	fail "the control endpoint still answers after the lab ended"
fi
