# A registrar that answers 503 with Retry-After (sipp as UAS). Retries wait the longer
# of reregister_in_seconds and Retry-After: SIP_X says Retry-After 3 with proxy0's
# reregister 1 (expect 3 s apart); SIP_Y says Retry-After 1 with proxy1's reregister 2
# (expect 2 s apart). Intervals are measured between the REGISTERs sipp received.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
start_sipp regx -sf "$SIPP_DIR/reg503.xml" -p "$PORT_X" -key retry 3
start_sipp regy -sf "$SIPP_DIR/reg503.xml" -p "$PORT_Y" -key retry 1
start_kamailio KXB "$PORT_XB" SiteX
start_kamailio KYB "$PORT_YB" SiteY
gen_config "$T/ds.yaml" sipendpoint.proxies.proxy0.reregister_in_seconds=1 \
	sipendpoint.proxies.proxy1.reregister_in_seconds=2
start_dualsite "$T/ds.yaml"
ev_wait 5 alice registration-failed proxy=0 site=SiteX reason=rejected:503
ev_wait 5 alice registration-failed proxy=1 site=SiteY reason=rejected:503

# sipp logs "REGISTER <ms since its start> <Call-ID> <CSeq>" per REGISTER received.
reg_lines() { grep '^REGISTER ' "$T/$1.log" 2>/dev/null; }
enough() { [ "$(reg_lines "$1" | wc -l)" -ge "$2" ]; }
wait_until 12 enough regx 4 || fail "SIP_X (503, Retry-After 3) got $(reg_lines regx | wc -l) REGISTERs in 12 s, expected 4"
wait_until 8 enough regy 4 || fail "SIP_Y (503, Retry-After 1) got $(reg_lines regy | wc -l) REGISTERs in 8 s, expected 4"

# check_gaps NAME EXPECTED: every gap between consecutive REGISTERs is within
# [EXPECTED, EXPECTED + TOL] (less 50 ms: sipp stamps a message when it reads it,
# late by tens of ms on a loaded machine).
check_gaps() {
	reg_lines "$1" | head -n 4 | awk -v want="$2" -v tol="$TOL" -v who="$1" '
		{ ms = $2 + 0; if (NR > 1) { gap = (ms - prev) / 1000
			printf "%s: REGISTER gap %.3f s\n", who, gap > "/dev/stderr"
			if (gap < want - 0.05 || gap > want + tol) bad = bad sprintf(" %.3f", gap) }
		  prev = ms }
		END { if (bad != "") { print bad; exit 1 } }' >"$T/gaps.$1" ||
		fail "$1: REGISTER gaps$(cat "$T/gaps.$1") s, expected each within $2 .. $(fcalc "$2 + $TOL") s"
}
check_gaps regx 3
check_gaps regy 2
ev_absent_for 0 "a 503 registrar registers no one" alice registered
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
