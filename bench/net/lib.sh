# Shared by the network benchmarks (bash): registrars, configurations, events
# stamped with their arrival time, and a clean-up that ends only our PIDs.
#
# Every child we start is recorded in $W/pids (one PID a line, each the leader
# of its own process group, made with setsid); cleanup SIGCONTs, then ends
# those groups, deletes the network namespace we made, and removes $W.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KAMCFG=${DUALSITE_KAMAILIO_CFG:-$ROOT/scripts/kamailio/registrar.cfg}
W=$(mktemp -d "${TMPDIR:-/tmp}/dualsite-bench.XXXXXX")
NETNS=""
PW=bench$$

cleanup() {
	[ -n "${BENCH_KEEP:-}" ] && cp -r "$W" "$BENCH_KEEP" 2>/dev/null
	local p
	if [ -f "$W/pids" ]; then
		while read -r p; do
			kill -CONT -- "-$p" 2>/dev/null
			kill -TERM -- "-$p" 2>/dev/null
		done < "$W/pids"
		sleep 0.3
		while read -r p; do kill -KILL -- "-$p" 2>/dev/null; done < "$W/pids"
	fi
	if [ -n "$NETNS" ]; then
		ip netns del "$NETNS" 2>/dev/null
		ip link del "${NETNS}h" 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 && continue
		echo "bench: '$t' not found; install with: sh scripts/deps.sh test" >&2
		exit 1
	done
}

# A port free for UDP and TCP on 127.0.0.1 (ss lists what is bound).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12768))   # below the ephemeral range (32768..)
		grep -qx "$p" "$W/ports" 2>/dev/null && continue
		ss -Hlnu "sport = :$p" | grep -q . && continue
		ss -Hlnt "sport = :$p" | grep -q . && continue
		echo "$p" >> "$W/ports"
		echo "$p"
		return
	done
}

# kam_start NAME PORT auth|noauth [LISTEN [NETNS [TLSPORT]]]: a registrar in its
# own process group, with SIP over TLS on TLSPORT too (tls_setup's certificate);
# waits until its control socket answers (deadline 10 s).
kam_start() {
	local name=$1 port=$2 auth=$3 listen=${4:-127.0.0.1} ns=${5:-} tlsport=${6:-}
	local args=(-DD -E -f "$KAMCFG" -P "$W/$name.pid" -m 256 -M 16 -A "LISTEN=$listen"
		    -A "PORT=$port" -A "CTLSOCK=\"unix:$W/$name.ctl\"" -A "PASSWORD=\"$PW\"")
	[ "$auth" = noauth ] && args+=(-A NOAUTH)
	[ -n "$tlsport" ] && args+=(-A "TLSPORT=$tlsport" -A "TLSCFG=\"$W/tls/kam.cfg\"")
	rm -f "$W/$name.ctl"
	if [ -n "$ns" ]; then
		setsid ip netns exec "$ns" kamailio "${args[@]}" >> "$W/$name.log" 2>&1 &
	else
		setsid kamailio "${args[@]}" >> "$W/$name.log" 2>&1 &
	fi
	local pid=$!
	disown "$pid"   # its death is ours to cause: no job notices
	echo "$pid" >> "$W/pids"
	eval "KPID_$name=$pid"
	local i
	for i in $(seq 1000); do
		kamcmd -s "unix:$W/$name.ctl" core.uptime >/dev/null 2>&1 && return 0
		sleep 0.01
	done
	echo "bench: Kamailio $name on $listen:$port did not start; its log:" >&2
	tail -5 "$W/$name.log" >&2
	exit 1
}
kam_pid() { eval "echo \$KPID_$1"; }
# no subshell: the benchmark times what follows a signal to the millisecond
kam_signal() { eval "kill -$2 -- -\$KPID_$1"; }
kam_stat() {  # kam_stat NAME STAT -> the counter's value
	kamcmd -s "unix:$W/$1.ctl" stats.get_statistics "$2" 2>/dev/null |
		sed -n 's/.*= *\([0-9][0-9]*\).*/\1/p' | head -1
}

# tls_setup ADDR...: for SIP over TLS, a self-signed certificate (its own CA)
# naming each ADDR (IP subjectAltNames) in $W/tls, and Kamailio's tls.cfg
# serving it. Kamailio's tls module comes from scripts/deps.sh realnet.
tls_setup() {
	dpkg-query -W -f='${Status}' kamailio-tls-modules 2>/dev/null | grep -q "install ok installed" ||
		sh "$ROOT/scripts/deps.sh" realnet ||
		{ echo "bench: kamailio-tls-modules missing; run scripts/deps.sh realnet" >&2; exit 1; }
	mkdir -p "$W/tls"
	local san="" a
	for a in "$@"; do san="$san${san:+,}IP:$a"; done
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-keyout "$W/tls/srv.key" -out "$W/tls/srv.pem" -subj "/CN=dualsite bench" \
		-addext "subjectAltName=$san" >"$W/tls/req.log" 2>&1 ||
		{ echo "bench: openssl failed: $(tail -3 "$W/tls/req.log")" >&2; exit 1; }
	printf '[server:default]\nmethod = TLSv1.2+\nprivate_key = %s\ncertificate = %s\nverify_certificate = no\nrequire_certificate = no\n[client:default]\nverify_certificate = no\n' \
		"$W/tls/srv.key" "$W/tls/srv.pem" > "$W/tls/kam.cfg"
}

# gen_config FILE N MODE RANDOM TIMEOUT HOLD XHOST XPORT XBPORT YPORT YBPORT [PROBE]
# BENCH_TLS=1: servers take TLS only (the ports given are their TLS ports), the
# agents use TLS, tls_setup's certificate is the CA.
gen_config() {
	awk -v n="$2" -v mode="$3" -v rnd="$4" -v to="$5" -v hold="$6" -v xh="$7" \
	    -v xp="$8" -v xbp="$9" -v yp="${10}" -v ybp="${11}" -v probe="${12:-0.2}" \
	    -v tls="${BENCH_TLS:-}" -v ca="$W/tls/srv.pem" 'BEGIN {
		tp = tls ? " transport: tls," : ""
		print "application:"
		print "  name: Workspace"
		print "  connections: [SIP_X, SIP_Y]"
		print "  options:"
		print "    interaction-workspace:"
		print "      disaster-recovery.enabled: true"
		print "      disaster-recovery.preferred-site: SiteX"
		print "      disaster-recovery.peer-site: SiteY"
		print "      disaster-recovery.timeout: " to
		print "      sipendpoint.proxies.proxy0.reregister_in_seconds: 2"
		print "      sipendpoint.proxies.proxy1.reregister_in_seconds: 2"
		print "      dualsite.registration-mode: " mode
		print "      dualsite.probe-interval: " probe
		print "      dualsite.probe-timeout: " probe
		print "      dualsite.probe-failures: 2"
		print "      dualsite.register-timeout: 2"
		print "      dualsite.restore-hold-down: " hold
		print "      dualsite.random-delay-range: " rnd
		if (tls) {
			print "      sipendpoint.transport-protocol: TLS"
			print "      dualsite.tls-ca-file: " ca
		}
		print "servers:"
		printf "  SIP_X:   {kind: sip, host: %s, port: %d,%s switch: SW_X, backup: SIP_X_B, options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n", xh, xp, tp
		printf "  SIP_X_B: {kind: sip, host: %s, port: %d,%s switch: SW_X, options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n", xh, xbp, tp
		printf "  SIP_Y:   {kind: sip, host: 127.0.0.1, port: %d,%s switch: SW_Y, backup: SIP_Y_B, options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n", yp, tp
		printf "  SIP_Y_B: {kind: sip, host: 127.0.0.1, port: %d,%s switch: SW_Y, options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n", ybp, tp
		print "switches: {SW_X: {}, SW_Y: {}}"
		print "tenants: {Environment: {}}"
		print "places:"
		for (i = 1; i <= n; i++)
			printf "  P%d: {dns: [{switch: SW_X, number: \"%d\"}, {switch: SW_Y, number: \"%d\"}]}\n", i, 100000 + i, 100000 + i
		print "persons:"
		for (i = 1; i <= n; i++)
			printf "  a%d: {tenant: Environment, place: P%d, sip: {user: \"%d\", password-env: DS_BENCH_PW}}\n", i, i, 100000 + i
	}' > "$1"
}

# run_start CFG LISTEN: dualsite run --all, events stamped with their arrival
# time (epoch seconds, then the JSON line) into $W/events. perl stamps them: a
# bash `read` loop reads a pipe a byte at a time (~3,000 lines/s), too slow
# for a fleet's burst of events.
run_start() {
	: > "$W/events"
	# RUN_EXTRA: more `run` options (e.g. --control ADDR), split on blanks
	DS_BENCH_PW=$PW RUN_EXTRA=${RUN_EXTRA:-} setsid bash -c '
		"$0" run -c "$1" --all --events - --seed 1 --listen "$2" $RUN_EXTRA 2> "$3/run.log" |
		perl -MTime::HiRes=time -ne "BEGIN { \$| = 1 } printf(\"%.6f %s\", time, \$_)" \
			> "$3/events"
	' "$BIN" "$1" "$2" "$W" &
	RUN_GROUP=$!
	disown "$RUN_GROUP"
	echo "$RUN_GROUP" >> "$W/pids"
	local i
	for i in $(seq 100); do
		RUN_PID=$(pgrep -g "$RUN_GROUP" -x dualsite | head -1)
		[ -n "$RUN_PID" ] && return 0
		sleep 0.05
	done
	echo "bench: dualsite run did not start" >&2
	exit 1
}
run_stop() {
	kill -TERM "$RUN_PID" 2>/dev/null
	local i
	for i in $(seq 100); do
		kill -0 "$RUN_PID" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL -- "-$RUN_GROUP" 2>/dev/null
}

# count PATTERN: lines of $W/events matching (fixed string).
count() { grep -cF -- "$1" "$W/events"; }
# wait_count PATTERN N SECONDS: until N lines match; 1 on the deadline.
wait_count() {
	local end=$((${EPOCHREALTIME%.*} + $3))
	while [ "$(count "$1")" -lt "$2" ]; do
		if [ "${EPOCHREALTIME%.*}" -ge "$end" ]; then
			echo "bench: waited $3 s for $2 events '$1', got $(count "$1"); run log:" >&2
			tail -5 "$W/run.log" >&2
			return 1
		fi
		kill -0 "$RUN_PID" 2>/dev/null || { echo "bench: dualsite run died:" >&2; tail -5 "$W/run.log" >&2; return 1; }
		sleep 0.02
	done
}

# cpu_ticks PID: utime+stime in clock ticks; rss_kb PID FIELD (VmHWM/VmRSS)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
HZ=$(getconf CLK_TCK)

machine() {
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
}
