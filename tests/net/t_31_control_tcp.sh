# Control endpoint on TCP with a bearer token: 401 without it or with a wrong one
# (WWW-Authenticate: Bearer), 200 with it. --control on a path that is not a socket
# is refused before anything starts (exit 1); a socket left by a killed run is
# replaced.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
gen_config "$T/ds.yaml"
free_port CPORT
CTL=127.0.0.1:$CPORT
TOKEN=tok-$$-0123456789abcdef
printf '%s\n' "$TOKEN" >"$T/token"
start_dualsite "$T/ds.yaml" --control "$CTL" --control-token-file "$T/token"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X

code() { perl "$NET_DIR/http.pl" "$CTL" GET /v1/status "$@" 2>"$T/http.err" | head -n 1; }
[ "$(code)" = 401 ] || fail "no token: expected 401, got '$(code)' $(cat "$T/http.err")"
[ "$(code wrong-token-0123456789)" = 401 ] || fail "a wrong token: expected 401"
[ "$(code "$TOKEN")" = 200 ] || fail "the right token: expected 200, got '$(code "$TOKEN")'"
perl -e '
	use IO::Socket::INET;
	my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0]) or die;
	print $s "GET /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n";
	local $/; my $r = <$s>;
	exit($r =~ m{\r\nWWW-Authenticate: Bearer} ? 0 : 1);' "$CTL" ||
	fail "a 401 must say WWW-Authenticate: Bearer"
# dualsite ctl: --token-file gives the token; without it the daemon refuses (exit 1)
"$BIN" ctl --control "$CTL" --token-file "$T/token" status >"$T/ctl.out" 2>"$T/ctl.err" ||
	fail "ctl status with --token-file: exit $?: $(cat "$T/ctl.err")"
grep -q "^1 of 1 agent\|^0 of 1 agent" "$T/ctl.out" || fail "ctl status: $(cat "$T/ctl.out")"
"$BIN" ctl --control "$CTL" status >"$T/ctl.out" 2>"$T/ctl.err"
rc=$?
[ "$rc" = 1 ] || fail "ctl status without the token: exit $rc, expected 1"
grep -q "Authorization: Bearer" "$T/ctl.err" || fail "ctl without the token: $(cat "$T/ctl.err")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"

# A regular file where the socket should go: refused, nothing started.
: >"$T/not-a-socket"
"$BIN" run -c "$T/ds.yaml" --all --control "$T/not-a-socket" >"$T/r.out" 2>"$T/r.err"
rc=$?
[ "$rc" = 1 ] || fail "--control on a regular file: exit $rc, expected 1"
grep -q "not a socket" "$T/r.err" || fail "no clear message: $(cat "$T/r.err")"
grep -q "agents started" "$T/r.err" && fail "agents started although the endpoint could not listen"
[ -f "$T/not-a-socket" ] || fail "the regular file was removed"

# A socket nobody listens on (a killed run's) is replaced.
perl -e 'use IO::Socket::UNIX; IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 1) or die "$!"' "$T/stale.sock"
[ -S "$T/stale.sock" ] || fail "could not make a stale socket"
start_dualsite "$T/ds.yaml" --control "$T/stale.sock"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
[ "$(perl "$NET_DIR/http.pl" "$T/stale.sock" GET /v1/status | head -n 1)" = 200 ] ||
	fail "no answer on the replaced socket"
ds_stop
[ ! -e "$T/stale.sock" ] || fail "the socket is still there after the exit"
