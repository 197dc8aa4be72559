#!/bin/sh
# Builds each libFuzzer harness (config loader, SIP helpers, SIP over TCP
# framing, control request heads and chunked bodies, scenario parser)
# with clang + ASan + UBSan and runs it briefly on a copy of its seed corpus.
# Any crash, leak, hang or sanitizer report fails that harness; every harness
# runs even when an earlier one failed. Usage: sh tests/fuzz/run.sh BUILD_DIR
#
# Each harness runs a fixed number of inputs from a fixed seed, not for a
# fixed time: a time budget made a slower machine (CI) walk further than the
# developer's and find what `make check` here never tried. FUZZ_RUNS sets the
# number of inputs of every harness and FUZZ_SEED the seed, to explore
# further; FUZZ_MAX_SECONDS (120) caps each run, which can only shorten the
# same walk. Without clang it skips, except under CI (CI set), where it fails.
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$B/fuzz"
CLANG=${CLANG:-}
if [ -z "$CLANG" ]; then
	for c in clang clang-14; do
		command -v "$c" >/dev/null 2>&1 && { CLANG=$c; break; }
	done
fi
# Under CI (CI set and not empty, as .ci/run and most CI services do) a
# fuzzer that cannot be built is a failure: a green CI must have fuzzed.
if [ -z "$CLANG" ]; then
	if [ -n "${CI:-}" ]; then
		echo "fuzz: FAILED: clang not found, and CI=$CI asks for fuzzing (install: sh scripts/deps.sh test)"
		exit 1
	fi
	echo "fuzz: skipped: clang not found (install: sh scripts/deps.sh test; under CI this fails)"
	exit 0
fi
mkdir -p "$out"
passed=0
failed=0

# Every RFC 4475 message (tests/data/sip-torture/) stays a seed, as sent, of
# every harness that reads SIP.
for c in corpus-sipmsg corpus-sipframe; do
	for m in "$root"/tests/data/sip-torture/*.sip; do
		s="$here/$c/rfc4475-$(basename "$m" .sip)"
		if ! cmp -s "$m" "$s"; then
			echo "fuzz: FAILED: $s is not $m (every RFC 4475 message is a seed of $c)"
			failed=$((failed + 1))
		fi
	done
done

# fuzz NAME LABEL RUNS CORPUS_DIR "SOURCES" "CFLAGS" "LIBS"
fuzz() {
	name=$1 label=$2 runs=$3 seeds=$4 srcs=$5 cflags=$6 libs=$7
	d="$out/$name"
	rm -rf "$d"
	mkdir -p "$d/corpus" "$d/artifacts"
	cp "$seeds"/* "$d/corpus/"
	# shellcheck disable=SC2086
	if ! "$CLANG" -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -I"$root/include" -I"$root/src" $cflags \
		-o "$d/fuzz_$name" $srcs $libs >"$d/build.log" 2>&1; then
		cat "$d/build.log" >&2
		echo "fuzz: $label FAILED to build (log in $d/build.log)"
		failed=$((failed + 1))
		return
	fi
	start=$(date +%s)
	"$d/fuzz_$name" "$d/corpus" -seed="${FUZZ_SEED:-1}" -runs="$runs" \
		-max_total_time="${FUZZ_MAX_SECONDS:-120}" -timeout=5 \
		-rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$d/artifacts/" >"$d/fuzz.log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] || [ -n "$(ls "$d/artifacts")" ]; then
		tail -n 40 "$d/fuzz.log" >&2
		echo "fuzz: $label FAILED (exit $rc), artifacts in $d/artifacts"
		failed=$((failed + 1))
		return
	fi
	ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/fuzz.log")
	echo "fuzz: $label ran ${ran:-?} inputs in $(($(date +%s) - start))s, no crash"
	passed=$((passed + 1))
}

fy_cflags=$(pkg-config --cflags libfyaml)
fy_libs=$(pkg-config --libs libfyaml)
re_cflags="$(pkg-config --cflags libre) -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6"
re_libs=$(pkg-config --libs libre libcrypto)   # the digest helpers use OpenSSL's EVP

# The config and SIP harnesses link only what their parser needs; the
# scenario parser resolves names through the simulator, which needs the
# whole core library.
core=$(ls "$root"/src/util/*.c "$root"/src/config/*.c "$root"/src/options/*.c \
	"$root"/src/validate/*.c "$root"/src/agent/*.c "$root"/src/engine/*.c \
	"$root"/src/sim/*.c)
fuzz config "config loader" "${FUZZ_RUNS:-200000}" "$here/corpus" \
	"$here/fuzz_config.c $(ls "$root"/src/config/*.c "$root"/src/util/*.c)" \
	"$fy_cflags" "$fy_libs"
fuzz sipmsg "SIP helpers" "${FUZZ_RUNS:-500000}" "$here/corpus-sipmsg" \
	"$here/fuzz_sipmsg.c $root/src/net/sipmsg.c $root/src/net/sipraw.c $root/src/net/digest.c" \
	"$re_cflags" "$re_libs"
fuzz sipframe "SIP over TCP framing" "${FUZZ_RUNS:-300000}" "$here/corpus-sipframe" \
	"$here/fuzz_sipframe.c $root/src/net/sipframe.c $root/src/net/sipraw.c" \
	"$re_cflags" "$re_libs"
fuzz control "control request heads" "${FUZZ_RUNS:-300000}" "$here/corpus-control" \
	"$here/fuzz_control.c $root/src/control/request.c $root/src/control/buf.c $root/src/util/json.c $root/src/util/utf8.c" \
	"$re_cflags" "$re_libs"
fuzz scenario "scenario parser" "${FUZZ_RUNS:-200000}" "$here/corpus-scenario" \
	"$here/fuzz_scenario.c $core" \
	"$fy_cflags" "$fy_libs -lm"

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
