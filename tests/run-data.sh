#!/bin/sh
# Runs each data-driven suite (tests/data/*/run.sh) with the dualsite binary.
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fail=0
for r in tests/data/*/run.sh; do
	[ -f "$r" ] || continue
	sh "$r" "$bin" || { echo "FAIL: $r" >&2; fail=$((fail + 1)); }
done
[ "$fail" -eq 0 ]
