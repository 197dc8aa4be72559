#!/bin/sh
# `make bench`: the benchmarks (not part of `make check`). Network benchmarks
# first (bench/net/, they need root for the network namespace, Kamailio and
# sipp), then the engine benchmark (bench/engine/run.sh), the fleet
# benchmarks (bench/fleet/run.sh) and the configuration benchmarks
# (bench/config/run.sh).
# Each prints its figures and the command that reproduces them; everything
# printed is also kept in BUILDDIR/bench-results.txt. bench/RESULTS.md holds
# the figures of a recorded run.
# usage: sh bench/run.sh BUILDDIR
set -u
b=${1:?usage: sh bench/run.sh BUILDDIR}
bin=$(cd "$b" && pwd)/dualsite
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$b" && pwd)/bench-results.txt
rm -f "$out.failed"
{
	echo "dualsite benchmarks, $(date -u +%Y-%m-%dT%H:%MZ)"
	if [ "$(id -u)" != 0 ]; then
		echo "bench/net/latency.sh needs root (ip netns, nftables): skipping its 'drop' fault"
		bash "$here/net/latency.sh" "$bin" 20 "silent refused" || : > "$out.failed"
	else
		bash "$here/net/latency.sh" "$bin" 20 || : > "$out.failed"
	fi
	echo
	bash "$here/net/fleet.sh" "$bin" || : > "$out.failed"
	echo
	bash "$here/net/storm.sh" "$bin" || : > "$out.failed"
	echo
	bash "$here/net/control.sh" "$bin" || : > "$out.failed"
	echo
	bash "$here/net/reload.sh" "$bin" || : > "$out.failed"
	echo
	bash "$here/net/page.sh" "$bin" || : > "$out.failed"
	echo
	echo "command: sh bench/net/register.sh $bin 1000"
	sh "$here/net/register.sh" "$bin" 1000 || : > "$out.failed"
	echo
	sh "$here/engine/run.sh" "$b" || : > "$out.failed"
	echo
	sh "$here/fleet/run.sh" "$b" || : > "$out.failed"
	if [ -f "$here/config/run.sh" ]; then
		echo
		sh "$here/config/run.sh" "$b" || : > "$out.failed"
	fi
} 2>&1 | tee "$out"
echo "bench: results kept in $out"
[ ! -f "$out.failed" ] || { rm -f "$out.failed"; echo "bench: a benchmark failed" >&2; exit 1; }
