# Control endpoint on a Unix socket: made 0600 and removed at exit; GET /v1/status
# and /v1/agents/NAME describe what the events said; POST switchover and restore
# move the agent through the engine (events with reason manual) and answer 202 with
# the agent; 404, 405 and 409 with {"error": ...}. A slow client (a request never
# finished) and a crowd of idle connections do not keep the endpoint from answering
# nor the SIP loop from its probes.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SOCK=$T/ctl.sock
control_run "$SOCK"

# req METHOD PATH [TOKEN]: one request; sets CODE and BODY (fails when no answer).
req() {
	perl "$NET_DIR/http.pl" "$CTL" "$@" >"$T/http.out" 2>"$T/http.err" ||
		fail "no answer to $1 $2 on $CTL: $(cat "$T/http.err")"
	CODE=$(head -n 1 "$T/http.out")
	BODY=$(tail -n +2 "$T/http.out")
}
# jq_ PATH...: values from BODY (tests/net/json.pl).
jq_() { printf '%s' "$BODY" | perl "$NET_DIR/json.pl" "$@" || fail "not JSON: $BODY"; }
expect() { # expect WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3' (body: $BODY)"
}
# srv NAME FIELD...: that server's fields from a status BODY.
srv() {
	_i=0
	while :; do
		_n=$(jq_ "servers/$_i/name")
		[ "$_n" != MISSING ] || fail "no server $1 in the status: $BODY"
		[ "$_n" = "$1" ] && break
		_i=$((_i + 1))
	done
	shift
	for _f in "$@"; do jq_ "servers/$_i/$_f"; done
}
CTL=$SOCK

[ -S "$SOCK" ] || fail "no socket at $SOCK"
expect "socket mode" "$(stat -c %a "$SOCK")" 600

req GET /v1/status
expect "GET /v1/status" "$CODE" 200
expect "agents in status" "$(jq_ agents/0/agent agents/1/agent agents/2/agent | tr '\n' ' ')" "alice bob MISSING "
expect "alice's sip connection" "$(jq_ agents/0/connections/sip/state agents/0/connections/sip/site agents/0/connections/sip/server | tr '\n' ' ')" "connected SiteX SIP_X "
expect "servers" "$(jq_ servers/0/name servers/0/state servers/0/kind | tr '\n' ' ')" "SIP_X up sip "
rtt=$(jq_ servers/0/rtt_ms)
flt 0 "$rtt" || fail "SIP_X's rtt_ms is '$rtt', expected a positive number of ms"
# since: the time of the server's last change of state (here its first answer),
# on the run's clock: after start, not after this read.
st_t=$(jq_ t)
since_x=$(srv SIP_X since)
since_xb=$(srv SIP_X_B since)
flt 0 "$since_x" && fle "$since_x" "$st_t" ||
	fail "SIP_X's since is '$since_x', expected its first answer: > 0 and <= the status t $st_t"
flt 0 "$since_xb" && fle "$since_xb" "$st_t" ||
	fail "SIP_X_B's since is '$since_xb', expected its first answer: > 0 and <= the status t $st_t"

req GET /v1/agents/alice
expect "GET /v1/agents/alice" "$CODE" 200
expect "alice's registrations" "$(jq_ registrations/0/proxy registrations/0/site registrations/0/server registrations/0/state registrations/1/site registrations/1/state | tr '\n' ' ')" \
	"0 SiteX SIP_X registered SiteY registered "
exp=$(jq_ registrations/0/expires_in)
fle "$exp" 60 && flt 0 "$exp" || fail "expires_in is '$exp', expected 1..60 (reg_timeout 60)"
expect "alice's call, suspension" "$(jq_ call auto_restore_suspended | tr '\n' ' ')" "null 0 "

req GET /v1/agents/nobody
expect "unknown agent" "$CODE" 404
case $(jq_ error) in *nobody*) ;; *) fail "404 error does not name the agent: $BODY" ;; esac
req GET /v1/nothing
expect "unknown path" "$CODE" 404
req GET /v1/agents/alice/switchover
expect "GET on switchover" "$CODE" 405
req POST /v1/status
expect "POST on status" "$CODE" 405

# Manual switchover: 202 and the agent, the engine's event says manual.
t0=$(ds_now)
req POST /v1/agents/alice/switchover
expect "POST switchover" "$CODE" 202
expect "agent in the 202" "$(jq_ agent)" alice
ev_wait 2 --after "$t0" alice switchover kind=sip from=SiteX to=SiteY reason=manual
req GET /v1/agents/alice
expect "after the switchover" "$(jq_ connections/sip/site connections/sip/server auto_restore_suspended | tr '\n' ' ')" "SiteY SIP_Y 1 "
# Suspended: no auto-restore after the hold-down (2 s).
ev_absent_for 3 "a manual switchover suspends auto-restore" --after "$t0" alice restore

t1=$(ds_now)
req POST /v1/agents/alice/restore
expect "POST restore" "$CODE" 202
ev_wait 2 --after "$t1" alice restore kind=sip from=SiteY to=SiteX reason=manual
req GET /v1/agents/alice
expect "after the restore" "$(jq_ connections/sip/site auto_restore_suspended | tr '\n' ' ')" "SiteX 0 "

# 409: the peer site is silent, so a switchover there is not possible now.
site_signal STOP SiteY
ev_wait "$(fcalc "$BUDGET + $TOL + 1")" --after "$SIG_T0" alice registration-lost proxy=1
req POST /v1/agents/alice/switchover
expect "switchover to a lost site" "$CODE" 409
case $(jq_ error) in *SiteY*) ;; *) fail "409 does not say why (SiteY): $BODY" ;; esac
site_signal CONT SiteY
ev_wait "$(fcalc "$BUDGET + 3")" --after "$SIG_T0" alice registered proxy=1

# Hostile clients: 64 idle connections and one that never finishes its request.
# The 65th connection is refused with 503 at once; the SIP loop goes on (a server
# lost meanwhile is still declared down within the probe budget).
perl -e '
	use IO::Socket::UNIX;
	my @s;
	for (1..64) { push @s, IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die "connect: $!" }
	print { $s[0] } "GET /v1/status HTTP/1.1\r\nHost: x\r\n";   # never finished
	$s[0]->flush;
	open(my $f, ">", $ARGV[1]); close $f;
	sleep 30;' "$SOCK" "$T/crowd.ready" &
CROWD=$!
PIDS="$PIDS $CROWD"
wait_until 5 test -e "$T/crowd.ready" || fail "the crowd of connections did not connect"
req GET /v1/status
expect "the 65th connection" "$CODE" 503
kam_signal KILL KX
ev_wait "$(fcalc "$BUDGET + $TOL + 1")" --after "$SIG_T0" alice ha-switch kind=sip from=SIP_X to=SIP_X_B
KILL_T=$SIG_T0 SWITCH_T=$EV_T
kill "$CROWD"
wait "$CROWD" 2>/dev/null
wait_until 3 sh -c "perl '$NET_DIR/http.pl' '$SOCK' GET /v1/status 2>/dev/null | head -n 1 | grep -qx 200" ||
	fail "the endpoint did not answer again once the crowd left"
# SIP_X's since moved to the moment it was declared down: after the kill, no
# later than the ha-switch that followed (and the status read); its backup,
# untouched, keeps the time of its first answer.
req GET /v1/status
st_t=$(jq_ t)
expect "SIP_X once killed" "$(srv SIP_X state)" down
since=$(srv SIP_X since)
flt "$since_x" "$since" || fail "SIP_X's since did not change when it went down: $since_x then $since"
fle "$KILL_T" "$since" && fle "$since" "$SWITCH_T" && fle "$since" "$st_t" ||
	fail "SIP_X's since is $since, expected between the kill (t=$KILL_T) and the ha-switch (t=$SWITCH_T), <= the status t $st_t"
note "SIP_X down since t=$since (killed at t=$KILL_T, ha-switch at t=$SWITCH_T)"
expect "SIP_X_B's since (untouched, up)" "$(srv SIP_X_B state since | tr '\n' ' ')" "up $since_xb "

# A request larger than 16 KiB: 431, and the connection is closed.
big=$(perl -e 'print "x" x 20000')
CODE=$(perl -e '
	use IO::Socket::UNIX;
	$SIG{PIPE} = "IGNORE";
	my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die;
	print $s "GET /v1/status HTTP/1.1\r\nX-Big: $ARGV[1]\r\n\r\n";
	local $/; my $r = <$s>; print $r =~ m{^HTTP/1\.1 (\d+)} ? $1 : "none";' "$SOCK" "$big")
expect "a 20 KB request head" "$CODE" 431
# A small head announcing a 20 KB body: 413.
CODE=$(perl -e '
	use IO::Socket::UNIX;
	$SIG{PIPE} = "IGNORE";
	my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die;
	print $s "POST /v1/agents/alice/restore HTTP/1.1\r\nContent-Length: 20000\r\n\r\n", "x" x 20000;
	local $/; my $r = <$s>; print $r =~ m{^HTTP/1\.1 (\d+)} ? $1 : "none";' "$SOCK")
expect "a 20 KB request body" "$CODE" 413
# Not HTTP, and a chunked body: 400 with {"error"}.
raw() {
	perl -e '
		use IO::Socket::UNIX;
		$SIG{PIPE} = "IGNORE";
		my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die;
		(my $req = $ARGV[1]) =~ s/\\r\\n/\r\n/g;   # the request as written, \r\n escaped
		print $s $req;
		local $/; my $r = <$s>;
		my ($code) = $r =~ m{^HTTP/1\.1 (\d+)}; my ($body) = $r =~ m{\r\n\r\n(.*)}s;
		print $code // "none", " ", $body // "";' "$SOCK" "$1"
}
got=$(raw 'hello there\r\n\r\n')
case $got in "400 {\"error\": "*) ;; *) fail "not HTTP: expected 400 with an error, got '$got'" ;; esac
got=$(raw 'POST /v1/agents/alice/restore HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
case $got in "400 {\"error\": "*Content-Length*) ;; *) fail "a chunked body: expected 400 naming Content-Length, got '$got'" ;; esac

ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
[ ! -e "$SOCK" ] || fail "the control socket $SOCK is still there after the exit"
