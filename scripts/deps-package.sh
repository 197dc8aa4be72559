#!/bin/sh
# Installs the Debian packages that `make package` and `make package-test` need
# (and only those targets). Idempotent; silent when all is there.
set -eu
PKGS="debhelper dpkg-dev fakeroot lintian debootstrap systemd groff-base man-db"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps-package: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps-package: not root; install these packages by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
