#!/bin/sh
# `dualsite report` (docs/behaviour.md §9, docs/report.md).
#
# config.yaml is the worked case of docs/behaviour.md ("Worked answer"):
# random-delay-range 0, probes every I = 1 s answered within 0.5 s, down
# after 2 misses, timeout T = 10 s, hold-down H = 5 s, dual registration.
# Worked by hand: a site silent from t0 fails the probe sent at ceil(t0) (a
# scenario event comes before a probe of the same instant) at ceil(t0) + 0.5
# and the next at ceil(t0) + 1.5: the agent is without a SIP connection for
# exactly ceil(t0) + 1.5 + T - t0, within the probe-phase bounds
# [(F-1) I + timeout + T, B + T] = [11.5, 12.5] s. Back at tr, the site
# answers the probe at ceil(tr), the agent registers there at once and
# restores after H: home exactly ceil(tr) + H - tr, within [H, H + I].
# Usage: run.sh /abs/path/to/dualsite
suite=report
. "$(dirname "$0")/../lib.sh"

rep() { (cd "$here" && "$bin" report "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"); }

# 1. one run: the exact figures, from the outage instant the report chose
rep -c config.yaml --runs 1 --site SiteX --json --seed 7
python3 - "$tmp/out" >"$tmp/got" 2>&1 <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))
s = r["sites"][0]
t0 = s["outage_at_s"][0]
tr = t0 + r["outage_s"]
g = {x["group"]: x for x in s["groups"]}["Sales"]
want_w = round(math.ceil(t0) + 1.5 + 10 - t0, 3)
want_h = round(math.ceil(tr) + 5 - tr, 3)
for k in ("p50", "p99", "max"):
    print(k, g["without_sip_s"][k] == want_w, g["home_after_return_s"][k] == want_h)
print("affected", g["affected"], "unprotected", [u["agent"] for u in r["unprotected"]])
PY
printf 'p50 True True\np99 True True\nmax True True\naffected 2 unprotected [%s]\n' "'dora'" >"$tmp/want"
check "worked case, one run: exact time without SIP and time home" "$tmp/want" "$tmp/got" 0 "$(cat "$tmp/rc")"

# 2. twenty runs per site: every figure within the worked bounds
rep -c config.yaml --json
python3 - "$tmp/out" >"$tmp/got" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in r["sites"]:
    for g in s["groups"]:
        if g["group"] == "(no group)" or not g["affected"]:
            continue
        w, h = g["without_sip_s"], g["home_after_return_s"]
        print(s["site"], g["group"], g["affected"], all(11.5 <= w[k] <= 12.5 for k in ("p50", "p99", "max")),
              all(5 <= h[k] <= 6 for k in ("p50", "p99", "max")), len(set(s["outage_at_s"])) > 1)
PY
printf 'SiteX Sales 40 True True True\nSiteY Support 40 True True True\n' >"$tmp/want"
check "worked case, 20 runs: within [11.5, 12.5] s and home within [5, 6] s" "$tmp/want" "$tmp/got" 0 "$(cat "$tmp/rc")"

# 3. the same inputs give the same bytes
rep -c config.yaml --runs 3 --seed 9
cp "$tmp/out" "$tmp/first"
rep -c config.yaml --runs 3 --seed 9
check "deterministic" "$tmp/first" "$tmp/out" 0 "$(cat "$tmp/rc")"

# 4. a registrar over its capacity: exit 1, said in text and JSON
rep -c capacity.yaml --runs 2
grep -c "capacity 1/s: EXCEEDED" "$tmp/out" | sed 's/^[1-9][0-9]*$/found/' >"$tmp/got"
echo found >"$tmp/want"
check "capacity exceeded (exit 1)" "$tmp/want" "$tmp/got" 1 "$(cat "$tmp/rc")"
rep -c capacity.yaml --runs 2 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["failed"], any(g["over_capacity"] for s in r["sites"] for g in s["registrars"]))' "$tmp/out" >"$tmp/got"
echo "True True" >"$tmp/want"
check "capacity exceeded (json)" "$tmp/want" "$tmp/got" 1 "$(cat "$tmp/rc")"

# 5. validate's findings that change the figures
rep -c slow-retry.yaml --runs 1 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([d["path"].split("/")[-1] for d in r["findings"]["diagnostics"]])' "$tmp/out" >"$tmp/got"
echo "['sipendpoint.proxies.proxy0.reregister_in_seconds']" >"$tmp/want"
check "finding: reregister_in_seconds 3600" "$tmp/want" "$tmp/got" 0 "$(cat "$tmp/rc")"

# 6. the HTML page: self-contained, every chart there
rep -c config.yaml --runs 2 --html "$tmp/r.html"
python3 - "$tmp/r.html" >"$tmp/got" <<'PY'
import re, sys
from html.parser import HTMLParser
ids, bad = [], []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script": bad.append("script")
        for k in ("src", "href"):
            if k in a: bad.append(k)
        if tag == "svg" and a.get("class") == "chart": ids.append(a["id"])
P().feed(open(sys.argv[1]).read())
print(" ".join(sorted(ids)))
print("external or script:", bad)
PY
printf '%s\n' "chart-home-SiteX chart-home-SiteY chart-registers-SiteX chart-registers-SiteY chart-without-SiteX chart-without-SiteY" "external or script: []" >"$tmp/want"
check "html: self-contained, six charts" "$tmp/want" "$tmp/got" 0 "$(cat "$tmp/rc")"

# 7. the page in a real browser (headless Chromium): no console error, every
# chart drawn, no request beyond the file. Chromium comes from Debian through
# scripts/deps.sh browser; without it the check is skipped, except under CI=1.
browser_ok=1
sh "$root/scripts/deps.sh" browser >/dev/null 2>&1 || browser_ok=0
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || browser_ok=0
/usr/bin/python3 -c 'import selenium' 2>/dev/null || browser_ok=0
if [ "$browser_ok" -eq 1 ]; then
	timeout 180 /usr/bin/python3 "$here/browser.py" "$tmp/r.html" chart-without-SiteX chart-home-SiteX \
		chart-registers-SiteX chart-without-SiteY chart-home-SiteY chart-registers-SiteY >"$tmp/got" 2>&1
	echo ok >"$tmp/want"
	check "html in headless Chromium" "$tmp/want" "$tmp/got" 0 $?
elif [ -n "${CI:-}" ]; then
	fail=$((fail + 1))
	echo "FAIL report/html in headless Chromium: Chromium cannot run here (CI=1 requires it)"
else
	echo "SKIP report/html in headless Chromium: chromium, chromium-driver or python3-selenium missing"
fi

# 8. mistakes
rep -c config.yaml --site SiteZ
head -n 1 "$tmp/err" >"$tmp/got"
echo "dualsite report: --site 'SiteZ' is no site of the configuration's agents" >"$tmp/want"
check "unknown site" "$tmp/want" "$tmp/got" 1 "$(cat "$tmp/rc")"
rep -c config.yaml --runs 0
head -n 1 "$tmp/err" >"$tmp/got"
echo "dualsite report: --runs '0': expected a whole number 1..10000" >"$tmp/want"
check "--runs 0" "$tmp/want" "$tmp/got" 2 "$(cat "$tmp/rc")"
rep -c no-such.yaml
check "unreadable configuration" /dev/null "$tmp/out" 2 "$(cat "$tmp/rc")"

echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
