#!/usr/bin/python3
# The status page in headless Firefox ESR, driven over WebDriver BiDi (built
# into Firefox; Debian packages no geckodriver): the page shows the agents at
# home, then SiteX silenced (its registrars' process group SIGSTOPped) shows
# alice's switchover live; no JavaScript error or console error meanwhile.
# Run by tests/net/t_52_status_page_firefox.sh.
#   firefox_page.py URL SITEX_PGID OUTDIR
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import websocket

URL, PGID, OUT = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def fail(msg):
    print("FAIL firefox_page: " + msg, file=sys.stderr)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Bidi:
    def __init__(self, port):
        end = time.monotonic() + 30
        while True:
            try:
                self.ws = websocket.create_connection("ws://127.0.0.1:%d/session" % port, timeout=30,
                                                     suppress_origin=True)
                break
            except OSError:
                if time.monotonic() >= end:
                    fail("Firefox's WebDriver BiDi did not answer within 30 s")
                time.sleep(0.2)  # the poll step of this deadline loop
        self.n = 0
        self.logs = []

    def call(self, method, params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("type") == "event" or ("method" in m and "id" not in m):
                if m.get("method") == "log.entryAdded":
                    self.logs.append(m["params"])
                continue
            if m.get("id") != self.n:
                continue
            if m.get("type") == "error" or "error" in m:
                fail("%s: %s" % (method, m))
            return m["result"]


def js(b, ctx, expr):
    r = b.call("script.evaluate", {"expression": expr, "target": {"context": ctx},
                                   "awaitPromise": False})
    if r.get("type") == "exception":
        fail("script error: %s" % r)
    return r["result"].get("value")


COUNT = """(() => { const td = document.querySelector(
    '#counts tr[data-site="%s"] td[data-state="connected"]'); return td ? +td.textContent : -1; })()"""
AWAY = """[...document.querySelectorAll('#away tbody tr')].map(r => r.innerText).join('|')"""


def wait(b, ctx, what, secs, cond):
    end = time.monotonic() + secs
    while not cond():
        if time.monotonic() >= end:
            shot(b, ctx, "firefox-failure")
            fail("the page did not show %s within %d s" % (what, secs))
        time.sleep(0.2)  # the poll step of this deadline loop


def shot(b, ctx, name):
    data = b.call("browsingContext.captureScreenshot", {"context": ctx})["data"]
    path = os.path.join(OUT, name + ".png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))
    print("firefox_page: screenshot %s" % path, file=sys.stderr)


port = free_port()
profile = tempfile.mkdtemp(prefix="dsfirefox-")
ff = subprocess.Popen(["firefox-esr", "--headless", "--no-remote", "--profile", profile,
                       "--remote-debugging-port", str(port), "--window-size", "1400,1300"],
                      stdout=subprocess.DEVNULL, stderr=open(os.path.join(OUT, "firefox.log"), "w"))
try:
    b = Bidi(port)
    b.call("session.new", {"capabilities": {}})
    b.call("session.subscribe", {"events": ["log.entryAdded"]})
    ctx = b.call("browsingContext.getTree", {})["contexts"][0]["context"]
    b.call("browsingContext.navigate", {"context": ctx, "url": URL, "wait": "complete"})
    wait(b, ctx, "the agents at home", 20, lambda: js(b, ctx, COUNT % "SiteX") == 1 and
         js(b, ctx, COUNT % "SiteY") == 1 and js(b, ctx, AWAY) == "")
    shot(b, ctx, "firefox-1-home")
    js(b, ctx, "window.dsNoReload = 1")
    os.killpg(PGID, signal.SIGSTOP)
    wait(b, ctx, "alice's switchover to SiteY", 40, lambda: js(b, ctx, COUNT % "SiteY") == 2 and
         "alice" in js(b, ctx, AWAY) and "on the peer" in js(b, ctx, AWAY))
    if js(b, ctx, "window.dsNoReload") != 1:
        fail("the page was reloaded")
    wait(b, ctx, "the switchover in the recent events", 5, lambda: "alice switchover kind=sip"
         in js(b, ctx, "document.getElementById('events').innerText"))
    shot(b, ctx, "firefox-2-switchover")
    js(b, ctx, "1")   # a last round trip: log entries sent before it are in
    for e in b.logs:
        print("firefox_page: console %s: %s" % (e.get("level"), e.get("text")), file=sys.stderr)
    bad = [e for e in b.logs if e.get("level") in ("error", "warn")]
    if bad:
        fail("the console has %d error(s)/warning(s)" % len(bad))
    print("firefox_page: steps passed", file=sys.stderr)
finally:
    try:
        os.killpg(PGID, signal.SIGCONT)
    except OSError:
        pass
    ff.terminate()
    try:
        ff.wait(timeout=10)
    except subprocess.TimeoutExpired:
        ff.kill()
        ff.wait()
