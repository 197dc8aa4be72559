#!/bin/sh
# Installs what the status page's browser tests need (headless Chromium, its
# WebDriver, Selenium for Python; Firefox ESR and a WebSocket client for its
# built-in WebDriver BiDi). Idempotent; silent when all is there.
set -eu
PKGS="chromium chromium-driver python3-selenium firefox-esr python3-websocket"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps-page: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps-page: not root; install these packages by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
