# Addresses in a real network (docs/behaviour.md §7): the registrars on 10.x in one
# network namespace, `dualsite run` in another, WITHOUT --listen or --advertise. It
# listens on every interface, port 5060 (free in its namespace), and each binding the
# registrars hold carries the agent namespace's 10.x address (the local address the
# kernel routes from), not 0.0.0.0 or 127.0.0.1; with --advertise, that address.
# Then the same agent run with `--listen 127.0.0.1` cannot send to 10.x: it says why
# and what to do, once.
. "$(dirname "$0")/lib.sh"
net_init "$@"
SRV_IP=10.240.$(($$ % 200 + 1)).1
AG_IP=10.240.$(($$ % 200 + 1)).2
netns_two "$SRV_IP" "$AG_IP"
SIP_PASSWORD=pw-$$
export DS_PW_ALICE=$SIP_PASSWORD
free_port PORT_X; free_port PORT_XB; free_port PORT_Y; free_port PORT_YB
for k in "KX $PORT_X SiteX" "KXB $PORT_XB SiteX" "KY $PORT_Y SiteY" "KYB $PORT_YB SiteY"; do
	set -- $k
	start_kamailio "$1" "$2" "$3" -A "LISTEN=$SRV_IP"
done
SERVER_HOST=$SRV_IP
gen_config "$T/ds.yaml"
start_dualsite "$T/ds.yaml"
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
grep -q "listening on 0.0.0.0:5060 " "$T/ds.err" ||
	fail "expected 'listening on 0.0.0.0:5060' (every interface, port 5060) in the log"
for k in KX KY; do
	wait_until 2 has_binding $k 7001 || fail "$k holds no binding for 7001"
	case $(bindings $k 7001) in
	"sip:7001@$AG_IP:5060;"*) ;;
	*) fail "$k holds Contact '$(bindings $k 7001)', expected sip:7001@$AG_IP:5060;..." ;;
	esac
done
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
for k in KX KY; do no_binding $k 7001 || fail "after SIGTERM, $k still holds $(bindings $k 7001)"; done

# --advertise (a NAT in front): Via and Contact carry that address instead.
start_dualsite "$T/ds.yaml" --advertise 198.51.100.7:5999
ev_wait 8 alice registered proxy=0 site=SiteX server=SIP_X
for k in KX KY; do
	wait_until 2 has_binding $k 7001 || fail "$k holds no binding for 7001 with --advertise"
	case $(bindings $k 7001) in
	"sip:7001@198.51.100.7:5999;"*) ;;
	*) fail "$k holds Contact '$(bindings $k 7001)' with --advertise, expected sip:7001@198.51.100.7:5999;..." ;;
	esac
done
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run --advertise exited $DS_RC after SIGTERM, expected 0"

# An address that cannot reach the servers: every probe fails to be sent (each server
# is declared down after two, eight failed sends in all); the reason and the remedy
# are said once.
start_dualsite "$T/ds.yaml" --listen 127.0.0.1
ev_wait 8 alice out-of-service
for s in SIP_X SIP_X_B SIP_Y SIP_Y_B; do
	grep -q "server $s (sip $SRV_IP:[0-9]*) is down after 2 failed probes (not sent: Invalid argument)" "$T/ds.err" ||
		fail "no line saying $s is down because its probes could not be sent"
done
grep -q "cannot be sent: Invalid argument; SIP listens on an address that cannot send there: run with --listen on an address that reaches it, or without --listen" "$T/ds.err" ||
	fail "no line saying why a request to $SRV_IP cannot be sent and what to do"
n=$(grep -c "cannot be sent: Invalid argument" "$T/ds.err")
[ "$n" = 1 ] || fail "the explanation came $n times, expected once per cause"
ds_stop
