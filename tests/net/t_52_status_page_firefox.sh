# The status page in headless Firefox ESR (WebDriver BiDi, tests/browser/firefox_page.py)
# against a live `run --control 127.0.0.1:PORT` and four Kamailio registrars: the
# agents at home, SiteX silenced shows alice's switchover live, no console error.
# Without Firefox ESR the test skips and says so; under CI=1 that is a failure.
. "$(dirname "$0")/lib.sh"
net_init "$@"
browser_init
command -v firefox-esr >/dev/null 2>&1 || browser_missing "no firefox-esr"
/usr/bin/python3 -c 'import websocket' 2>/dev/null || browser_missing "no python3-websocket"
two_sites
WITH_BOB=1 gen_config "$T/ds.yaml"
free_port CPORT
start_dualsite "$T/ds.yaml" --control "127.0.0.1:$CPORT"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 bob connected kind=sip site=SiteY server=SIP_Y
/usr/bin/python3 "$ROOT/tests/browser/firefox_page.py" "http://127.0.0.1:$CPORT/" "$(sgrp SiteX)" "$OUT" ||
	fail "the Firefox steps failed (screenshots in $OUT)"
ev_has alice switchover kind=sip from=SiteX to=SiteY reason=server-loss ||
	fail "the page showed a switchover the run did not make"
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
