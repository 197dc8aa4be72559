# Site refused: SIGKILL of both SiteX registrars (UDP answers with ICMP port
# unreachable); the same bounds as a silent site.
. "$(dirname "$0")/lib.sh"
net_init "$@"
two_sites
site_loss KILL
# The site stays dead: no restore, and no registration at SiteX comes back.
ev_absent_for 2 "SiteX is dead: no restore" alice restore
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
