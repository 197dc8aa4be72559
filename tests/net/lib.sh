# Shared harness of the integration tests: processes, ports, waits, events, registrars.
#
# A test is `sh tests/net/t_NN_name.sh /abs/path/to/dualsite`. It sources this file
# and calls net_init "$@" first. Everything it starts is recorded by PID (or process
# group, for Kamailio) and stopped by that id on exit, failure or interrupt; its files
# live in one temporary directory ($T) removed at the end (kept with NET_KEEP=1, or
# always kept and printed when the test fails).
#
# Times: dualsite's events carry t = seconds since its start. The harness pins that
# start on the wall clock (DS_T0_MS, from run's first time-stamped log line, else the
# launch time); ds_now gives "now" in the events' frame. TOL (seconds, default 0.5,
# NET_TOL overrides) absorbs process scheduling and the harness's 0.1 s polling.

NET_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$NET_DIR/../.." && pwd)
KAM_CFG=$ROOT/scripts/kamailio/registrar.cfg
SIPP_DIR=$NET_DIR/sipp
TEST_NAME=$(basename "$0" .sh)
TOL=${NET_TOL:-0.5}
PIDS=""        # processes this test started (killed by PID)
PGIDS=""       # process groups this test started (Kamailio: main PID = group id)
USED_PORTS=""
DS_PID=""
T=""

# ---- reporting -----------------------------------------------------------------

note() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }

# fail MESSAGE: says what was expected and what happened, shows the logs, exits 1.
fail() {
	printf 'FAIL %s: %s\n' "$TEST_NAME" "$*" >&2
	NET_FAILED=1
	if [ -n "$T" ]; then
		for f in "$T"/events.jsonl "$T"/ds.err; do
			[ -s "$f" ] || continue
			printf -- '--- %s (last 40 lines)\n' "$f" >&2
			tail -n 40 "$f" >&2
		done
	fi
	exit 1
}

# ---- set-up and clean-up ---------------------------------------------------------

net_init() {
	BIN=${1:-}
	[ -n "$BIN" ] || { echo "usage: sh $0 /abs/path/to/dualsite" >&2; exit 2; }
	case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
	[ -x "$BIN" ] || { echo "$TEST_NAME: $BIN is not an executable" >&2; exit 2; }
	for tool in kamailio kamcmd sipp ss perl pgrep; do
		command -v "$tool" >/dev/null 2>&1 ||
			{ echo "$TEST_NAME: '$tool' not found; run scripts/deps.sh" >&2; exit 2; }
	done
	T=$(mktemp -d "${TMPDIR:-/tmp}/dsnet-$TEST_NAME.XXXXXX")
	NET_FAILED=0
	trap cleanup EXIT
	trap 'NET_FAILED=1; exit 130' INT TERM HUP
}

# cleanup: resumes and stops only what this test started, by PID or process group.
cleanup() {
	set +e
	for g in $PGIDS; do kill -CONT "-$g" 2>/dev/null; done
	for p in $PIDS; do kill -CONT "$p" 2>/dev/null; done
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for g in $PGIDS; do kill -TERM "-$g" 2>/dev/null; done
	deadline=$(($(now_ms) + 3000))
	for p in $PIDS $PGIDS; do
		while proc_running "$p" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.1; done
	done
	for p in $PIDS; do proc_running "$p" && kill -KILL "$p" 2>/dev/null; done
	for g in $PGIDS; do kill -KILL "-$g" 2>/dev/null; done
	for ns in $NETNS; do
		ip netns delete "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
		rmdir /etc/netns 2>/dev/null # only when no other namespace's folder is left
	done
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${NET_KEEP:-0}" = 1 ] || [ "$NET_FAILED" != 0 ]; then
			echo "$TEST_NAME: files kept in $T" >&2
		else
			rm -rf "$T"
		fi
	fi
}

# ---- clocks and waits --------------------------------------------------------------

now_ms() { date +%s%3N; }

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds (0) or the
# deadline passes (1). The only poll loop of the suite: a condition with a deadline.
wait_until() {
	_wu_end=$(($(now_ms) + $(fmul "$1" 1000)))
	shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -ge "$_wu_end" ] && return 1
		sleep 0.1 # the poll step of this deadline loop
	done
}

# Decimal arithmetic (sh has integers only).
fcalc() { awk "BEGIN { printf \"%.3f\", $* }"; }
fmul() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a * b }'; }
# fle A B: A <= B; flt A B: A < B.
fle() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
flt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# check_between WHAT VALUE LOW HIGH: fails unless LOW <= VALUE <= HIGH.
check_between() {
	fle "$3" "$2" && fle "$2" "$4" ||
		fail "$1 = $2 s, expected between $3 and $4 s"
	note "$1 = $2 s (bounds $3 .. $4)"
}

# ---- processes ---------------------------------------------------------------------

# proc_running PID: the process (or the group leader) exists and is not a zombie.
proc_running() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(awk '{ sub(/.*\) /, ""); print substr($0, 1, 1) }' "/proc/$1/stat" 2>/dev/null)
	[ -n "$_st" ] && [ "$_st" != Z ]
}
proc_gone() { ! proc_running "$1"; }

# wait_exit SECONDS PID: waits for a child of this shell to exit; sets EXIT_RC.
wait_exit() {
	wait_until "$1" proc_gone "$2" || return 1
	wait "$2"
	EXIT_RC=$?
	return 0
}

# ---- ports -------------------------------------------------------------------------

port_free() {
	[ -z "$(ss -Hlntu "sport = :$1" 2>/dev/null)" ] || return 1
	case " $USED_PORTS " in *" $1 "*) return 1 ;; esac
	return 0
}

# free_port VAR: sets VAR to a port of 127.0.0.1 free for both UDP and TCP and not yet
# handed out by this test. Ports are taken at random in 20000..32767 so that tests
# running side by side rarely meet, and below the kernel's ephemeral range
# (32768..60999 here): `ss -l` sees listeners only, and a client socket that
# dualsite (or anything else) bound to an ephemeral port meanwhile made
# Kamailio's bind fail with "Address already in use". It sets a variable instead of printing the port:
# inside $(...) the record in USED_PORTS (and a `fail`) would stay in the subshell.
free_port() {
	_n=0
	while [ $_n -lt 200 ]; do
		_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12768))
		if port_free "$_p"; then
			USED_PORTS="$USED_PORTS $_p"
			eval "$1=\$_p"
			return 0
		fi
		_n=$((_n + 1))
	done
	fail "no free port found in 20000..32767"
}

# ---- network namespaces ---------------------------------------------------------------

# netns_two SRV_ADDR AGENT_ADDR: two network namespaces of this test, $NS_SRV (the
# servers, SRV_ADDR/24) and $NS_AG (the agent, AGENT_ADDR/24), joined by a veth pair,
# loopback up in both. Removed (with any /etc/netns/NAME folder) by cleanup. Runs the
# servers with KAM_WRAP and dualsite with DS_WRAP inside them.
NETNS=""
netns_two() {
	command -v ip >/dev/null 2>&1 || { echo "$TEST_NAME: 'ip' not found (iproute2)" >&2; exit 2; }
	NS_SRV=dss$$ NS_AG=dsa$$
	for ns in "$NS_SRV" "$NS_AG"; do
		ip netns add "$ns" || fail "cannot create network namespace $ns (needs root)"
		NETNS="$NETNS $ns"
		ip -n "$ns" link set lo up
	done
	ip link add "vs$$" netns "$NS_SRV" type veth peer name "va$$" netns "$NS_AG" ||
		fail "cannot create the veth pair vs$$/va$$"
	ip -n "$NS_SRV" addr add "$1/24" dev "vs$$"
	ip -n "$NS_AG" addr add "$2/24" dev "va$$"
	ip -n "$NS_SRV" link set "vs$$" up
	ip -n "$NS_AG" link set "va$$" up
	KAM_WRAP="ip netns exec $NS_SRV"
	DS_WRAP="ip netns exec $NS_AG"
}

# start_dnsmasq ADDR: a DNS server (dnsmasq, from scripts/deps.sh realnet) in $NS_SRV on
# ADDR:53, answering from the hosts file $T/hosts only (re-read on SIGHUP) with
# TTL ${DNS_TTL:-2} s; the agent's namespace uses it (/etc/netns/$NS_AG/resolv.conf,
# removed by cleanup). DNS_ARGS: more dnsmasq options (e.g. --srv-host=...). Sets DNS_PID.
start_dnsmasq() {
	command -v dnsmasq >/dev/null 2>&1 || sh "$ROOT/scripts/deps.sh" realnet ||
		{ echo "$TEST_NAME: dnsmasq not found; run scripts/deps.sh realnet" >&2; exit 2; }
	[ -f "$T/hosts" ] || : >"$T/hosts"
	ip netns exec "$NS_SRV" dnsmasq --no-daemon -C /dev/null -u root --port=53 \
		--listen-address="$1" --bind-interfaces --no-resolv --no-hosts \
		--addn-hosts="$T/hosts" --local-ttl="${DNS_TTL:-2}" --log-queries ${DNS_ARGS:-} \
		--log-facility="$T/dnsmasq.log" >"$T/dnsmasq.out" 2>&1 &
	DNS_PID=$!
	PIDS="$PIDS $DNS_PID"
	mkdir -p "/etc/netns/$NS_AG"
	echo "nameserver $1" >"/etc/netns/$NS_AG/resolv.conf"
	wait_until 5 grep -qs "started" "$T/dnsmasq.log" ||
		fail "dnsmasq did not start: $(cat "$T/dnsmasq.out" "$T/dnsmasq.log" 2>/dev/null | tail -n 3)"
}

# ---- Kamailio registrars -------------------------------------------------------------

# start_kamailio NAME PORT SITE [kamailio args...]: one registrar on 127.0.0.1:PORT (UDP
# and TCP) with password $SIP_PASSWORD; waits (5 s deadline) until it answers on its
# control socket. Sets KPID_NAME (main PID), KPORT_NAME, KSITE_NAME. Extra args: e.g.
# -A NOAUTH.
# Kamailio is a main process and ~8 children sharing the sockets. Registrars of one
# SITE share one process group (SGRP_SITE), so that site_signal stops or kills a whole
# site in one kill(2), atomically: two kills in a row could fall on either side of a
# probe round on a loaded machine and turn a site loss into an HA switch.
start_kamailio() {
	_name=$1 _port=$2 _site=$3
	shift 3
	rm -f "$T/$_name.pid"
	_grp=$(sgrp "$_site")
	if [ -n "$_grp" ] && kam_group_gone "$_grp"; then
		# The site's group died with its last member: forget its id, so that
		# cleanup never signals a group that reuses it.
		PGIDS=$(printf '%s\n' $PGIDS | grep -vx "$_grp" | tr '\n' ' ')
		_grp=""
	fi
	[ -n "$_grp" ] || _grp=0
	perl -e '$g = shift; setpgrp(0, $g) or die "setpgrp $g: $!\n"; exec @ARGV or die "exec: $!\n"' \
		"$_grp" ${KAM_WRAP:-} kamailio -DD -E -f "$KAM_CFG" -P "$T/$_name.pid" -m 64 -M 8 \
		-A "PORT=$_port" -A "CTLSOCK=\"unix:$T/$_name.ctl\"" \
		-A "PASSWORD=\"${SIP_PASSWORD:-secret}\"" "$@" >"$T/$_name.log" 2>&1 &
	_pid=$!
	if [ "$_grp" = 0 ]; then
		eval "SGRP_$_site=$_pid"
		PGIDS="$PGIDS $_pid"
	fi
	eval "KPID_$_name=$_pid KPORT_$_name=$_port KSITE_$_name=$_site"
	wait_until 20 kam_ready_or_dead "$_name" "$_pid" && kam_ready "$_name" ||
		fail "kamailio $_name (port $_port) did not come up in 20 s; log: $(tail -n 5 "$T/$_name.log")"
	[ "$(cat "$T/$_name.pid")" = "$_pid" ] ||
		fail "kamailio $_name wrote PID $(cat "$T/$_name.pid"), expected $_pid"
	eval "KKIDS_$_name=\"$(ps -o pid= --ppid "$_pid" | tr -s ' \n' '  ')\""
}

kam_ready() {
	[ -s "$T/$1.pid" ] && kamcmd -s "unix:$T/$1.ctl" core.version >/dev/null 2>&1
}

kam_ready_or_dead() { kam_ready "$1" || proc_gone "$2"; }

kpid() { eval "echo \${KPID_$1}"; }
kport() { eval "echo \${KPORT_$1}"; }
ksite() { eval "echo \${KSITE_$1}"; }
kpids() { eval "echo \${KPID_$1} \${KKIDS_$1}"; }
sgrp() { eval "echo \${SGRP_$1:-}"; }

# signal_t SIG TARGETS...: one kill call. With dualsite running, SIG_T0 and SIG_T1 are
# dualsite's t just before and just after it: a check of "no earlier than" uses
# SIG_T0, "no later than" SIG_T1, so the harness's own delays (a loaded machine)
# cannot make a correct dualsite fail.
signal_t() {
	_sig=$1
	shift
	[ -n "$DS_PID" ] && SIG_T0=$(ds_now)
	kill "-$_sig" "$@" || fail "kill -$_sig $* failed"
	[ -n "$DS_PID" ] && SIG_T1=$(ds_now)
	return 0
}

# kam_signal SIG NAME...: signals registrars, main process and children (the main PID
# alone leaves the children answering).
kam_signal() {
	_sig=$1 _pids=""
	shift
	for _k in "$@"; do _pids="$_pids $(kpids "$_k")"; done
	signal_t "$_sig" $_pids
	[ -n "$DS_PID" ] && note "SIG$_sig to $* at t=$SIG_T0..$SIG_T1"
	return 0
}

# site_signal SIG SITE: signals every registrar of SITE at one instant (one kill(2) on
# the site's process group).
site_signal() {
	_g=$(sgrp "$2")
	[ -n "$_g" ] || fail "no registrars started for site $2"
	signal_t "$1" "-$_g"
	[ -n "$DS_PID" ] && note "SIG$1 to site $2 at t=$SIG_T0..$SIG_T1"
	return 0
}

# mid_round: dualsite's clock is well inside a probe interval (between 30% and 60% of
# it), far from the instants probes are sent. Tests that must not straddle a probe
# round wait for it: wait_until 2 mid_round.
mid_round() {
	awk -v t="$(ds_now)" -v i="$PROBE_INTERVAL" 'BEGIN { f = t / i - int(t / i); exit !(f >= 0.3 && f <= 0.6) }'
}

kam_group_gone() { ! pgrep -g "$1" >/dev/null 2>&1; }
kam_gone() {
	for _p in $(kpids "$1"); do proc_running "$_p" && return 1; done
	return 0
}

# kam_stop NAME: SIGTERM to the main process (it stops its children); waits for all.
kam_stop() {
	kill -TERM "$(kpid "$1")" 2>/dev/null
	wait_until 5 kam_gone "$1" || fail "kamailio $1 did not stop in 5 s"
}

# kam_restart NAME: a registrar that was killed comes back on the same port and site
# (its bindings are gone, as after a real restart).
kam_restart() {
	_rp=$(kport "$1")
	wait_until 5 kam_gone "$1" || fail "kamailio $1 still running"
	wait_until 5 port_free_any "$_rp" || fail "port $_rp of $1 is still held"
	start_kamailio "$1" "$_rp" "$(ksite "$1")"
}
port_free_any() { [ -z "$(ss -Hlntu "sport = :$1" 2>/dev/null)" ]; }

kam() {
	_k=$1
	shift
	kamcmd -s "unix:$T/$_k.ctl" "$@"
}

# bindings NAME AOR: the Contact addresses the registrar holds for AOR, one a line.
bindings() {
	kam "$1" ul.lookup location "s:$2" 2>&1 | sed -n 's/^[[:space:]]*Address: *//p'
}
# binding_socket NAME AOR: the registrar's sockets the bindings came in on
# ("udp:127.0.0.1:5061", "tcp:..."), one a line.
binding_socket() {
	kam "$1" ul.lookup location "s:$2" 2>&1 | sed -n 's/^[[:space:]]*Socket: *//p'
}
has_binding() { [ -n "$(bindings "$1" "$2")" ]; }
no_binding() { [ -z "$(bindings "$1" "$2")" ]; }

# ul_rm NAME AOR: the registrar forgets AOR's bindings without telling the phone.
ul_rm() {
	_out=$(kam "$1" ul.rm location "s:$2" 2>&1)
	case $_out in *error*) fail "ul.rm $2 at $1: $_out" ;; esac
}

# register_count NAME: REGISTER requests the registrar has received.
register_count() {
	kam "$1" stats.get_statistics rcv_requests_register 2>&1 |
		sed -n 's/.*rcv_requests_register = *\([0-9]*\).*/\1/p'
}

# ---- sipp ----------------------------------------------------------------------------

# start_sipp NAME ARGS...: sipp in the background (no stdin, on 127.0.0.1, or on
# $SIPP_IP when set), output and its -trace_logs log under $T/NAME.*; sets SPID_NAME.
start_sipp() {
	_name=$1
	shift
	sipp -nostdin -i "${SIPP_IP:-127.0.0.1}" "$@" -trace_logs -log_file "$T/$_name.log" \
		-trace_err -error_file "$T/$_name.err" >"$T/$_name.out" 2>&1 &
	_pid=$!
	PIDS="$PIDS $_pid"
	eval "SPID_$_name=$_pid"
}
spid() { eval "echo \${SPID_$1}"; }

# ---- configuration -------------------------------------------------------------------

# Probe timing of every test configuration (Application options) and the probe budget
# of docs/behaviour.md §3.1: the longest time from a server going silent to dualsite declaring it down.
PROBE_INTERVAL=0.5
PROBE_TIMEOUT=0.5
PROBE_FAILURES=2
SERVER_TRANSPORT=udp
BUDGET=$(awk "BEGIN { printf \"%.3f\", $PROBE_FAILURES * $PROBE_INTERVAL + $PROBE_TIMEOUT }")

# gen_config FILE [option=value ...]: a two-site configuration on the ports in
# PORT_X, PORT_XB, PORT_Y, PORT_YB (SIP_X/SIP_X_B at SiteX, SIP_Y/SIP_Y_B at SiteY,
# see SERVER_TRANSPORT), one agent alice (DN 7001 on both switches, password from the environment
# variable DS_PW_ALICE; with WITH_BOB=1 also bob: DN 7002, preferred site SiteY, same
# password). The application's interaction-workspace options are the
# short-timing defaults below; each option=value replaces or adds one.
# The servers accept $SERVER_TRANSPORT (default udp; e.g. "[udp, tcp]").
# Only SIP Servers are connected: stat and config are not connected kinds, so docs/behaviour.md
# §2.3 rule 5 asks nothing of them, and the tests need no TCP listeners.
gen_config() {
	_file=$1
	shift
	_defaults="disaster-recovery.enabled=true
disaster-recovery.preferred-site=SiteX
disaster-recovery.peer-site=SiteY
disaster-recovery.timeout=3
disaster-recovery.wait-for-sipphone-timeout=3
disaster-recovery.auto-restore=true
sipendpoint.proxies.proxy0.reg_timeout=60
sipendpoint.proxies.proxy1.reg_timeout=60
sipendpoint.proxies.proxy0.reregister_in_seconds=2
sipendpoint.proxies.proxy1.reregister_in_seconds=2
dualsite.registration-mode=dual
dualsite.probe-interval=$PROBE_INTERVAL
dualsite.probe-timeout=$PROBE_TIMEOUT
dualsite.probe-failures=$PROBE_FAILURES
dualsite.register-timeout=1
dualsite.restore-hold-down=2
dualsite.random-delay-range=0
dualsite.answer-delay=0.2"
	{
		cat <<EOF
# generated by tests/net/lib.sh gen_config for $TEST_NAME
application:
  name: Workspace
  connections: [SIP_X, SIP_Y]
  options:
    interaction-workspace:
EOF
		printf '%s\n' "$_defaults" | awk -v over="$*" '
			BEGIN { n = split(over, o, " ")
				for (i = 1; i <= n; i++) { k = o[i]; sub(/=.*/, "", k); v = o[i]
					sub(/^[^=]*=/, "", v); val[k] = v; order[i] = k } }
			{ k = $0; sub(/=.*/, "", k); v = $0; sub(/^[^=]*=/, "", v)
			  if (k in val) { v = val[k]; done[k] = 1 }
			  printf "      %s: %s\n", k, v }
			END { for (i = 1; i <= n; i++) if (!(order[i] in done))
				printf "      %s: %s\n", order[i], val[order[i]] }'
		cat <<EOF
servers:
  SIP_X:   {kind: sip, host: ${SERVER_HOST:-127.0.0.1}, port: $PORT_X, transport: $SERVER_TRANSPORT, switch: SW_X, backup: SIP_X_B,
            options: {interaction-workspace: {disaster-recovery.site: SiteX}}}
  SIP_X_B: {kind: sip, host: ${SERVER_HOST:-127.0.0.1}, port: $PORT_XB, transport: $SERVER_TRANSPORT, switch: SW_X,
            options: {interaction-workspace: {disaster-recovery.site: SiteX}}}
  SIP_Y:   {kind: sip, host: ${SERVER_HOST:-127.0.0.1}, port: $PORT_Y, transport: $SERVER_TRANSPORT, switch: SW_Y, backup: SIP_Y_B,
            options: {interaction-workspace: {disaster-recovery.site: SiteY}}}
  SIP_Y_B: {kind: sip, host: ${SERVER_HOST:-127.0.0.1}, port: $PORT_YB, transport: $SERVER_TRANSPORT, switch: SW_Y,
            options: {interaction-workspace: {disaster-recovery.site: SiteY}}}
switches:
  SW_X: {}
  SW_Y: {}
tenants:
  Environment: {}
places:
  Place_7001:
    dns:
      - {switch: SW_X, number: "7001"}
      - {switch: SW_Y, number: "7001"}
  Place_7002:
    dns:
      - {switch: SW_X, number: "7002"}
      - {switch: SW_Y, number: "7002"}
persons:
  alice:
    tenant: Environment
    place: Place_7001
    sip: {user: "7001", password-env: DS_PW_ALICE}
EOF
		[ "${WITH_BOB:-0}" = 1 ] && cat <<EOF
  bob:
    tenant: Environment
    place: Place_7002
    sip: {user: "7002", password-env: DS_PW_ALICE}
    options:
      interaction-workspace: {disaster-recovery.preferred-site: SiteY, disaster-recovery.peer-site: SiteX}
EOF
	} >"$_file"
	"$BIN" validate -c "$_file" >"$T/validate.out" 2>&1 ||
		fail "dualsite validate rejects the generated $_file: $(cat "$T/validate.out")"
}

# two_sites [KAMAILIO ARGS...]: four registrars (KX, KXB at SiteX; KY, KYB at SiteY)
# on free ports, each started with the extra args (e.g. -A NOAUTH), and PORT_* set
# for gen_config. The registrar names map to servers: KX=SIP_X ...
two_sites() {
	SIP_PASSWORD=${SIP_PASSWORD:-pw-$$}
	export DS_PW_ALICE=${DS_PW_ALICE:-$SIP_PASSWORD}
	free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
	start_kamailio KX "$PORT_X" SiteX "$@"
	start_kamailio KXB "$PORT_XB" SiteX "$@"
	start_kamailio KY "$PORT_Y" SiteY "$@"
	start_kamailio KYB "$PORT_YB" SiteY "$@"
}

# ---- dualsite run and its events ---------------------------------------------------------

# start_dualsite CFG [run args...]: `dualsite run -c CFG --all --events $T/events.jsonl
# --seed ${DS_SEED:-1}` in the background (extra run args after CFG); sets DS_PID, DS_T0_MS.
EV=""
start_dualsite() {
	_cfg=$1
	shift
	EV=$T/events.jsonl
	: >"$EV"
	DS_T0_MS=$(now_ms)
	${DS_WRAP:-} "$BIN" run -c "$_cfg" --all --events "$EV" --seed "${DS_SEED:-1}" "$@" >"$T/ds.out" 2>"$T/ds.err" &
	DS_PID=$!
	PIDS="$PIDS $DS_PID"
	wait_until 5 ds_logged_or_dead
	ds_sync_t0
}

# control_run ADDR: the control tests' start: two_sites, alice and bob
# (WITH_BOB) in $T/ds.yaml, `run --control ADDR`, and both at home, registered
# at their other site too: alice on SiteX (proxy 1 at SiteY), bob on SiteY.
control_run() {
	two_sites
	WITH_BOB=1 gen_config "$T/ds.yaml"
	start_dualsite "$T/ds.yaml" --control "$1"
	ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
	ev_wait 5 bob connected kind=sip site=SiteY server=SIP_Y
	ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
	ev_wait 5 bob registered proxy=1 site=SiteX
}

# The first stderr line of `run` is stamped with the wall clock and its t
# ("2026-11-24T06:54:55.450Z [      0.000] ..."): it pins dualsite's t = 0 to the
# millisecond. Without such a line DS_T0_MS stays the launch time (a few ms early).
DS_LOG_RE='^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z \[ *[0-9.]*\]'
ds_logged_or_dead() { grep -q "$DS_LOG_RE" "$T/ds.err" 2>/dev/null || ! ds_alive; }
ds_sync_t0() {
	_l=$(grep -m 1 "$DS_LOG_RE" "$T/ds.err" 2>/dev/null) || return 0
	_wall=$(date -u -d "${_l%%Z*}Z" +%s%3N 2>/dev/null) || return 0
	_rel=$(printf '%s\n' "$_l" | sed 's/^[^[]*\[ *\([0-9.]*\)\].*/\1/')
	DS_T0_MS=$(awk -v w="$_wall" -v r="$_rel" 'BEGIN { printf "%.0f", w - r * 1000 }')
}

# ds_now: seconds since dualsite started, in the frame of the events' t.
ds_now() { fcalc "($(now_ms) - $DS_T0_MS) / 1000"; }

ds_alive() {
	[ -n "$DS_PID" ] && proc_running "$DS_PID"
}

# ev_find [--after T] [--before T] AGENT EVENT [FIELD=VALUE ...]: prints the matching
# event lines of $EV in order. A VALUE matches a JSON string or number exactly.
ev_find() {
	_after=-1 _before=1e18
	while :; do
		case $1 in
		--after) _after=$2; shift 2 ;;
		--before) _before=$2; shift 2 ;;
		*) break ;;
		esac
	done
	awk -v after="$_after" -v before="$_before" -v agent="$1" -v ev="$2" -v conds="$(shift 2; echo "$*")" '
		function has(k, v) { return $0 ~ ("\"" k "\"[ ]*:[ ]*(\"" v "\"|" v ")[ ]*[,}]") }
		BEGIN { n = split(conds, c, " ") }
		{
			t = $0
			if (!sub(/.*"t"[ ]*:[ ]*/, "", t)) next
			sub(/[ ,}].*/, "", t)
			if (t + 0 <= after + 0 || t + 0 >= before + 0) next
			if (!has("agent", agent) || !has("event", ev)) next
			for (i = 1; i <= n; i++) {
				k = c[i]; sub(/=.*/, "", k); v = c[i]; sub(/^[^=]*=/, "", v)
				if (!has(k, v)) next
			}
			print
		}' "$EV"
}

ev_first() { ev_find "$@" | head -n 1; }
ev_has() { [ -n "$(ev_first "$@")" ]; }
ev_count() { ev_find "$@" | wc -l | tr -d ' '; }

# ev_t LINE: the event's t.  ev_field LINE NAME: a string or number field.
ev_t() { printf '%s\n' "$1" | sed -n 's/.*"t"[ ]*:[ ]*\([0-9.]*\).*/\1/p'; }
ev_field() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\"[ ]*:[ ]*\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"
}

# ev_wait SECONDS [--after T] AGENT EVENT [FIELD=VALUE ...]: waits for the event; prints
# its line (EV_LINE) and t (EV_T). Fails at once if dualsite died, or at the deadline.
ev_wait() {
	_sec=$1
	shift
	wait_until "$_sec" ev_seen "$@"
	ev_has "$@" || {
		ds_alive || fail "dualsite exited while waiting for: $*; stderr: $(tail -n 5 "$T/ds.err")"
		fail "no event matching [$*] within $_sec s"
	}
	EV_LINE=$(ev_first "$@")
	EV_T=$(ev_t "$EV_LINE")
}
# ev_seen: the event is there, or dualsite is gone (no point waiting longer).
ev_seen() {
	ev_has "$@" && return 0
	ds_alive && return 1
	return 0
}

# ev_absent_for SECONDS WHAT [--after T] AGENT EVENT ...: fails if the event shows up
# within SECONDS (a bounded watch, not a sleep: it returns as soon as it sees one).
ev_absent_for() {
	_sec=$1 _what=$2
	shift 2
	if wait_until "$_sec" ev_has "$@"; then
		fail "$_what: unexpected event $(ev_first "$@")"
	fi
	ds_alive || fail "dualsite exited during the watch; stderr: $(tail -n 5 "$T/ds.err")"
}

# ds_stop: SIGTERM to dualsite; waits (10 s) for it to exit; sets DS_RC.
ds_stop() {
	kill -TERM "$DS_PID" 2>/dev/null || fail "dualsite (PID $DS_PID) was not running at stop"
	wait_exit 10 "$DS_PID" || fail "dualsite did not exit within 10 s of SIGTERM"
	DS_RC=$EXIT_RC
}


# ---- shared scenario: the whole current site is lost ---------------------------------------

# site_loss SIGNAL: alice runs at SiteX; both SiteX registrars get SIGNAL (STOP: silent,
# KILL: refused) at once. docs/behaviour.md §3.2: the connection is lost when both members are
# declared down (within the probe budget), and the switchover to SiteY comes
# disaster-recovery.timeout later: no earlier than outage + timeout, no later than
# outage + timeout + budget (+ TOL for scheduling; random-delay-range is 0).
site_loss() {
	_timeout=3
	gen_config "$T/ds.yaml" disaster-recovery.timeout=$_timeout
	start_dualsite "$T/ds.yaml"
	ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
	ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
	site_signal "$1" SiteX
	_out=$SIG_T0 _out1=$SIG_T1

	ev_wait "$(fcalc "$BUDGET + $TOL + 1")" --after "$_out" alice connection-lost kind=sip site=SiteX
	_lost=$EV_T
	check_between "connection-lost time (outage at $_out..$_out1)" "$_lost" "$_out" "$(fcalc "$_out1 + $BUDGET + $TOL")"
	# The whole site died at one instant: a site loss, not an HA switch first.
	ev_absent_for 0 "site loss must not start with an HA switch" --after "$_out" alice ha-switch

	ev_wait "$(fcalc "$_timeout + $BUDGET + $TOL + 1")" --after "$_out" alice switchover \
		kind=sip from=SiteX to=SiteY reason=server-loss
	_sw=$EV_T
	check_between "switchover time (outage at $_out..$_out1)" "$_sw" "$(fcalc "$_out + $_timeout")" \
		"$(fcalc "$_out1 + $_timeout + $BUDGET + $TOL")"
	check_between "switchover after connection-lost" "$(fcalc "$_sw - $_lost")" "$_timeout" \
		"$(fcalc "$_timeout + $TOL")"
	[ "$(ev_count --after "$_out" alice switchover)" = 1 ] ||
		fail "expected one switchover, got: $(ev_find --after "$_out" alice switchover)"
	# The peer site kept alice registered all along (dual mode).
	ev_absent_for 0 "SiteY registration must survive" --after "$_out" alice registration-lost proxy=1
	has_binding KY 7001 || fail "SIP_Y holds no binding for 7001 after the switchover"
}


# ---- the lab's picture -----------------------------------------------------------------

# svg_note_at_time FILE PANEL TEXT: in the PANEL-th agent panel (1 = first) of the lab's
# SVG, the scenario label "Ts TEXT" stands at its time T on the panel's own axis (its
# ticks "0s" and "2s"): its diamond at x(T) and its text starting just right of it, whole.
svg_note_at_time() {
	awk -v want_panel="$2" -v text="$3" '
		/<svg x="0" y="[0-9.]*"/ { panel++ }
		panel != want_panel { next }
		!x0 && match($0, /<text x="[0-9.]*" y="[0-9.]*" text-anchor="middle" fill="#555">0s</) {
			split(substr($0, RSTART), p, "\""); x0 = p[2] }
		!x2 && match($0, /<text x="[0-9.]*" y="[0-9.]*" text-anchor="middle" fill="#555">2s</) {
			split(substr($0, RSTART), p, "\""); x2 = p[2] }
		match($0, /<text x="[0-9.]*" y="[0-9.]*" fill="#8b1a1a" font-style="italic">[0-9.]*s [^<]*</) {
			s = substr($0, RSTART, RLENGTH - 1); split(s, p, "\""); x = p[2]
			sub(/.*italic">/, "", s); lt = s + 0; sub(/^[0-9.]*s /, "", s)
			if (s == text) { tx = x; t = lt } }
		match($0, /<path d="M[0-9.]* [0-9.]* l4 4 l-4 4 l-4 -4 z" fill="#8b1a1a"/) {
			m = substr($0, RSTART + 10); sub(/ .*/, "", m); marks[m + 0] = 1 }
		END {
			if (!x0 || !x2) { print "panel " want_panel ": no axis ticks 0s and 2s"; exit 1 }
			if (!tx) { print "panel " want_panel ": no whole label \"" text "\""; exit 1 }
			want = x0 + t * (x2 - x0) / 2
			if (tx - (want + 3) > 0.3 || (want + 3) - tx > 0.3) {
				printf "\"%s\" at t=%s: label at x=%s, expected %.1f (its time at %.1f)\n", text, t, tx, want + 3, want
				exit 1 }
			for (m in marks) if (m - want <= 0.3 && want - m <= 0.3) exit 0
			printf "\"%s\" at t=%s: no diamond at x=%.1f\n", text, t, want; exit 1
		}' "$1" >"$T/svgcheck.out" ||
		fail "the lab's picture: $(cat "$T/svgcheck.out")"
}

# ---- the status page's browser tests -------------------------------------------------

# browser_init: headless Chromium, its driver and Selenium (scripts/deps.sh browser), and
# OUT, the test's screenshot folder under the build folder. Without them the test
# skips and says so; under CI=1 that is a failure.
browser_init() {
	sh "$ROOT/scripts/deps.sh" browser || browser_missing "scripts/deps.sh browser could not install the browser"
	[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] ||
		browser_missing "no /usr/bin/chromium or /usr/bin/chromedriver"
	/usr/bin/python3 -c 'import selenium' 2>/dev/null || browser_missing "no python3-selenium"
	OUT=$(dirname "$BIN")/browser/$TEST_NAME
	mkdir -p "$OUT"
	rm -f "$OUT"/*.png
}
browser_missing() {
	[ -n "${CI:-}" ] && fail "$1 (under CI a browser test may not skip)"
	echo "$TEST_NAME: SKIP: $1" >&2
	exit 0
}

# ---- TLS (docs/behaviour.md §7) ------------------------------------------------------------

# tls_init: Kamailio's TLS module (scripts/deps.sh realnet, installed on demand) and openssl.
tls_init() {
	dpkg-query -W -f='${Status}' kamailio-tls-modules 2>/dev/null | grep -q "install ok installed" ||
		sh "$ROOT/scripts/deps.sh" realnet ||
		{ echo "$TEST_NAME: kamailio-tls-modules missing; run scripts/deps.sh realnet" >&2; exit 2; }
	command -v openssl >/dev/null 2>&1 || { echo "$TEST_NAME: 'openssl' not found" >&2; exit 2; }
	mkdir -p "$T/tls"
}

# tls_ca NAME: a test CA made with openssl ($T/tls/NAME/ca.pem, ca.key) and the
# database `openssl ca` signs from.
tls_ca() {
	_d=$T/tls/$1
	mkdir -p "$_d"
	: >"$_d/index.txt"
	echo 1000 >"$_d/serial"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$_d/ca.key" -out "$_d/ca.pem" -days 2 -subj "/CN=dualsite test CA $1" \
		-addext "basicConstraints=critical,CA:true" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >"$_d/req.log" 2>&1 ||
		fail "openssl could not make CA $1: $(tail -n 3 "$_d/req.log")"
	cat >"$_d/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $_d/index.txt
new_certs_dir = $_d
serial = $_d/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
CNF
}

# tls_cert CA NAME SAN [START END]: $T/tls/NAME.pem and NAME.key, signed by CA, with
# subjectAltName SAN (e.g. "IP:127.0.0.1" or "DNS:sip.example"); valid for a day, or
# from START to END (YYYYMMDDHHMMSSZ: a past END makes an expired certificate).
tls_cert() {
	_d=$T/tls/$1 _o=$T/tls/$2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$_o.key" -out "$_o.csr" -subj "/CN=$2" >"$_o.log" 2>&1 ||
		fail "openssl could not make a key for $2: $(tail -n 3 "$_o.log")"
	printf 'subjectAltName=%s\nbasicConstraints=CA:false\nextendedKeyUsage=serverAuth,clientAuth\n' \
		"$3" >"$_o.ext"
	if [ -n "${4:-}" ]; then
		set -- -startdate "$4" -enddate "$5"
	else
		set -- -days 1
	fi
	openssl ca -batch -notext -config "$_d/ca.cnf" -cert "$_d/ca.pem" -keyfile "$_d/ca.key" \
		-in "$_o.csr" -out "$_o.pem" -extfile "$_o.ext" "$@" >>"$_o.log" 2>&1 ||
		fail "openssl could not sign $2: $(tail -n 3 "$_o.log")"
}

# start_kamailio_tls NAME PORT SITE TLSPORT CERT [CLIENT_CA]: start_kamailio, also
# serving SIP over TLS on TLSPORT with certificate CERT (tls_cert's NAME); with
# CLIENT_CA (a tls_ca NAME) it requires a client certificate that CA signed.
# TLS_METHOD: the tls module's `method` (default TLSv1.2+, which gives TLS 1.3);
# TLS_LISTEN: the address to listen on (default 127.0.0.1).
start_kamailio_tls() {
	if [ -n "${6:-}" ]; then
		_cl="verify_certificate = yes
require_certificate = yes
ca_list = $T/tls/$6/ca.pem"
	else
		_cl="verify_certificate = no
require_certificate = no"
	fi
	cat >"$T/$1.tls.cfg" <<CFG
[server:default]
method = ${TLS_METHOD:-TLSv1.2+}
private_key = $T/tls/$5.key
certificate = $T/tls/$5.pem
$_cl

[client:default]
verify_certificate = no
require_certificate = no
CFG
	start_kamailio "$1" "$2" "$3" -A "TLSPORT=$4" -A "TLSCFG=\"$T/$1.tls.cfg\"" \
		${TLS_LISTEN:+-A "LISTEN=$TLS_LISTEN"}
}

# tls_gen_config FILE [OPTION_LINE...]: a two-site configuration over TLS: SIP_X,
# SIP_X_B, SIP_Y, SIP_Y_B on 127.0.0.1 at the TLS ports $TLS_X, $TLS_XB, $TLS_Y,
# $TLS_YB (transport: tls), every agent's transport-protocol TLS, the probe timing of
# the suite; each OPTION_LINE ("dualsite.tls-verify: false") is one more Application
# option. Agents: $TLS_PERSONS, words NAME:USER[:SBC_PORT] (password from $DS_PW;
# with SBC_PORT, proxy0's REGISTERs go to 127.0.0.1:SBC_PORT). Validated (warnings
# allowed) into $T/validate.out.
tls_gen_config() {
	_file=$1
	shift
	{
		cat <<EOF2
application:
  name: Workspace
  connections: [SIP_X, SIP_Y]
  options:
    interaction-workspace:
      disaster-recovery.enabled: true
      disaster-recovery.preferred-site: SiteX
      disaster-recovery.peer-site: SiteY
      disaster-recovery.timeout: 3
      disaster-recovery.wait-for-sipphone-timeout: 3
      sipendpoint.proxies.proxy0.reregister_in_seconds: 30
      sipendpoint.proxies.proxy1.reregister_in_seconds: 30
      sipendpoint.transport-protocol: TLS
      dualsite.probe-interval: $PROBE_INTERVAL
      dualsite.probe-timeout: $PROBE_TIMEOUT
      dualsite.probe-failures: $PROBE_FAILURES
      dualsite.register-timeout: 3
      dualsite.random-delay-range: 0
      dualsite.answer-delay: 0.2
EOF2
		for _o in "$@"; do printf '      %s\n' "$_o"; done
		echo "servers:"
		for _s in "SIP_X $TLS_X SW_X SiteX SIP_X_B" "SIP_X_B $TLS_XB SW_X SiteX" \
			"SIP_Y $TLS_Y SW_Y SiteY SIP_Y_B" "SIP_Y_B $TLS_YB SW_Y SiteY"; do
			# shellcheck disable=SC2086
			set -- $_s
			printf '  %s: {kind: sip, host: 127.0.0.1, port: %s, transport: tls, switch: %s, %soptions: {interaction-workspace: {disaster-recovery.site: %s}}}\n' \
				"$1" "$2" "$3" "${5:+backup: $5, }" "$4"
		done
		printf 'switches: {SW_X: {}, SW_Y: {}}\ntenants: {Environment: {}}\nplaces:\n'
		for _p in $TLS_PERSONS; do
			_u=$(echo "$_p" | cut -d: -f2)
			printf '  Place_%s:\n    dns:\n      - {switch: SW_X, number: "%s"}\n      - {switch: SW_Y, number: "%s"}\n' \
				"$_u" "$_u" "$_u"
		done
		echo "persons:"
		for _p in $TLS_PERSONS; do
			_n=$(echo "$_p" | cut -d: -f1) _u=$(echo "$_p" | cut -d: -f2) _sbc=$(echo "$_p" | cut -s -d: -f3)
			printf '  %s:\n    tenant: Environment\n    place: Place_%s\n    sip: {user: "%s", password-env: DS_PW}\n' \
				"$_n" "$_u" "$_u"
			[ -n "$_sbc" ] && printf '    options:\n      interaction-workspace: {sipendpoint.sbc-register-address: 127.0.0.1, sipendpoint.sbc-register-port: %s}\n' "$_sbc"
		done
	} >"$_file"
	"$BIN" validate -c "$_file" >"$T/validate.out" 2>&1 ||
		fail "dualsite validate rejects the generated $_file: $(cat "$T/validate.out")"
}
