# Digest auth as a phone does it: the first REGISTER at a registrar is
# challenged (401) once; every refresh after carries the answer to that
# challenge (next nc) and is taken without another 401. reg_timeout 4 s
# makes a refresh every few seconds.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
gen_config "$T/ds.yaml" sipendpoint.proxies.proxy0.reg_timeout=4 sipendpoint.proxies.proxy1.reg_timeout=4
start_dualsite "$T/ds.yaml"
ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X

stat() { kam KX stats.get_statistics "$1" | sed -n "s/^.*$1 = //p"; }
refreshed() { [ "$(stat rcv_requests_register)" -ge 5 ]; }
wait_until 20 refreshed || fail "SIP_X got $(stat rcv_requests_register) REGISTERs in 20 s, expected 5 (reg_timeout 4 s)"
challenges=$(stat 401_replies)
echo "t_17_auth_refresh: SIP_X took $(stat rcv_requests_register) REGISTERs, sent $challenges 401" >&2
[ "$challenges" = 1 ] ||
	fail "SIP_X challenged $challenges times for $(stat rcv_requests_register) REGISTERs; expected 1: a refresh must carry the answer to the last challenge"
has_binding KX 7001 || fail "SIP_X holds no binding for 7001"
ev_absent_for 0 "no registration lost" alice registration-lost
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
