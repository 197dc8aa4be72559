# Out of file descriptors, the control endpoint neither spins nor dies: with a
# descriptor limit of 40, connections beyond what the process can hold stay
# queued while the endpoint stops watching its socket (the loop would otherwise
# wake at once, forever: accept fails, the socket stays readable); once the
# connections close, it accepts and answers again, and the SIP side went on.
# Then, with 4,001 agents (a status answer of about 1.6 MB, written in slices):
# clients that stop reading their status answer, or read it very slowly, hold
# one slice of memory each (not the answer), keep neither other clients nor
# the SIP loop waiting, get their whole answer once they read, and the
# connection cap and the idle limit still apply to them.
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

# ---- slow readers of a large status answer -----------------------------------------
N_EXTRA=4000
N_ALL=$((N_EXTRA + 1))
gen_config "$T/big.yaml"
# the extra agents register nowhere (reg_timeout 0): they only make the answer large
awk -v n="$N_EXTRA" '
	/^persons:/ { for (i = 1; i <= n; i++)
		printf "  P%d: {dns: [{switch: SW_X, number: \"%d\"}, {switch: SW_Y, number: \"%d\"}]}\n", i, 100000 + i, 100000 + i }
	{ print }
	END { pad = sprintf("%0180d", 0); gsub(/0/, "x", pad)
	      for (i = 1; i <= n; i++)
		printf "  agent-%04d-%s: {tenant: Environment, place: P%d, sip: {user: \"%d\", password-env: DS_PW_ALICE}, options: {interaction-workspace: {sipendpoint.proxies.proxy0.reg_timeout: 0, sipendpoint.proxies.proxy1.reg_timeout: 0}}}\n", i, pad, i, 100000 + i }
' "$T/big.yaml" >"$T/big2.yaml"
SOCK=$T/ctl2.sock
start_dualsite "$T/big2.yaml" --control "$SOCK"
ev_wait 20 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 20 alice registered proxy=1 site=SiteY server=SIP_Y

# status_ok FILE: FILE (a raw answer) is a complete 200 with every agent
status_ok() {
	perl "$NET_DIR/http.pl" --answer "$1" >"$1.out" 2>"$1.err" || return 1
	[ "$(head -n 1 "$1.out")" = 200 ] && [ "$(tail -c 3 "$1.out")" = ']}' ] &&
		[ "$(grep -o '"agent": "' "$1.out" | wc -l)" = "$N_ALL" ]
}
perl "$NET_DIR/http.pl" "$SOCK" GET /v1/status >"$T/st.out" 2>"$T/st.err" ||
	fail "GET /v1/status at $N_ALL agents: $(cat "$T/st.err")"
got=$(tail -n +2 "$T/st.out" | perl "$NET_DIR/json.pl" "agents/$N_EXTRA/agent" "agents/$N_ALL/agent" | tr '\n' ' ')
case $got in "agent-$N_EXTRA-x"*" MISSING ") ;; *) fail "status at $N_ALL agents: the last agent and no more expected, got '$got'" ;; esac
BYTES=$(wc -c <"$T/st.out")
note "a status answer of $BYTES bytes"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DS_PID/status"; }
sockets() { ls -l "/proc/$DS_PID/fd" 2>/dev/null | grep -c 'socket:'; }
RSS0=$(rss)
SOCKS0=$(sockets)

# readers MODE N OUT READY GO: N connections ask for the status. MODE stall:
# read nothing until the file GO exists (READY once each has the start of its
# answer queued: it was stopped mid-way), then read each to its end; slow: read
# 2 KiB every 20 ms from the start. Each raw answer goes to OUT.K. Run in the
# background only (it execs: its PID is perl's).
readers() {
	exec perl -MIO::Socket::UNIX -MTime::HiRes=time,sleep -e '
		my ($sock, $mode, $n, $out, $ready, $go) = @ARGV;
		my @s;
		for (1 .. $n) {
			my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $sock) or die "connect: $!\n";
			syswrite($c, "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
			push @s, $c;
		}
		my $until = time + 30;
		if ($mode eq "stall") {
			for my $c (@s) {   # FIONREAD: the bytes queued, unread
				while (1) {
					my $q = pack("i", 0);
					ioctl($c, 0x541B, $q) or die "FIONREAD: $!\n";
					last if unpack("i", $q) >= 65536;
					die "no answer started within 30 s\n" if time > $until;
					sleep 0.05;
				}
			}
			open(my $f, ">", $ready) or die; close $f;
			$until = time + 120;
			sleep 0.05 until (-e $go || time > $until);
		}
		my $k = 0;
		for my $c (@s) {
			my ($r, $buf) = ("", "");
			while (sysread($c, $buf, $mode eq "slow" ? 2048 : 1 << 20)) {
				$r .= $buf;
				sleep 0.02 if $mode eq "slow";
			}
			open(my $f, ">", "$out." . $k++) or die; print $f $r; close $f;
		}' "$SOCK" "$@"
}
readers stall 1 "$T/idle" "$T/idle.ready" "$T/idle.go" 2>"$T/idle.err" &
IDLE=$!
readers stall 61 "$T/crowd" "$T/crowd.ready" "$T/crowd.go" 2>"$T/crowd.err" &
CROWD=$!
readers slow 1 "$T/slow" 2>"$T/slow.err" &
SLOW=$!
PIDS="$PIDS $IDLE $CROWD $SLOW"
wait_until 40 sh -c "test -e '$T/crowd.ready' && test -e '$T/idle.ready'" ||
	fail "62 stalled readers did not all get the start of their answer: $(cat "$T/crowd.err" "$T/idle.err")"
# memory: one slice per stalled reader, not the whole answer each (which
# grew the daemon by 33 MB at a 0.8 MB answer); a quarter of the answer each
# leaves room for ASan's allocator (16 MB at 0.8 MB, one slice each)
RSS1=$(rss)
grown=$(((RSS1 - RSS0) / 1024))
bound=$((62 * BYTES / 4 / 1048576))
note "62 readers stalled mid-answer, 1 reading slowly: the daemon grew by $grown MB (bound $bound MB)"
[ "$grown" -lt "$bound" ] || fail "62 stalled readers of a $BYTES-byte answer cost $grown MB: each holds its answer"
# another client is answered meanwhile, whole
perl "$NET_DIR/http.pl" "$SOCK" GET /v1/status >"$T/other.out" 2>"$T/other.err" ||
	fail "GET /v1/status while 63 readers are slow: $(cat "$T/other.err")"
[ "$(head -n 1 "$T/other.out")" = 200 ] && [ "$(grep -o '"agent": "' "$T/other.out" | wc -l)" = "$N_ALL" ] ||
	fail "GET /v1/status while 63 readers are slow: not the whole answer ($(wc -c <"$T/other.out") bytes)"
# the cap: 63 readers and one idle connection make 64, a 65th is refused
perl -MIO::Socket::UNIX -e '
	my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die;
	open(my $f, ">", $ARGV[1]); close $f; sleep 60;' "$SOCK" "$T/hold.ready" &
HOLD=$!
PIDS="$PIDS $HOLD"
wait_until 5 test -e "$T/hold.ready" || fail "the 64th connection did not connect"
wait_until 5 sh -c "perl '$NET_DIR/http.pl' '$SOCK' GET /metrics 2>/dev/null | head -n 1 | grep -qx 503" ||
	fail "a 65th connection beside 63 slow readers and an idle one: expected 503"
kill "$HOLD"
wait "$HOLD" 2>/dev/null
# the SIP loop goes on: a registrar lost meanwhile is declared down within the probe budget
kam_signal KILL KX
ev_wait "$(fcalc "$BUDGET + $TOL + 1")" --after "$SIG_T0" alice ha-switch kind=sip from=SIP_X to=SIP_X_B
# once they read, the stalled readers get their whole answers; so does the slow one
touch "$T/crowd.go"
wait "$CROWD" || fail "the stalled readers failed: $(cat "$T/crowd.err")"
wait "$SLOW" || fail "the slow reader failed: $(cat "$T/slow.err")"
for k in $(seq 0 60); do
	status_ok "$T/crowd.$k" || fail "stalled reader $k: not a whole answer: $(cat "$T/crowd.$k.err") $(head -c 200 "$T/crowd.$k.out")"
done
status_ok "$T/slow.0" || fail "the slow reader: not a whole answer: $(cat "$T/slow.0.err")"
# the idle limit: a reader that never reads is closed 30 s after its last
# progress; what it then reads is the answer's start, without the last chunk
wait_until 45 sh -c "[ \$(ls -l /proc/$DS_PID/fd | grep -c 'socket:') -le $SOCKS0 ]" ||
	fail "the stalled reader's connection was not closed after the idle limit"
touch "$T/idle.go"
wait "$IDLE" || fail "the idle reader failed: $(cat "$T/idle.err")"
perl "$NET_DIR/http.pl" --answer "$T/idle.0" >"$T/idle.0.out" 2>"$T/idle.0.err" &&
	fail "the reader closed for idleness got a whole answer ($(wc -c <"$T/idle.0") bytes)"
grep -q "chunk" "$T/idle.0.err" || fail "the idle reader's answer: $(cat "$T/idle.0.err")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
