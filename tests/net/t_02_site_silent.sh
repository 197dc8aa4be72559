# Site silent: SIGSTOP of both SiteX registrars; the switchover to SiteY comes after
# disaster-recovery.timeout, within outage + timeout + probe budget (+ TOL).
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
site_loss STOP
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
