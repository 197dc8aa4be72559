# A SIP server that never answers (sipp as a silent UAS at SIP_X): each probe
# round's OPTIONS is retransmitted over UDP (same Call-ID, same branch: the
# very request) while its round lasts, and never after the round gave up at
# probe-timeout. A libre transaction would go on retransmitting for 32 s.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
start_sipp optx -sf "$SIPP_DIR/optsilent.xml" -p "$PORT_X" -trace_msg -message_file "$T/optx.msg"
start_kamailio KXB "$PORT_XB" SiteX
start_kamailio KY "$PORT_Y" SiteY
start_kamailio KYB "$PORT_YB" SiteY
# 1.2 s: the request at 0 and one retransmission at T1 = 0.5 s (the next
# would be at 1.5 s, after the round ended)
timeout=1.2
gen_config "$T/ds.yaml" dualsite.probe-timeout=$timeout
start_dualsite "$T/ds.yaml"
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y

# "SECONDS CALL-ID BRANCH" per OPTIONS datagram sipp received, in order
options() {
	awk '/^-+ [0-9-]+ [0-9:.]+$/ { split($3, h, ":"); ts = h[1] * 3600 + h[2] * 60 + h[3]; req = "" }
	     /^OPTIONS sip:/ { req = "o" }
	     req && /^Via:/ { match($0, /branch=[^;]*/); br = substr($0, RSTART, RLENGTH) }
	     req && /^Call-ID:/ { printf "%.3f %s %s\n", ts, $2, br; req = "" }' \
		"$T/optx.msg" 2>/dev/null
}
rounds() { options | awk '{ print $2 }' | sort -u | wc -l; }
enough() { [ "$(rounds)" -ge 14 ]; }
wait_until 20 enough || fail "SIP_X got OPTIONS of $(rounds) rounds, expected 14 (one every $PROBE_INTERVAL s)"
# Only rounds that began 3 s (6 rounds) before the newest are judged: a
# retransmission past their end, at 1.5 s, would have been seen by now.
options | awk -v limit="$(fcalc "$timeout + 0.05")" '
	{ t = $1 + 0; id = $2
	  if (!(id in first)) { first[id] = t; br[id] = $3; order[++n] = id }
	  last[id] = t; count[id]++
	  if ($3 != br[id]) bad = bad sprintf(" %s: %s then %s;", id, br[id], $3) }
	END {
		for (i = 1; i <= n - 6; i++) {
			id = order[i]; span = last[id] - first[id]
			if (count[id] > 1) rtx++
			if (span > limit) bad = bad sprintf(" %s: %d sends over %.3f s;", id, count[id], span)
		}
		printf "optx: %d rounds judged, %d retransmitted within their round\n", n - 6, rtx > "/dev/stderr"
		if (rtx == 0) bad = bad " no round was retransmitted;"
		if (bad != "") { print bad; exit 1 }
	}' >"$T/probes" ||
	fail "OPTIONS to the silent server:$(cat "$T/probes") expected each round's request (one Call-ID and branch) resent at most until probe-timeout = $timeout s"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
