#!/bin/sh
# Installs the Debian packages one use of dualsite needs. Idempotent; silent when all is there.
# usage: sh scripts/deps.sh [GROUP]   (no argument: test's, which holds build's and lab's)
#   build  compile dualsite (`make`)
#   test   build, plus what `make check` runs: cmocka, Kamailio and sipp for the
#          integration tests, clang and libFuzzer for fuzzing, iproute2 and
#          nftables for the latency benchmark's smoke run, kamailio-tls-modules
#          for its TLS smoke run, groff, man-db and systemd (systemd-analyze)
#          for the install test
#   lab    build, plus what `make demo` (`dualsite lab`) starts: Kamailio, sipp
# (test includes lab's packages, so "all" is test's list.)
set -eu
BUILD="gcc make pkg-config libre-dev libssl-dev libfyaml-dev"
LAB="kamailio sip-tester procps"
TEST="libcmocka-dev kamailio sip-tester clang libfuzzer-14-dev libclang-rt-14-dev
      iproute2 nftables procps perl groff-base man-db systemd kamailio-tls-modules"
# Asked for by the tests that need them, each the first time it runs:
BROWSER="chromium chromium-driver python3-selenium firefox-esr python3-websocket"
PROMETHEUS="prometheus"
REALNET="iproute2 dnsmasq-base kamailio-tls-modules"
LINPHONE="linphone-cli"
# make package / package-test only:
PACKAGE="debhelper dpkg-dev fakeroot lintian debootstrap systemd groff-base man-db"
case ${1:-all} in
build) PKGS=$BUILD ;;
test | all) PKGS="$BUILD $TEST" ;;
lab) PKGS="$BUILD $LAB" ;;
browser) PKGS=$BROWSER ;;
prometheus) PKGS=$PROMETHEUS ;;
realnet) PKGS=$REALNET ;;
linphone) PKGS=$LINPHONE ;;
package) PKGS=$PACKAGE ;;
*) echo "usage: sh scripts/deps.sh [build|test|lab|browser|prometheus|realnet|linphone|package]" \
	"(no argument: test's)" >&2; exit 2 ;;
esac
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
