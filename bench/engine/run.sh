#!/bin/sh
# Engine benchmark: 10,000 agents x 24 simulated hours with random faults.
# usage: sh bench/engine/run.sh BUILD_DIR [AGENTS [HOURS]]
#        sh bench/engine/run.sh BUILD_DIR smoke   (20 agents x 2 hours: that it runs)
# Exits non-zero when the benchmark cannot run (its configuration does not
# validate, or the engine handled no input), so a smoke run catches rot.
set -eu
b=${1:-build}
agents=${2:-10000}
hours=${3:-24}
if [ "$agents" = smoke ]; then
	agents=20
	hours=2
fi
here=$(dirname "$0")
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -o "$b/bench_engine" "$here/bench_engine.c" \
	"$b/libdualsite.a" $(pkg-config --libs libfyaml) -lm
echo "command: $b/bench_engine $here/agent.yaml $agents $hours"
"$b/bench_engine" "$here/agent.yaml" "$agents" "$hours"
