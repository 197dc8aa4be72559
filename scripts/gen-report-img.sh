#!/bin/sh
# Redraws docs/img/report.png, the README's picture of `dualsite report
# --html`: the report of examples/fleet/config.yaml opened in headless
# Chromium (installed by scripts/deps.sh browser). usage: gen-report-img.sh BIN
set -eu
bin=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ds-reportimg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
sh scripts/deps.sh browser
"$bin" report -c examples/fleet/config.yaml --runs 20 --html "$tmp/report.html" >/dev/null || true
/usr/bin/python3 tests/data/report/browser.py "$tmp/report.html" --screenshot docs/img/report.png
