# A registrar that answers OPTIONS but never a REGISTER (sipp as UAS at SIP_X): the
# server is up, the registration is not. Each attempt fails after register-timeout
# (registration-failed, timeout: none was ever held); the next comes reregister_in_seconds after that
# failure; SiteX is never available, so alice connects to SiteY and never to SiteX.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
start_sipp regx -sf "$SIPP_DIR/regsilent.xml" -p "$PORT_X" -trace_msg -message_file "$T/regx.msg"
start_kamailio KXB "$PORT_XB" SiteX
start_kamailio KY "$PORT_Y" SiteY
start_kamailio KYB "$PORT_YB" SiteY
rt=1 rereg=2
gen_config "$T/ds.yaml" dualsite.register-timeout=$rt sipendpoint.proxies.proxy0.reregister_in_seconds=$rereg
start_dualsite "$T/ds.yaml"
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
ev_wait "$(fcalc "$rt + $TOL + 1")" alice registration-failed proxy=0 site=SiteX reason=timeout
check_between "first REGISTER timeout" "$EV_T" "$rt" "$(fcalc "$rt + $TOL")"
ev_wait "$(fcalc "$rt + $TOL + 1")" alice connected kind=sip site=SiteY server=SIP_Y
check_between "connected to SiteY" "$EV_T" 0 "$(fcalc "$rt + $TOL")"
has_binding KY 7001 || fail "SIP_Y holds no binding for 7001"

# sipp logs "REGISTER <ms> <Call-ID> <CSeq>" per REGISTER received (stamped when sipp
# reads it: on a loaded machine a few tens of ms late, hence 50 ms of slack below the
# expected gap); retransmissions of one attempt (same CSeq) count once.
attempts() { grep '^REGISTER ' "$T/regx.log" 2>/dev/null | awk '!seen[$3 " " $4]++'; }
enough() { [ "$(attempts | wc -l)" -ge 3 ]; }
gap=$(fcalc "$rt + $rereg")
wait_until "$(fcalc "3 * $gap + 2")" enough || fail "SIP_X got $(attempts | wc -l) REGISTER attempts, expected 3 (one every $gap s)"
attempts | head -n 3 | awk -v want="$gap" -v tol="$TOL" '
	{ ms = $2 + 0; if (NR > 1) { g = (ms - prev) / 1000
		printf "regx: attempt gap %.3f s\n", g > "/dev/stderr"
		if (g < want - 0.05 || g > want + tol) bad = bad sprintf(" %.3f", g) }
	  prev = ms }
	END { if (bad != "") { print bad; exit 1 } }' >"$T/gaps" ||
	fail "gaps between REGISTERs with distinct CSeqs$(cat "$T/gaps") s; expected register-timeout + reregister_in_seconds = $gap .. $(fcalc "$gap + $TOL") s (a gap under register-timeout = $rt s is a second request inside one attempt: a UDP retransmission must repeat the CSeq and branch; see $T/regx.msg)"
ev_absent_for 0 "SiteX never registered" alice connected site=SiteX
ev_absent_for 0 "SiteX never registered" alice registered proxy=0
[ "$(ev_count alice registration-failed proxy=0)" = 1 ] ||
	fail "registration-failed is said once per reason: $(ev_find alice registration-failed proxy=0)"
grep 'alice' "$T/ds.err" | grep 'registration failed' | grep -q 'is the registrar reachable' ||
	fail "the log line of the failed registration does not name the likely cause: $(grep 'alice' "$T/ds.err" | grep 'registration failed')"
ev_absent_for 0 "no registration was held, none was lost" alice registration-lost
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
