# Start-up at scale (sh bench/net/register.sh /abs/path/to/dualsite [N]): N
# agents (default 1,000) in dual mode against four real Kamailio registrars
# WITH digest auth. Prints the time until every agent is registered at both
# sites and connected, dualsite's CPU per REGISTER transaction and its
# resident memory per agent. Uses the integration tests' harness.
# N = smoke: 5 agents, and a check that every figure is printed (`make bench-smoke`).
. "$(dirname "$0")/../../tests/net/lib.sh"
. "$(dirname "$0")/../figures.sh"
N=${2:-1000}
SMOKE=""
[ "$N" = smoke ] && SMOKE=1 N=5
net_init "$1"
two_sites
gen_config "$T/ds.yaml" dualsite.random-delay-range=2 sipendpoint.proxies.proxy0.reg_timeout=3600 \
	sipendpoint.proxies.proxy1.reg_timeout=3600
awk -v n="$N" 'BEGIN { for (i = 2; i <= n; i++) {
	printf "  agent%d:\n    tenant: Environment\n    place: Place_%d\n", i, 7000 + i
	printf "    sip: {user: \"%d\", password-env: DS_PW_ALICE}\n", 7000 + i } }' >>"$T/ds.yaml"
awk -v n="$N" 'BEGIN { for (i = 3; i <= n; i++)
	printf "  Place_%d:\n    dns:\n      - {switch: SW_X, number: \"%d\"}\n      - {switch: SW_Y, number: \"%d\"}\n", 7000 + i, 7000 + i, 7000 + i }' >"$T/places"
# the generated places go under `places:` (before `persons:`); Place_7002 is there
awk -v f="$T/places" '/^persons:/ { while ((getline l < f) > 0) print l } { print }' "$T/ds.yaml" >"$T/ds2.yaml"
"$BIN" validate -c "$T/ds2.yaml" >/dev/null || fail "generated configuration does not validate"
start_dualsite "$T/ds2.yaml"
all_registered() { [ "$(grep -c '"event": "registered"' "$EV")" -ge $((2 * N)) ]; }
wait_until 120 all_registered || fail "not every agent registered at both sites within 120 s"
last=$(grep '"event": "registered"' "$EV" | sed -n 's/.*"t": \([0-9.]*\).*/\1/p' | sort -n | tail -n 1)
conn=$(grep -c '"event": "connected", "kind": "sip"' "$EV")
ticks=$(awk '{ print $14 + $15 }' "/proc/$DS_PID/stat")
hz=$(getconf CLK_TCK)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$DS_PID/status")
[ -z "$SMOKE" ] || figures "register $N agents" "$last" "$conn" "$ticks" "$rss"
echo "register: $N agents, dual mode, digest auth, random-delay-range 2 s"
echo "  every agent registered at both sites by t = $last s ($conn sip connections)"
echo "  dualsite CPU so far: $(fcalc "$ticks / $hz") s for $((2 * N)) REGISTER transactions" \
	"($(fcalc "$ticks / $hz / (2 * $N) * 1000000") us each, challenge included)"
echo "  resident memory: $rss kB, $(fcalc "$rss / $N") kB per agent"
