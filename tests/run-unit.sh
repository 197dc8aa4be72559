#!/bin/sh
# Runs every unit test binary given; fails if any fails.
fail=0; n=0
for t in "$@"; do
	n=$((n + 1))
	"$t" || { echo "FAIL: $t" >&2; fail=$((fail + 1)); }
done
echo "unit: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
