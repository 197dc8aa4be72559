# --log-format json: every log line is one JSON object with ts, level, msg and t.
# A sender's control bytes stay escaped (\xNN) inside the JSON msg strings.
# SIGUSR1: a status summary in the log (agents per site and state, servers), and
# the daemon goes on. --log-level warning: a server declared down is logged (as a
# warning), the info lines (the start, each event) are not.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
gen_config "$T/ds.yaml"
free_port DS_PORT
start_dualsite "$T/ds.yaml" --log-format json --listen "127.0.0.1:$DS_PORT"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y

# a request whose method holds VT and ESC [2K (tests/data/sip-torture/logforge1.sip)
command -v python3 >/dev/null 2>&1 || { echo "$TEST_NAME: 'python3' not found" >&2; exit 2; }
printf 'logforge1   501      501\n' >"$T/forge.txt"
python3 "$NET_DIR/sipsend.py" 127.0.0.1 "$DS_PORT" "$ROOT/tests/data/sip-torture" "$T/forge.txt" udp \
	>"$T/forge.out" 2>&1 || fail "the forged request was not answered 501: $(cat "$T/forge.out")"
wait_until 3 grep -q '"msg": "[^"]*FAKE\\\\x0b\\\\x1b\[2K' "$T/ds.err" ||
	fail "the forged method is not in a JSON msg as \\x0b\\x1b: $(grep FAKE "$T/ds.err" | od -c | head -5)"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/ds.err"; then
	fail "run's JSON log holds control bytes"
fi

kill -USR1 "$DS_PID"
wait_until 3 grep -q '"msg": "status: sip: SiteX 1 connected; out of service 0"' "$T/ds.err" ||
	fail "no status summary after SIGUSR1: $(tail -n 5 "$T/ds.err")"
grep -q '"msg": "status: servers 4 of 4 up"' "$T/ds.err" || fail "the summary does not count the servers"
ds_alive || fail "SIGUSR1 stopped dualsite"
perl -MJSON::PP -ne '
	next if /^\S+:\d+:\d+: (warning|error): /;   # the configuration diagnostics
	my $o = eval { decode_json($_) } or die "not JSON: $_";
	for my $k (qw(ts level msg t)) { exists $o->{$k} or die "no $k: $_" }
	$o->{ts} =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ or die "ts: $_";
	$o->{level} =~ /^(error|warning|info|debug)$/ or die "level: $_";' "$T/ds.err" 2>"$T/json.err" ||
	fail "a log line is not a JSON object with ts, level, msg, t: $(cat "$T/json.err")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"

start_dualsite "$T/ds.yaml" --log-level warning
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
kam_signal KILL KX
ev_wait "$(fcalc "$BUDGET + $TOL + 1")" --after "$SIG_T0" alice ha-switch kind=sip from=SIP_X to=SIP_X_B
wait_until 2 grep -q "warning: server SIP_X (sip 127.0.0.1:$(kport KX)) is down after 2 failed probes" "$T/ds.err" ||
	fail "--log-level warning: no warning for SIP_X down: $(cat "$T/ds.err")"
grep -q "agents started\|ha-switch" "$T/ds.err" && fail "--log-level warning logged info lines: $(cat "$T/ds.err")"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
