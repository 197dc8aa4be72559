# Clean stop: SIGTERM (then, in a second run, SIGINT) removes every binding at every
# registrar (REGISTER Expires: 0) before dualsite exits, within register-timeout, and
# run exits 0.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
gen_config "$T/ds.yaml"
for sig in TERM INT; do
	start_dualsite "$T/ds.yaml"
	ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
	ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
	wait_until 2 has_binding KX 7001 || fail "SIP_X holds no binding for 7001 after 'registered'"
	wait_until 2 has_binding KY 7001 || fail "SIP_Y holds no binding for 7001 after 'registered'"
	t0=$(now_ms)
	kill "-$sig" "$DS_PID"
	wait_exit 10 "$DS_PID" || fail "dualsite did not exit within 10 s of SIG$sig"
	took=$(fcalc "($(now_ms) - $t0) / 1000")
	[ "$EXIT_RC" = 0 ] || fail "dualsite run exited $EXIT_RC after SIG$sig, expected 0"
	# register-timeout is 1 s: the un-REGISTERs are answered or given up by then.
	check_between "exit after SIG$sig" "$took" 0 "$(fcalc "1 + $TOL")"
	for k in KX KXB KY KYB; do
		no_binding "$k" 7001 || fail "after SIG$sig, $k still holds $(bindings "$k" 7001)"
	done
done
