#!/bin/sh
# Installs the Debian packages one use of dualsite needs. Idempotent; silent when all is there.
# usage: sh scripts/deps.sh [build|test|lab]   (no argument: all of them)
#   build  compile dualsite (`make`)
#   test   build, plus what `make check` runs: cmocka, Kamailio and sipp for the
#          integration tests, clang and libFuzzer for fuzzing, iproute2 and
#          nftables for the latency benchmark's smoke run, groff, man-db and
#          systemd (systemd-analyze) for the install test
#   lab    build, plus what `make demo` (`dualsite lab`) starts: Kamailio, sipp
# (test includes lab's packages, so "all" is test's list.)
set -eu
BUILD="gcc make pkg-config libre-dev libssl-dev libfyaml-dev"
LAB="kamailio sip-tester procps"
TEST="libcmocka-dev kamailio sip-tester clang libfuzzer-14-dev libclang-rt-14-dev
      iproute2 nftables procps perl groff-base man-db systemd"
case ${1:-all} in
build) PKGS=$BUILD ;;
test | all) PKGS="$BUILD $TEST" ;;
lab) PKGS="$BUILD $LAB" ;;
*) echo "usage: sh scripts/deps.sh [build|test|lab] (no argument: all)" >&2; exit 2 ;;
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
