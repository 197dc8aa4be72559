# Out of file descriptors, the control endpoint neither spins nor dies: with a
# descriptor limit of 40, connections beyond what the process can hold stay
# queued while the endpoint stops watching its socket (the loop would otherwise
# wake at once, forever: accept fails, the socket stays readable); once the
# connections close, it accepts and answers again, and the SIP side went on.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
gen_config "$T/ds.yaml"
SOCK=$T/ctl.sock
EV=$T/events.jsonl
: >"$EV"
DS_T0_MS=$(now_ms)
sh -c 'ulimit -n 40 && exec "$@"' sh "$BIN" run -c "$T/ds.yaml" --all --events "$EV" --seed 1 \
	--control "$SOCK" >"$T/ds.out" 2>"$T/ds.err" &
DS_PID=$!
PIDS="$PIDS $DS_PID"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X

# 40 connections: the process runs out of descriptors well before that.
perl -e '
	use IO::Socket::UNIX;
	my @s;
	for (1..40) { push @s, IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or last }
	open(my $f, ">", $ARGV[1]); print $f scalar(@s), "\n"; close $f;
	sleep 30;' "$SOCK" "$T/crowd.n" &
CROWD=$!
PIDS="$PIDS $CROWD"
wait_until 5 test -s "$T/crowd.n" || fail "the crowd did not connect"
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$DS_PID/stat"; }
c0=$(ticks)
t0=$(ds_now)
ev_absent_for 3 "nothing happens meanwhile" --after "$t0" alice connection-lost
c1=$(ticks)
hz=$(getconf CLK_TCK)
# an idle run uses a few ticks in 3 s (0.01 s measured); a loop spinning on the
# socket takes what CPU it can get (0.56 s of 3 s measured at load average 15)
spent=$(fcalc "($c1 - $c0) / $hz")
note "CPU over 3 s with the descriptors exhausted: $spent s"
flt "$spent" 0.25 || fail "dualsite used $spent s of CPU in 3 s while out of descriptors: it spins"
kill "$CROWD"
wait "$CROWD" 2>/dev/null
wait_until 5 sh -c "perl '$NET_DIR/http.pl' '$SOCK' GET /v1/status 2>/dev/null | head -n 1 | grep -qx 200" ||
	fail "the endpoint did not answer again once the descriptors were free"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
