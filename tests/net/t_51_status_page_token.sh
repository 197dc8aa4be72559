# The status page with a token (--control-token-file): / and its files come without
# one, /v1/ does not; the page asks for the token once (prompt), keeps it for the
# tab, reads the event stream by fetch() (EventSource cannot send it), and a manual
# switchover from the agent's view shows live (tests/browser/status_page.py).
. "$(dirname "$0")/lib.sh"
net_init "$@"
browser_init
two_sites
WITH_BOB=1 gen_config "$T/ds.yaml"
free_port CPORT
TOKEN=page-token-$$-0123456789
printf '%s\n' "$TOKEN" >"$T/token"
start_dualsite "$T/ds.yaml" --control "127.0.0.1:$CPORT" --control-token-file "$T/token"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 bob connected kind=sip site=SiteY server=SIP_Y

code() { perl "$NET_DIR/http.pl" "127.0.0.1:$CPORT" "$@" 2>"$T/http.err" | head -n 1; }
[ "$(code GET /)" = 200 ] || fail "GET / without the token: '$(code GET /)', expected 200"
[ "$(code GET /status.js)" = 200 ] || fail "GET /status.js without the token: expected 200"
[ "$(code POST /)" = 401 ] || fail "POST / without the token: '$(code POST /)', expected 401"
[ "$(code GET /v1/status)" = 401 ] || fail "GET /v1/status without the token: expected 401"
[ "$(code GET /metrics)" = 401 ] || fail "GET /metrics without the token: expected 401"
[ "$(code GET /v1/events)" = 401 ] || fail "GET /v1/events without the token: expected 401"

/usr/bin/python3 "$ROOT/tests/browser/status_page.py" "http://127.0.0.1:$CPORT/" "$EV" \
	"$DS_T0_MS" "$(sgrp SiteX)" "$OUT" "$TOKEN" || fail "the browser steps failed (screenshots in $OUT)"
ev_has alice switchover kind=sip from=SiteX to=SiteY reason=manual ||
	fail "the page showed a manual switchover the run did not make"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
