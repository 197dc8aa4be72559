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
cases=1
for f in "$tmp"/*.svg; do
	[ -f "$f" ] || continue
	cases=$((cases + 1))
	n=$(basename "$f")
	if cmp -s "$f" "docs/img/$n"; then
		pass=$((pass + 1))
	else
		echo "FAIL docs/img/$n is stale: run 'make docs-img'"
		fail=$((fail + 1))
	fi
done
# The documents stand on their own: they cite docs/behaviour.md, never a
# contract kept outside the repository.
cases=$((cases + 1))
cited=$(grep -rn -e 'SPEC §' -e 'SPEC\.md' -e 'the SPEC' README.md docs examples tests/net/README.md bench/*.md bench/*/*.md)
if [ -z "$cited" ]; then
	pass=$((pass + 1))
else
	echo "FAIL a document cites a SPEC outside the repository (cite docs/behaviour.md §N):"
	echo "$cited"
	fail=$((fail + 1))
fi
echo "docs: $cases cases, $pass passed, $fail failed"
if [ "$cases" -le 2 ]; then
	echo "FAIL docs: no picture was drawn, so none was compared"
	exit 1
fi
[ "$fail" -eq 0 ]
