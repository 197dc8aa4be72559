# systemd's Type=notify: with NOTIFY_SOCKET set (a Unix datagram socket this test
# binds), run sends READY=1 with a STATUS= of its agents per site once it listens,
# WATCHDOG=1 at half WATCHDOG_USEC while its loop turns, a new STATUS= when a site
# loss moves alice to SiteY, and STOPPING=1 at the clean stop. SIGHUP (systemd's
# reload signal) reloads: RELOADING=1, then READY=1 again once it is done.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
gen_config "$T/ds.yaml"

# The receiver: one record per datagram, its lines joined by '|'.
SOCK=$T/notify.sock
perl -MIO::Socket::UNIX -MSocket -e '
	$| = 1;
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $ARGV[0]) or die "bind: $!\n";
	open(my $o, ">>", $ARGV[1]) or die "$ARGV[1]: $!\n";
	$o->autoflush(1);
	while (defined $s->recv(my $d, 4096)) { $d =~ s/\n/|/g; print $o "$d\n"; }' \
	"$SOCK" "$T/notify.log" 2>"$T/notify.err" &
PIDS="$PIDS $!"
sock_ready() { [ -S "$SOCK" ]; }
wait_until 5 sock_ready || fail "the test's notify socket $SOCK did not appear: $(cat "$T/notify.err")"
: >>"$T/notify.log"

got() { grep -q -- "$1" "$T/notify.log"; }
count() { grep -c -- "$1" "$T/notify.log"; }
at_least() { [ "$(count "$1")" -ge "$2" ]; }

NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=400000 WATCHDOG_PID='' start_dualsite "$T/ds.yaml"
wait_until 5 got '^READY=1' ||
	fail "no READY=1 within 5 s; received: $(cat "$T/notify.log"); stderr: $(tail -n 5 "$T/ds.err")"
grep -q 'listening on' "$T/ds.err" || fail "READY=1 came before run said it listens"
grep -q '1 agent started' "$T/ds.err" || fail "READY=1 came before the agent started"
ready=$(grep -m 1 '^READY=1' "$T/notify.log")
case $ready in
"READY=1|STATUS=1 agent:"*) ;;
*) fail "READY=1 should carry the first STATUS=, got '$ready'" ;;
esac
[ "$(count '^READY=1')" = 1 ] || fail "READY=1 sent $(count '^READY=1') times"

# The watchdog: every 200 ms (half of 400 ms).
wait_until 3 at_least '^WATCHDOG=1$' 3 || fail "fewer than 3 WATCHDOG=1 in 3 s: $(count '^WATCHDOG=1$')"

ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
wait_until 3 got '^STATUS=1 agent: SiteX 1$' || got '^READY=1|STATUS=1 agent: SiteX 1$' ||
	fail "no STATUS saying alice is at SiteX; received: $(cat "$T/notify.log")"

# SIGHUP: a reload (of the same file: nothing changes), RELOADING=1 then READY=1.
kill -HUP "$DS_PID"
wait_until 3 at_least '^READY=1' 2 ||
	{ ds_alive || fail "SIGHUP killed dualsite run"
	  fail "no second READY=1 after SIGHUP; received: $(cat "$T/notify.log")"; }
grep -q 'reload: done: 0 added, 0 removed, 0 changed' "$T/ds.err" ||
	fail "SIGHUP did not reload: $(grep reload "$T/ds.err")"
order=$(grep -E '^(READY|RELOADING)=1' "$T/notify.log" | sed 's/=1.*//' | tr '\n' ' ')
[ "$order" = "READY RELOADING READY " ] ||
	fail "expected READY=1, RELOADING=1, READY=1 in that order; received: $order"
grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9][0-9]*$' "$T/notify.log" ||
	fail "RELOADING=1 without MONOTONIC_USEC: $(grep RELOADING "$T/notify.log")"
ds_alive || fail "dualsite run exited after SIGHUP"

# A site loss moves alice: the status follows.
site_signal KILL SiteX
ev_wait 8 alice switchover kind=sip from=SiteX to=SiteY
wait_until 3 got '^STATUS=1 agent: SiteY 1$' ||
	fail "no STATUS saying alice is at SiteY after the switchover; received: $(cat "$T/notify.log")"
got '^STATUS=1 agent: 1 connection lost$' ||
	fail "no STATUS for the lost connection before the switchover: $(cat "$T/notify.log")"

ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
got '^STOPPING=1|STATUS=stopping' || fail "no STOPPING=1 at the clean stop: $(cat "$T/notify.log")"
[ "$(count '^READY=1')" = 2 ] || fail "READY=1 sent $(count '^READY=1') times (once at start, once after the reload)"
note "received $(wc -l <"$T/notify.log") notifications, $(count '^WATCHDOG=1$') watchdog pings"
