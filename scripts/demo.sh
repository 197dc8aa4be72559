#!/bin/sh
# `make demo`: the two-site lab on loopback (`dualsite lab`, docs/lab.md).
# Builds nothing (make demo built the binary); exits with the lab's status.
# Extra arguments go to `dualsite lab` (e.g. --agents 5 --svg lab.svg).
set -u
bin=${1:?usage: sh scripts/demo.sh PATH-TO-dualsite [lab options]}
shift
exec "$bin" lab "$@"
