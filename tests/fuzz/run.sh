#!/bin/sh
# Builds the configuration-loader fuzzer with clang (libFuzzer + ASan +
# UBSan) and runs it briefly on a copy of the seed corpus. Any crash, leak,
# hang or sanitizer report fails. Usage: sh tests/fuzz/run.sh BUILD_DIR
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
if [ -z "$CLANG" ]; then
	echo "fuzz: skipped (clang not found)"
	exit 0
fi
mkdir -p "$out"
rm -rf "$out/corpus" "$out/artifacts"
mkdir -p "$out/corpus" "$out/artifacts"
cp "$here"/corpus/* "$out/corpus/"

# The loader and its utilities only: the harness does not need the rest.
srcs="$root/tests/fuzz/fuzz_config.c $(ls "$root"/src/config/*.c "$root"/src/util/*.c)"
# shellcheck disable=SC2086
if ! "$CLANG" -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -I"$root/include" $(pkg-config --cflags libfyaml) \
	-o "$out/fuzz_config" $srcs $(pkg-config --libs libfyaml) >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	echo "fuzz: 0 passed, 1 failed (build)"
	exit 1
fi

secs=${FUZZ_SECONDS:-20}
"$out/fuzz_config" "$out/corpus" -max_total_time="$secs" -timeout=5 \
	-rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$out/artifacts/" >"$out/fuzz.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] || [ -n "$(ls "$out/artifacts")" ]; then
	tail -n 40 "$out/fuzz.log" >&2
	echo "fuzz: artifacts in $out/artifacts" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
echo "fuzz: config loader ran ${runs:-?} inputs in ${secs}s, no crash"
echo "fuzz: 1 passed, 0 failed"
