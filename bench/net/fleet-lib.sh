# A fleet in one `dualsite run` (bash; sourced after lib.sh): N agents whose
# preferred site goes silent. Used by fleet.sh (benchmarks 2 and 3) and
# storm.sh (benchmark 4).
#
# fleet_run N MODE RANGE: four Kamailio registrars without digest auth (sipp
# cannot answer per-user challenges, and one process registering 10,000 users
# with auth would measure Kamailio's hashing, not dualsite); waits until every
# agent is on SiteX; SIGSTOPs both SiteX registrars; waits until every agent is
# on SiteY. Leaves in F_* variables and files under $W/fleet:
#   F_TLOST (run clock) the loss of SiteX; F_T50/F_T99/F_T100 seconds from the
#   timeout until that share of agents had switched over (or, after being
#   out of service, connected) to SiteY; F_REG the REGISTERs
#   SiteY's registrar received in that window and F_RATE their mean rate;
#   F_PEAKRATE the highest 1-s rate; F_CPU CPU-seconds of dualsite in the
#   window; F_PEAKCPU its highest 1-s CPU share (% of one core); F_HWM, F_RSS
#   (kB); $W/fleet/rate: "seconds-after-timeout REGISTERs/s" per second.
FLEET_TIMEOUT=2
FLEET_HOLD=3

# agents_on SITE: how many agents' SIP connection is on SITE now
agents_on() {
	awk -v site="\"$1\"" '
		/"kind": "sip"/ && /"event": "(connected|switchover|restore)"/ {
			match($0, /"agent": "[^"]*"/); a = substr($0, RSTART, RLENGTH)
			if ($0 ~ /"event": "connected"/) { match($0, /"site": "[^"]*"/); s = substr($0, RSTART + 8, RLENGTH - 8) }
			else { match($0, /"to": "[^"]*"/); s = substr($0, RSTART + 6, RLENGTH - 6) }
			on[a] = s
		}
		END { n = 0; for (a in on) if (on[a] == site) n++; print n }' "$W/events"
}

wait_on() {  # wait_on SITE N SECONDS
	local end=$((${EPOCHREALTIME%.*} + $3)) n
	while :; do
		n=$(agents_on "$1")
		[ "$n" -ge "$2" ] && return 0
		if [ "${EPOCHREALTIME%.*}" -ge "$end" ]; then
			echo "bench: after $3 s only $n of $2 agents on $1; run log:" >&2
			tail -3 "$W/run.log" >&2
			return 1
		fi
		kill -0 "$RUN_PID" 2>/dev/null || { echo "bench: dualsite run died" >&2; return 1; }
		sleep 0.5
	done
}

sampler() {  # every 0.25 s: wall cpu-ticks rss-kB REGISTERs-received-at-SIP_Y
	local reg ticks rss
	while kill -0 "$RUN_PID" 2>/dev/null; do
		# kamcmd may be slow while Kamailio is busy: read it first and
		# stamp the line after, next to the quick /proc readings
		reg=$(kam_stat SIP_Y rcv_requests_register)
		ticks=$(cpu_ticks "$RUN_PID") rss=$(rss_kb "$RUN_PID" VmRSS)
		[ -n "$reg" ] && echo "$EPOCHREALTIME $ticks $rss $reg"
		sleep 0.25
	done
}

# fleet_fail STAGE: says what state the fleet was left in, and stops the run.
fleet_fail() {
	local drops oos
	drops=$(ss -uanmp 2>/dev/null | grep -A1 "pid=$RUN_PID," | sed -n 's/.*,d\([0-9]*\)).*/\1/p' | head -1)
	oos=$(grep -c '"event": "out-of-service"' "$W/events")
	F_FAIL="$1 did not complete: $(agents_on SiteX) agents on SiteX, $(agents_on SiteY) on SiteY,"
	F_FAIL="$F_FAIL $oos out-of-service events; dualsite's UDP socket dropped ${drops:-?} datagrams"
	F_FAIL="$F_FAIL (receive buffer full); CPU $(awk -v t="$(cpu_ticks "$RUN_PID")" -v hz="$HZ" 'BEGIN{print t/hz}') s,"
	F_FAIL="$F_FAIL VmHWM $(rss_kb "$RUN_PID" VmHWM) kB"
	run_stop
}

fleet_run() {
	local n=$1 mode=$2 range=$3
	rm -rf "$W/fleet"; mkdir -p "$W/fleet"
	XP=$(free_port); XBP=$(free_port); YP=$(free_port); YBP=$(free_port)
	kam_start SIP_X "$XP" noauth; kam_start SIP_X_B "$XBP" noauth
	kam_start SIP_Y "$YP" noauth; kam_start SIP_Y_B "$YBP" noauth
	gen_config "$W/c.yaml" "$n" "$mode" "$range" $FLEET_TIMEOUT $FLEET_HOLD 127.0.0.1 \
		"$XP" "$XBP" "$YP" "$YBP" 0.5
	run_start "$W/c.yaml" 127.0.0.1
	F_FAIL=""
	# A start-up storm can push some agents to SiteY; they come home after the hold-down.
	if ! wait_on SiteX "$n" $((60 + 2 * ${range%.*})); then
		fleet_fail "start-up"
		return 1
	fi
	if [ "$mode" = dual ] && ! wait_count '"proxy": 1, "site": "SiteY"' "$n" 60; then
		fleet_fail "start-up (SiteY registrations)"
		return 1
	fi
	sampler > "$W/fleet/samples" &
	local spid=$!
	sleep 1.5
	local t_out=$EPOCHREALTIME
	kam_signal SIP_X STOP; kam_signal SIP_X_B STOP
	if ! wait_on SiteY "$n" $((60 + 2 * ${range%.*})); then
		kill "$spid"
		fleet_fail "switchover"
		return 1
	fi
	sleep 1.5
	F_HWM=$(rss_kb "$RUN_PID" VmHWM); F_RSS=$(rss_kb "$RUN_PID" VmRSS)
	kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
	run_stop
	# Times on the run's clock; the samples' wall clock maps to it through
	# the offset min(arrival - t).
	eval "$(awk -v to=$FLEET_TIMEOUT -v tout="$t_out" -v hz="$HZ" -v n="$n" \
		    -v samples="$W/fleet/samples" -v ratef="$W/fleet/rate" '
		{ match($0, /"t": [0-9.]+/); t = substr($0, RSTART + 5, RLENGTH - 5) + 0
		  off = $1 - t; if (NR == 1 || off < min) min = off
		  line[NR] = $0; tt[NR] = t }
		END {
			o = tout - min
			for (i = 1; i <= NR; i++)
				if (tt[i] >= o && line[i] ~ /"event": "connection-lost", "kind": "sip"/) { lost = tt[i]; break }
			T = lost + to
			for (i = 1; i <= NR; i++) {
				# on SiteY: a switchover, or (after out-of-service) a connection
				if (tt[i] < o || (line[i] !~ /"event": "switchover", "kind": "sip", "from": "SiteX", "to": "SiteY"/ &&
						  line[i] !~ /"event": "connected", "kind": "sip", "site": "SiteY"/)) continue
				match(line[i], /"agent": "[^"]*"/); a = substr(line[i], RSTART, RLENGTH)
				if (!(a in done)) { done[a] = tt[i]; v[++k] = tt[i] - T }
			}
			asort_n = k
			for (i = 2; i <= k; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
			t50 = v[int(0.5 * k + 0.999999)]; t99 = v[int(0.99 * k + 0.999999)]; t100 = v[k]
			# samples: wall ticks rss reg
			ns = 0
			while ((getline s < samples) > 0) { split(s, f, " "); ns++; sw[ns] = f[1] - min; st[ns] = f[2]; sr[ns] = f[4] }
			peakcpu = 0; peakrate = 0; r0 = ""; c0 = ""
			for (i = 1; i <= ns; i++) {
				if (sw[i] <= T) { r0 = sr[i]; c0 = st[i] }
				if (sw[i] <= T + t100 + 0.25) { r1 = sr[i]; c1 = st[i] }
				# 1-s windows: compare with the sample 4 steps back
				if (i > 4) {
					dt = sw[i] - sw[i - 4]
					c = (st[i] - st[i - 4]) / hz / dt * 100; if (c > peakcpu) peakcpu = c
					r = (sr[i] - sr[i - 4]) / dt; if (r > peakrate) peakrate = r
				}
			}
			# per-second REGISTER rate, seconds from the timeout
			j = 1
			for (s = -2; s <= t100 + 2; s++) {
				while (j < ns && sw[j] < T + s) j++
				a0 = sr[j]; ta = sw[j]; jj = j
				while (jj < ns && sw[jj] < T + s + 1) jj++
				if (sw[jj] > ta) printf "%d %.0f\n", s, (sr[jj] - a0) / (sw[jj] - ta) > ratef
			}
			if (r0 == "") { r0 = sr[1]; c0 = st[1] }
			reg = r1 - r0
			printf "F_TLOST=%.3f F_T50=%.3f F_T99=%.3f F_T100=%.3f F_N=%d ", lost, t50, t99, t100, k
			printf "F_REG=%d F_RATE=%.0f F_PEAKRATE=%.0f F_CPU=%.3f F_PEAKCPU=%.0f\n", reg, \
				(t100 > 0 ? reg / t100 : 0), peakrate, (c1 - c0) / hz, peakcpu
		}' "$W/events")"
}

# fleet_stop: ends the registrars of the last fleet_run (after the baseline).
fleet_stop() {
	local k
	for k in SIP_X SIP_X_B SIP_Y SIP_Y_B; do kam_signal $k CONT; kam_signal $k TERM; done 2>/dev/null
	sleep 0.3
}

# sipp_baseline N PORT RATE FIRST: sipp registers N users (FIRST+1 ...)
# against 127.0.0.1:PORT at RATE REGISTERs/s; sets S_CPU (CPU-seconds of
# sipp) and S_OK (successful REGISTERs).
sipp_baseline() {
	local n=$1 port=$2 rate=$3 first=$4 i
	{ echo SEQUENTIAL; for i in $(seq "$n"); do echo "$((first + i))"; done; } > "$W/users.csv"
	local out
	rm -f "$W/sipp.csv"
	out=$(bash -c 'sipp "127.0.0.1:$1" -sf "$2" -inf "$3" -m "$4" -r "$6" -l 2000 -nostdin \
		-i 127.0.0.1 -timeout 120s -trace_stat -stf "$5" >/dev/null 2>&1; times' \
		_ "$port" "$ROOT/bench/net/register.xml" "$W/users.csv" "$n" "$W/sipp.csv" "$rate" | tail -1)
	S_CPU=$(echo "$out" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
	S_OK=$(tail -1 "$W/sipp.csv" 2>/dev/null | awk -F';' '{ print $16 }')
}
