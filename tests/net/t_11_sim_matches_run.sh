# simulate tells the truth about run: SiteX goes silent at t~2 and comes back at t~12
# for real (SIGSTOP/SIGCONT of both SiteX registrars at once, at those instants of
# dualsite's clock); then `dualsite simulate` runs the scenario with the instants the harness
# actually reached. The two event lists must be the same events with the same fields,
# in the same order up to events of one instant, each real t within probe budget + TOL
# of the simulated one.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
down=2 up=12 dur=20
gen_config "$T/ds.yaml"
reached() { fle "$1" "$(ds_now)"; }
start_dualsite "$T/ds.yaml"
# Each signal goes in the middle of a probe interval; the scenario takes the instant
# just after it, when the registrars are certainly stopped (or running again).
wait_until 3 reached $down || fail "clock did not reach t=$down"
wait_until 2 mid_round || fail "no mid-round instant found"
site_signal STOP SiteX
t_down=$SIG_T1
wait_until 11 reached $up || fail "clock did not reach t=$up"
wait_until 2 mid_round || fail "no mid-round instant found"
site_signal CONT SiteX
t_up=$SIG_T1
wait_until 9 reached $dur || fail "clock did not reach t=$dur"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"

cat >"$T/scenario.yaml" <<EOS
agent: alice
duration: $dur
seed: 1
events:
  - {at: $t_down, down: SiteX}
  - {at: $t_up, up: SiteX}
EOS
"$BIN" simulate -c "$T/ds.yaml" --scenario "$T/scenario.yaml" --events - >"$T/sim.jsonl" 2>"$T/sim.err" ||
	fail "dualsite simulate failed: $(cat "$T/sim.err")"
[ -s "$T/sim.jsonl" ] || fail "dualsite simulate printed no events"

# Events up to the simulated duration only (the clean stop comes after it).
awk -v d="$dur" '{ t = $0; sub(/.*"t"[ ]*:[ ]*/, "", t); if (t + 0 < d) print }' "$EV" >"$T/real.jsonl"
slack=$(fcalc "$BUDGET + $TOL")
# Greedy matching: each simulated event, in order, takes the first unmatched real event
# with the same text (t aside) whose t is within slack; nothing may be left over.
awk -v slack="$slack" '
	function key(s) { sub(/"t"[ ]*:[ ]*[0-9.]*[ ]*,[ ]*/, "", s); return s }
	function tval(s) { sub(/.*"t"[ ]*:[ ]*/, "", s); return s + 0 }
	FNR == NR { sim[++ns] = $0; next }
	{ real[++nr] = $0 }
	END {
		bad = 0
		for (i = 1; i <= ns; i++) {
			k = key(sim[i]); ts = tval(sim[i]); found = 0
			for (j = 1; j <= nr; j++) {
				if (used[j] || key(real[j]) != k) continue
				d = tval(real[j]) - ts; if (d < 0) d = -d
				if (d <= slack) { used[j] = 1; found = j; break }
			}
			if (!found) { print "simulated, not seen for real: " sim[i]; bad = 1 }
			else printf "match  sim %.3f  real %.3f  %s\n", ts, tval(real[found]), k > "/dev/stderr"
		}
		for (j = 1; j <= nr; j++) if (!used[j]) { print "real, not simulated: " real[j]; bad = 1 }
		exit bad
	}' "$T/sim.jsonl" "$T/real.jsonl" >"$T/diff.txt" 2>"$T/match.txt"
rc=$?
cat "$T/match.txt" >&2
[ $rc = 0 ] || fail "run and simulate disagree (slack $slack s):
$(cat "$T/diff.txt")
--- simulated:
$(cat "$T/sim.jsonl")"
[ "$(wc -l <"$T/sim.jsonl")" -ge 4 ] || fail "the scenario produced only $(wc -l <"$T/sim.jsonl") events; expected a switchover story"
grep -q '"switchover"' "$T/sim.jsonl" && grep -q '"restore"' "$T/sim.jsonl" ||
	fail "the simulated story lacks a switchover and a restore: $(cat "$T/sim.jsonl")"
