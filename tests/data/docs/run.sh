#!/bin/sh
# Keeps the behaviour guide true: its pictures must be what `simulate --svg`
# draws today from the example scenarios (regenerate: make docs-img).
bin=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ds-docs.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
sh scripts/gen-docs-img.sh "$bin" "$tmp" || { echo "docs: simulate failed"; exit 1; }
pass=0; fail=0
# The pictures' configuration must itself be one an engineer could run.
if "$bin" validate -c examples/scenarios/agents.yaml >"$tmp/validate.out" &&
	"$bin" validate -c examples/fleet/config.yaml >>"$tmp/validate.out"; then
	pass=$((pass + 1))
else
	echo "FAIL examples/scenarios/agents.yaml or examples/fleet/config.yaml does not validate:"
	cat "$tmp/validate.out"
	fail=$((fail + 1))
fi
for f in "$tmp"/*.svg; do
	n=$(basename "$f")
	if cmp -s "$f" "docs/img/$n"; then
		pass=$((pass + 1))
	else
		echo "FAIL docs/img/$n is stale: run 'make docs-img'"
		fail=$((fail + 1))
	fi
done
echo "docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
