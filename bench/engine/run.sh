#!/bin/sh
# Engine benchmark: 10,000 agents x 24 simulated hours with random faults.
# usage: sh bench/engine/run.sh BUILD_DIR [AGENTS] [HOURS]
set -eu
b=${1:-build}
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -o "$b/bench_engine" bench/engine/bench_engine.c \
	"$b/libdualsite.a" $(pkg-config --libs libfyaml) -lm
echo "command: $b/bench_engine tests/data/scenarios/two-site.yaml ${2:-10000} ${3:-24}"
"$b/bench_engine" tests/data/scenarios/two-site.yaml "${2:-10000}" "${3:-24}"
