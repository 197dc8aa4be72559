#!/bin/sh
# Redraws the behaviour guide's pictures: one `simulate --svg` per example
# scenario in examples/scenarios/. usage: sh scripts/gen-docs-img.sh BIN [OUTDIR]
set -eu
bin=$1
out=${2:-docs/img}
mkdir -p "$out"
for s in examples/scenarios/*.yaml; do
	n=$(basename "$s" .yaml)
	[ "$n" = agents ] && continue
	"$bin" simulate -c examples/scenarios/agents.yaml --scenario "$s" --svg "$out/$n.svg" >/dev/null
done
# the fleet picture (many agents)
"$bin" simulate -c examples/fleet/config.yaml --scenario examples/fleet/site-loss.yaml \
	--svg "$out/fleet.svg" >/dev/null
