# Digest variants against live Kamailio registrars (docs/behaviour.md §7), each set up
# for one: 401 with algorithm=MD5 and qop=auth, 401 with SHA-256 and qop=auth, 407
# (Proxy-Authenticate) with SHA-256 and no qop, 407 with no algorithm named (MD5) and
# no qop. Each registrar holds alice's binding only if her answer verified, and
# dualsite's log says which challenge it answered. Two runs: the primaries of the
# first are the backups of the second, so each variant is the registrar in use once.
# (MD5-sess and SHA-256-sess: Kamailio 5.6 does not check them; unit tests do.)
. "$(dirname "$0")/lib.sh"
net_init "$@"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port P_MD5Q; free_port P_SHAQ; free_port P_SHA407; free_port P_MD5407
start_kamailio KMD5Q "$P_MD5Q" SiteX -A 'ALGO="MD5"' -A QOP
start_kamailio KSHAQ "$P_SHAQ" SiteX -A 'ALGO="SHA-256"' -A QOP
start_kamailio KSHA407 "$P_SHA407" SiteY -A 'ALGO="SHA-256"' -A PROXYAUTH
start_kamailio KMD5407 "$P_MD5407" SiteY -A PROXYAUTH

# run_variants KX_NAME KX_PORT KY_NAME KY_PORT: alice registers at both and stops.
run_variants() {
	PORT_X=$2 PORT_Y=$4
	PORT_XB=$([ "$1" = KMD5Q ] && echo "$P_SHAQ" || echo "$P_MD5Q")
	PORT_YB=$([ "$3" = KSHA407 ] && echo "$P_MD5407" || echo "$P_SHA407")
	gen_config "$T/ds.yaml"
	start_dualsite "$T/ds.yaml"
	ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
	ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
	for k in "$1" "$3"; do
		wait_until 2 has_binding "$k" 7001 || fail "$k holds no binding for 7001"
	done
	ds_stop
	[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
	mv "$T/ds.err" "$T/ds-$1.err"
}
said() { grep -q "server $1 challenges with digest $2" "$3" || fail "expected '$1 challenges with digest $2' in $3: $(grep challenges "$3")"; }

run_variants KMD5Q "$P_MD5Q" KSHA407 "$P_SHA407"
said SIP_X "MD5, qop=auth (401 WWW-Authenticate)" "$T/ds-KMD5Q.err"
said SIP_Y "SHA-256, no qop (407 Proxy-Authenticate)" "$T/ds-KMD5Q.err"
run_variants KSHAQ "$P_SHAQ" KMD5407 "$P_MD5407"
said SIP_X "SHA-256, qop=auth (401 WWW-Authenticate)" "$T/ds-KSHAQ.err"
said SIP_Y "MD5, no qop (407 Proxy-Authenticate)" "$T/ds-KSHAQ.err"
