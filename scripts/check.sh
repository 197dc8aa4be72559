#!/bin/sh
# `make check`, after both builds: every suite, in two lanes side by side.
# The suites that start registrars and time real SIP (net, net under ASan,
# then the benchmarks' smoke runs) go one after the other in one lane, never
# two at once: they are timing-sensitive. The others (unit, data, fuzz, unit and
# data under ASan, and the install test) share nothing with them and run in the second
# lane. Each suite writes its own log (BUILD/check/SUITE.log); a line says
# when each passed, and a failed suite's log is printed at the end.
# usage: sh scripts/check.sh BUILD ASAN_BUILD
set -u
b=${1:?usage: sh scripts/check.sh BUILD ASAN_BUILD}
asan=${2:?usage: sh scripts/check.sh BUILD ASAN_BUILD}
logs=$b/check
rm -rf "$logs"
mkdir -p "$logs"
plain="WERROR=-Werror B=$b"
san="WERROR=-Werror SAN=1 B=$asan"

# suite NAME MAKE-ARGS...: one suite into its log; leaves NAME.failed if it failed.
suite() {
	name=$1
	shift
	t0=$(date +%s)
	if make --no-print-directory "$@" >"$logs/$name.log" 2>&1; then
		echo "check: $name passed ($(($(date +%s) - t0)) s)"
	else
		echo "check: $name FAILED ($(($(date +%s) - t0)) s; log: $logs/$name.log)"
		: >"$logs/$name.failed"
	fi
}

net_lane() {
	# shellcheck disable=SC2086
	suite net $plain net
	# shellcheck disable=SC2086
	suite net-asan $san net
	# shellcheck disable=SC2086
	suite bench-smoke $plain bench-smoke
}
other_lane() {
	# shellcheck disable=SC2086
	suite unit $plain unit
	# shellcheck disable=SC2086
	suite data $plain data
	# shellcheck disable=SC2086
	suite fuzz $plain fuzz
	# shellcheck disable=SC2086
	suite unit-asan $san unit
	# shellcheck disable=SC2086
	suite data-asan $san data
	# shellcheck disable=SC2086
	suite pkg $plain pkg-test
}

start=$(date +%s)
# A background list of a script ignores SIGINT, so Ctrl-C would leave the
# net lane running: on INT (or TERM) every process of this group gets TERM,
# which the tests answer by ending what they started.
net_lane &
lane=$!
trap 'trap "" INT TERM; kill -TERM 0; wait "$lane"; exit 130' INT TERM
other_lane
wait "$lane"
failed=""
for f in "$logs"/*.failed; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .failed)
	failed="$failed $n"
	echo
	echo "==== $n: the end of $logs/$n.log"
	tail -n 80 "$logs/$n.log"
done
if [ -n "$failed" ]; then
	echo "check: FAILED:$failed ($(($(date +%s) - start)) s; logs in $logs/)"
	exit 1
fi
echo "check: all suites passed, plain and ASan+UBSan, and the benchmarks' smoke runs ($(($(date +%s) - start)) s)"
