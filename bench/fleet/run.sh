#!/bin/sh
# The fleet benchmarks (docs/behaviour.md §9), printing their figures:
# 1. `dualsite report` on the N-person configuration of bench/config/gen.sh,
#    both sites, R runs each (goal for 10,000 persons and 20 runs: < 60 s);
# 2. `dualsite simulate --agent all` of the N agents for one simulated hour,
#    SiteX lost for 10 minutes (goal for 10,000: < 10 s);
# 3. the memory per simulated agent beyond the loaded configuration: the heap
#    in use (mallinfo2) after loading, then at the peak of a fleet of every
#    agent simulated for that hour (bench/fleet/mem.c), over N (goal: < 2 KiB).
# Wall-clock figures on a shared machine are noisy: they are printed, never
# asserted. usage: sh bench/fleet/run.sh BUILDDIR [--smoke]
# --smoke: 200 persons, 2 runs, 5 simulated minutes: checks that it all runs.
set -eu
b=${1:?usage: sh bench/fleet/run.sh BUILDDIR [--smoke]}
bin=$(cd "$b" && pwd)/dualsite
here=$(cd "$(dirname "$0")" && pwd)
n=10000 runs=20 hour=3600 outage=600
if [ "${2:-}" = --smoke ]; then n=200 runs=2 hour=300 outage=60; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ds-benchfleet.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

sh "$here/../config/gen.sh" "$n" >"$tmp/fleet.yaml"
"$bin" validate -c "$tmp/fleet.yaml" >"$tmp/validate.out" ||
	{ echo "bench/fleet: the generated configuration does not validate:"; head "$tmp/validate.out"; exit 1; }
cat >"$tmp/hour.yaml" <<EOS
agent: all
duration: $hour
seed: 1
events:
  - {at: 60, down: SiteX}
  - {at: $((60 + outage)), up: SiteX}
EOS

# wall seconds and peak RSS (KiB) of a command, into $secs and $kib
measure() {
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
		rc=$?
		# report exits 1 when a capacity is exceeded or an agent is never back: still a figure
		[ "$1" = "$bin" ] && [ "$2" = report ] && [ "$rc" = 1 ] || { cat "$tmp/err"; exit 1; }
	}
	secs=$(awk '{print $1}' "$tmp/time")
	kib=$(awk '{print $2}' "$tmp/time")
}

echo "fleet benchmarks: $n persons (bench/config/gen.sh $n), $(nproc) CPUs"
measure "$bin" report -c "$tmp/fleet.yaml" --runs "$runs" --outage "$outage"
echo "report, both sites, $runs runs each, outage ${outage} s: ${secs} s wall, peak RSS $kib KiB (goal < 60 s)"
grep -E "^  (all agents|registrar)" "$tmp/out" | sed 's/^/    /'
echo "  command: dualsite report -c fleet.yaml --runs $runs --outage $outage"

measure "$bin" simulate -c "$tmp/fleet.yaml" --scenario "$tmp/hour.yaml" --events /dev/null
all_secs=$secs all_kib=$kib
lines=$(wc -l <"$tmp/out")
echo "simulate --agent all, $n agents, $hour simulated s: ${all_secs} s wall, $lines timeline lines (goal < 10 s)"
echo "  command: dualsite simulate -c fleet.yaml --scenario hour.yaml --events /dev/null"
# the heap, measured in the process: peak RSS is the loader's peak, not the fleet's
root=$(cd "$here/../.." && pwd)
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/include" -o "$tmp/mem" "$here/mem.c" \
	"$b/libdualsite.a" $(pkg-config --libs libfyaml) -lm
"$tmp/mem" "$tmp/fleet.yaml" SiteX "$hour" | sed 's/^/memory per simulated agent beyond the loaded configuration: /'
echo "  (goal < 2048 bytes; peak RSS of the simulate run above: $all_kib KiB)"
echo "  command: cc ... bench/fleet/mem.c build/libdualsite.a; mem fleet.yaml SiteX $hour"
