#!/bin/sh
# Runs the integration tests against real Kamailio and sipp (tests/net/t_*.sh).
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fail=0; n=0
for t in tests/net/t_*.sh; do
	[ -f "$t" ] || continue
	n=$((n + 1))
	if sh "$t" "$bin"; then echo "ok   $t"; else echo "FAIL $t" >&2; fail=$((fail + 1)); fi
done
echo "net: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
