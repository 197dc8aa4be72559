#!/bin/sh
# Installs Debian's prometheus package (the server and promtool) for the
# metrics tests. Idempotent; silent when it is there. Not part of scripts/deps.sh:
# only the tests of GET /metrics need it. Exit 0 when promtool is usable.
set -eu
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps-prometheus: not root; install the 'prometheus' package by hand" >&2
	exit 1
fi
echo "deps-prometheus: installing prometheus (server and promtool)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 || {
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
command -v promtool >/dev/null 2>&1
