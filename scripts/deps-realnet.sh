#!/bin/sh
# Installs the Debian packages the real-network tests (tests/net/t_4x) need beyond
# `scripts/deps.sh test`: iproute2 (network namespaces) and dnsmasq-base (a DNS
# server binary, no service started). Idempotent; silent when all is there.
set -eu
missing=""
for p in iproute2 dnsmasq-base; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps-realnet: not root; install these packages by hand:$missing" >&2
	exit 1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
	{ echo "deps-realnet: apt-get install$missing failed" >&2; exit 1; }
