# GET /metrics: Prometheus text format 0.0.4 that `promtool check metrics` accepts,
# with the series of docs/behaviour.md §8 and no agent-name label; the figures
# follow what the events say (agents per site before and after a manual
# switchover, REGISTER attempts = registered events, switchovers by reason). A real
# Prometheus scrapes the running `run` and, through its HTTP API, sees the agents
# per site change with the switchover.
. "$(dirname "$0")/lib.sh"
net_init "$@"
sh "$ROOT/scripts/deps.sh" prometheus || fail "promtool is needed: scripts/deps.sh prometheus failed"
free_port CPORT
CTL=127.0.0.1:$CPORT
control_run "$CTL"

scrape() {
	perl "$NET_DIR/http.pl" "$CTL" GET /metrics >"$T/m.out" 2>"$T/m.err" ||
		fail "GET /metrics: no answer: $(cat "$T/m.err")"
	[ "$(head -n 1 "$T/m.out")" = 200 ] || fail "GET /metrics: $(head -n 3 "$T/m.out")"
	tail -n +2 "$T/m.out" >"$T/metrics.txt"
}
# val SERIES: the value of one series (exact name and labels), or "none".
val() { awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print "none" }' "$T/metrics.txt"; }
want() { [ "$(val "$1")" = "$2" ] || fail "$1 = $(val "$1"), expected $2"; }

scrape
promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$T/promtool.out")"
grep -q 'alice\|bob' "$T/metrics.txt" && fail "an agent's name in the metrics: $(grep 'alice\|bob' "$T/metrics.txt")"
for m in dualsite_agents dualsite_registrations dualsite_server_up dualsite_probe_rtt_seconds \
	dualsite_switchovers_total dualsite_restores_total dualsite_register_attempts_total \
	dualsite_calls_active dualsite_calls_total process_cpu_seconds_total \
	process_resident_memory_bytes process_start_time_seconds; do
	grep -q "^# TYPE $m " "$T/metrics.txt" || fail "no $m in the metrics"
done
want 'dualsite_agents{kind="sip",site="SiteX",state="connected"}' 1
want 'dualsite_agents{kind="sip",site="SiteY",state="connected"}' 1
want 'dualsite_agents{kind="sip",site="",state="out-of-service"}' 0
want 'dualsite_registrations{proxy="0",site="SiteX",state="registered"}' 1
want 'dualsite_registrations{proxy="1",site="SiteY",state="registered"}' 1
want 'dualsite_server_up{server="SIP_X",kind="sip",site="SiteX"}' 1
ok=$(( $(val 'dualsite_register_attempts_total{proxy="0",result="ok"}') + \
	$(val 'dualsite_register_attempts_total{proxy="1",result="ok"}') ))
[ "$ok" = $(( $(ev_count alice registered) + $(ev_count bob registered) )) ] ||
	fail "REGISTER attempts ok = $ok, expected the $(( $(ev_count alice registered) + $(ev_count bob registered) )) registered events"
n=$(val 'dualsite_probe_rtt_seconds_count{server="SIP_X"}')
[ "$n" -ge 1 ] || fail "no probe round trip counted for SIP_X: $n"
want 'dualsite_probe_rtt_seconds_bucket{server="SIP_X",le="+Inf"}' "$n"

# A real Prometheus scrapes us every second.
free_port PPORT
cat >"$T/prom.yml" <<EOC
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: dualsite
    static_configs: [{targets: ["$CTL"]}]
EOC
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" >"$T/prom.log" 2>&1 &
PROM=$!
PIDS="$PIDS $PROM"
# promq QUERY: the value of an instant query's single result ("none" without one).
promq() {
	perl -MHTTP::Tiny -MJSON::PP -e '
		my $r = HTTP::Tiny->new(timeout => 3)->get("http://127.0.0.1:$ARGV[0]/api/v1/query?query=" .
			join("", map { sprintf("%%%02X", ord) } split //, $ARGV[1]));
		my $d = eval { decode_json($r->{content}) } or do { print "none\n"; exit };
		my $res = $d->{data}{result} || [];
		print @$res ? $res->[0]{value}[1] . "\n" : "none\n";' "$PPORT" "$1"
}
y='dualsite_agents{kind="sip",site="SiteY",state="connected"}'
prom_is() { [ "$(promq "$1")" = "$2" ]; }
wait_until 30 prom_is "$y" 1 || fail "Prometheus never saw 1 sip agent at SiteY: $(promq "$y"); $(tail -n 5 "$T/prom.log")"

t0=$(ds_now)
perl "$NET_DIR/http.pl" "$CTL" POST /v1/agents/alice/switchover | head -n 1 | grep -qx 202 ||
	fail "the manual switchover was not accepted"
ev_wait 2 --after "$t0" alice switchover kind=sip from=SiteX to=SiteY reason=manual
wait_until 10 prom_is "$y" 2 || fail "Prometheus did not see 2 sip agents at SiteY after the switchover: $(promq "$y")"
wait_until 10 prom_is 'dualsite_switchovers_total{kind="sip",reason="manual"}' 1 ||
	fail "Prometheus: switchovers_total{manual} is $(promq 'dualsite_switchovers_total{kind="sip",reason="manual"}')"
scrape
want 'dualsite_agents{kind="sip",site="SiteX",state="connected"}' 0
want 'dualsite_switchovers_total{kind="sip",reason="server-loss"}' 0
kill "$PROM"
NET_KEEP_METRICS=${NET_KEEP_METRICS:-}
[ -n "$NET_KEEP_METRICS" ] && cp "$T/metrics.txt" "$NET_KEEP_METRICS"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
