#!/usr/bin/python3
# The status page at N agents (bench/net/page.sh): the first paint (navigation
# start to the first drawing of the counts, and to the counts showing all N
# agents at SiteX), then SiteX silenced: how long after the run's last
# switchover event reached the harness the page shows all N at SiteY.
# Prints figures; asserts nothing but that the page got there.
#   page.py URL N EVENTS(arrival-stamped) PGID...
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/browser"))
from browser import chromium  # noqa: E402

URL, N, EVENTS = sys.argv[1], int(sys.argv[2]), sys.argv[3]
PGIDS = [int(g) for g in sys.argv[4:]]
COUNT = """const td = document.querySelector('#counts tr[data-site="%s"] td[data-state="connected"]');
    return td ? +td.textContent : null;"""


def until(what, secs, cond):
    end = time.monotonic() + secs
    while not cond():
        if time.monotonic() >= end:
            print("page: FAILED: the page did not show %s within %d s" % (what, secs))
            sys.exit(1)
        time.sleep(0.02)  # the poll step of this deadline loop


driver = chromium()
try:
    # a cold browser (its first page: renderer start, JS compiled), then a reload
    for load in ("cold browser", "reload"):
        driver.get(URL)
        until("%d agents at SiteX" % N, 60, lambda: driver.execute_script(COUNT % "SiteX") == N)
        all_ms = driver.execute_script("return performance.now()")
        paint = driver.execute_script("return window.dsStats.firstPaintMs")
        dcl = driver.execute_script("const n = performance.getEntriesByType('navigation')[0];"
                                    "return n ? n.domContentLoadedEventEnd : -1")
        print("first paint (%s): %.0f ms after navigation start (the page's files loaded at "
              "%.0f ms); all %d agents counted at SiteX by %.0f ms" % (load, paint, dcl, N, all_ms))
    for g in PGIDS:
        os.killpg(g, signal.SIGSTOP)
    until("%d agents at SiteY" % N, 180, lambda: driver.execute_script(COUNT % "SiteY") == N)
    seen = time.time()
    shown = driver.execute_script("return window.dsStats.lastEventShownAt") / 1000
    last = 0.0
    with open(EVENTS) as f:
        for line in f:
            if '"event": "switchover", "kind": "sip", "from": "SiteX", "to": "SiteY"' in line:
                last = max(last, float(line.split(" ", 1)[0]))
    print("fleet switchover: the page drew its last event %.0f ms after the run's last switchover "
          "event reached the harness (the harness saw the count %.0f ms after it)"
          % ((shown - last) * 1000, (seen - last) * 1000))
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    print("console errors: %d" % len(errors))
finally:
    for g in PGIDS:
        try:
            os.killpg(g, signal.SIGCONT)
        except OSError:
            pass
    driver.quit()
