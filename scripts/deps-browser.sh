#!/bin/sh
# Installs headless Chromium (Debian's chromium, chromium-driver and
# python3-selenium) for the report's browser test. Idempotent; silent when
# all is there; waits for another apt-get holding the lock.
set -eu
PKGS="chromium chromium-driver python3-selenium"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps-browser: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps-browser: not root; install these packages by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
