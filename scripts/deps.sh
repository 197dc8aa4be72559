#!/bin/sh
# Installs the Debian packages dualsite needs. Idempotent; silent when all is there.
set -eu
PKGS="gcc make pkg-config libre-dev libfyaml-dev libcmocka-dev
      kamailio sip-tester clang libfuzzer-14-dev
      libclang-rt-14-dev iproute2 nftables procps perl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; install these packages by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
