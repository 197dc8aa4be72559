# The status page at / (docs/status-page.md) in headless Chromium against a live
# `run --control 127.0.0.1:PORT` and four Kamailio registrars: the agents at home,
# SiteX silenced (SIGSTOP of its registrars) shows the switchover live, SiteX back
# during a sipp call to alice her deferred restore, then the restore after the
# call; the drain button (confirmed) moves bob; no console error
# (tests/browser/status_page.py). Screenshots go to BUILD/browser/t_50/.
# Without Chromium the test skips and says so; under CI=1 that is a failure.
. "$(dirname "$0")/lib.sh"
net_init "$@"
browser_init

two_sites
WITH_BOB=1 gen_config "$T/ds.yaml"
free_port CPORT
start_dualsite "$T/ds.yaml" --control "127.0.0.1:$CPORT"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 bob connected kind=sip site=SiteY server=SIP_Y

# The page's files, as any client gets them; the rest of the endpoint is unchanged.
get() { perl "$NET_DIR/http.pl" "127.0.0.1:$CPORT" "$@" >"$T/http.out" 2>"$T/http.err"; }
get GET / && [ "$(head -n 1 "$T/http.out")" = 200 ] && grep -q '<script src="status.js">' "$T/http.out" ||
	fail "GET /: $(head -c 300 "$T/http.out") $(cat "$T/http.err")"
get GET /status.js && [ "$(head -n 1 "$T/http.out")" = 200 ] || fail "GET /status.js: $(head -n 3 "$T/http.out")"
get GET /status.nope && [ "$(head -n 1 "$T/http.out")" = 404 ] || fail "GET /status.nope: $(head -n 3 "$T/http.out")"
get POST / && [ "$(head -n 1 "$T/http.out")" = 405 ] || fail "POST /: $(head -n 3 "$T/http.out")"

free_port CALL_PORT
export DS_CALL_TARGET="127.0.0.1:$(kport KY)" DS_CALL_XML="$SIPP_DIR/call.xml" DS_CALL_PORT=$CALL_PORT
/usr/bin/python3 "$ROOT/tests/browser/status_page.py" "http://127.0.0.1:$CPORT/" "$EV" \
	"$DS_T0_MS" "$(sgrp SiteX)" "$OUT" || fail "the browser steps failed (screenshots in $OUT)"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
