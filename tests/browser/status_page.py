#!/usr/bin/python3
# Drives the status page (docs/status-page.md) in headless Chromium against a live
# `dualsite run --control`: agents at home; SiteX silenced (its registrars'
# process group SIGSTOPped) shows the switchover live; SiteX back shows the
# restore; the drain button, once confirmed, moves the agents; no console error.
# Run by tests/net/t_50_status_page.sh, which starts the registrars and run.
#   status_page.py URL EVENTS_FILE DS_T0_MS SITEX_PGID OUTDIR [TOKEN]
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import chromium  # noqa: E402

URL, EVENTS, T0_MS, PGID, OUT = sys.argv[1:6]
TOKEN = sys.argv[6] if len(sys.argv) > 6 else None
T0_MS = int(T0_MS)
PGID = int(PGID)
CALL_MS = 8000
children = []   # what this script started (sipp), ended by PID at exit


def fail(msg):
    print("FAIL status_page (browser): " + msg, file=sys.stderr)
    try:
        shot("failure")
        print("  page text:\n" + driver.find_element(By.TAG_NAME, "body").text, file=sys.stderr)
        for e in driver.get_log("browser"):
            print("  console: %s" % e, file=sys.stderr)
    except Exception:
        pass
    sys.exit(1)


def shot(name):
    path = os.path.join(OUT, name + ".png")
    driver.save_screenshot(path)
    print("status_page: screenshot %s" % path, file=sys.stderr)


def wait(what, secs, cond):
    """Polls cond() until it is true or the deadline passes (then fails)."""
    end = time.monotonic() + secs
    while True:
        try:
            if cond():
                return
        except WebDriverException:
            pass
        if time.monotonic() >= end:
            fail("the page did not show %s within %s s" % (what, secs))
        time.sleep(0.1)  # the poll step of this deadline loop


def js(script):
    return driver.execute_script(script)


def count(site, state):
    """The counts table's figure for SITE and STATE, as the page shows it."""
    return js("""const td = document.querySelector(
        '#counts tr[data-site="%s"] td[data-state="%s"]');
        return td ? +td.textContent : null;""" % (site, state))


def away():
    """{agent: (home, state, site)} of the away list."""
    rows = driver.find_elements(By.CSS_SELECTOR, "#away tbody tr")
    out = {}
    for r in rows:
        tds = [td.text for td in r.find_elements(By.TAG_NAME, "td")]
        out[tds[0]] = tuple(tds[1:4])
    return out


def server_state(name):
    return js("""const tr = document.querySelector('tr[data-server="%s"]');
        return tr ? tr.children[2].textContent : null;""" % name)


def server_since_cell(name):
    return js("""const tr = document.querySelector('tr[data-server="%s"]');
        return tr ? tr.children[4].textContent : null;""" % name)


def status_server(name):
    """The server's object in the run's GET /v1/status."""
    req = urllib.request.Request(URL + "v1/status")
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    with urllib.request.urlopen(req, timeout=5) as r:
        doc = json.load(r)
    for srv in doc["servers"]:
        if srv["name"] == name:
            return srv
    fail("no server %s in /v1/status" % name)


def events(agent, event, **fields):
    """The matching lines of the run's events file."""
    out = []
    with open(EVENTS) as f:
        for line in f:
            e = json.loads(line)
            if e.get("agent") == agent and e.get("event") == event and \
                    all(e.get(k) == v for k, v in fields.items()):
                out.append(e)
    return out


def start_call():
    """sipp calls alice (7001) through SIP_Y; the caller hangs up after CALL_MS."""
    log = open(os.path.join(OUT, "sipp-call.out"), "w")
    p = subprocess.Popen(["sipp", "-nostdin", "-i", "127.0.0.1", os.environ["DS_CALL_TARGET"],
                          "-sf", os.environ["DS_CALL_XML"], "-s", "7001", "-d", str(CALL_MS),
                          "-m", "1", "-p", os.environ["DS_CALL_PORT"], "-timeout", "30",
                          "-recv_timeout", "20000"], stdout=log, stderr=subprocess.STDOUT)
    children.append(p)
    return p


def accept_alert(text=None):
    end = time.monotonic() + 5
    while True:
        try:
            a = driver.switch_to.alert
            if text is not None:
                a.send_keys(text)
            a.accept()
            return
        except NoAlertPresentException:
            if time.monotonic() >= end:
                fail("no confirmation dialog came")
            time.sleep(0.1)  # the poll step of this deadline loop


def fleet_steps():
    # 2. SiteX silent: the switchover shows without a reload.
    os.killpg(PGID, signal.SIGSTOP)
    t_stop = time.time()
    wait("alice's switchover to SiteY", 40,
         lambda: away().get("alice") == ("SiteX", "on the peer", "SiteY") and
         count("SiteY", "connected") == 2 and count("SiteX", "connected") == 0)
    if js("return window.dsNoReload") != 1:
        fail("the page was reloaded")
    sw = events("alice", "switchover", to="SiteY")
    if not sw:
        fail("the page shows a switchover the run's events do not have")
    shown = js("return window.dsStats.lastEventShownAt")
    print("status_page: switchover shown %.0f ms after the run's switchover event, %.1f s after "
          "SIGSTOP (not asserted)" % (shown - (T0_MS + sw[0]["t"] * 1000), time.time() - t_stop),
          file=sys.stderr)
    wait("SiteX's servers down", 10,
         lambda: server_state("SIP_X") == "down" and server_state("SIP_X_B") == "down")
    # Since when SIP_X is down: the run's own time of the change, as the page shows it,
    # after the SIGSTOP on the run's clock.
    srv = status_server("SIP_X")
    if srv["state"] != "down" or srv["since"] * 1000 < t_stop * 1000 - T0_MS:
        fail("SIP_X in /v1/status: %s, expected down since after the SIGSTOP (t=%.3f)"
             % (srv, (t_stop * 1000 - T0_MS) / 1000))
    wait("SIP_X down since t = %.3f s" % srv["since"], 10,
         lambda: server_since_cell("SIP_X") == "t = %.3f s" % srv["since"])
    wait("the switchover marked on the timeline", 5,
         lambda: "switchover to SiteY" in driver.find_element(By.ID, "timeline").text)
    wait("the switchover in the recent events", 5, lambda: "alice switchover kind=sip" in
         driver.find_element(By.ID, "events").text)
    shot("2-switchover")

    # 3. SiteX back while alice is on a call through SiteY: her restore is deferred
    # (the page lists her so), then done when the caller hangs up.
    call = start_call()
    wait("alice's call", 10, lambda: events("alice", "call-start", site="SiteY"))
    os.killpg(PGID, signal.SIGCONT)
    wait("alice's restore deferred by her call", 20,
         lambda: away().get("alice") == ("SiteX", "restore deferred", "SiteY"))
    if not events("alice", "restore-deferred"):
        fail("the page shows a deferral the run's events do not have")
    shot("3-deferred")
    wait("alice restored home after her call", 30, lambda: away() == {} and
         count("SiteX", "connected") == 1 and server_state("SIP_X") == "up")
    if call.wait(timeout=15) != 0:
        fail("sipp's call to alice failed (rc %s): see %s" % (call.returncode, OUT))
    shot("4-restored")

    # 5. The drain button of SiteY, confirmed, moves bob to SiteX.
    driver.find_element(By.CSS_SELECTOR, "#site-SiteY button").click()
    accept_alert()
    wait("the drain's answer", 10, lambda: driver.find_element(By.ID, "answer").text
         .startswith("drain SiteY: 202"))
    wait("bob moved off the drained SiteY", 20,
         lambda: away().get("bob") == ("SiteY", "on the peer", "SiteX") and
         count("SiteX", "connected") == 2 and count("SiteY", "connected") == 0 and
         "drained" in driver.find_element(By.ID, "site-SiteY").text)
    if not events("bob", "switchover", to="SiteX", reason="drain"):
        fail("the page shows bob moved but the run has no drain switchover for him")
    # The search box shows one agent: connections, registrations, call.
    box = driver.find_element(By.ID, "find-name")
    box.send_keys("bob")
    driver.find_element(By.CSS_SELECTOR, "#find button").click()
    wait("bob's details", 10, lambda: "SIP_X" in driver.find_element(By.ID, "agent").text
         and "registered" in driver.find_element(By.ID, "agent").text)
    # An action the endpoint refuses shows its error: bob's restore to drained SiteY.
    driver.find_element(By.XPATH, "//div[@id='agent']//button[text()='restore']").click()
    accept_alert()
    wait("the refusal of a restore to a drained site", 10,
         lambda: driver.find_element(By.ID, "answer").text.startswith("restore bob: 409") and
         "SiteY is drained" in driver.find_element(By.ID, "answer").text)
    shot("5-drained")


def token_steps():
    """With a token: a manual switchover from the agent's view; the event list,
    read by fetch() from the stream (EventSource cannot send the token), shows it."""
    driver.find_element(By.ID, "find-name").send_keys("alice")
    driver.find_element(By.CSS_SELECTOR, "#find button").click()
    wait("alice's details", 10, lambda: "SIP_X" in driver.find_element(By.ID, "agent").text)
    driver.find_element(By.XPATH, "//div[@id='agent']//button[text()='switch over']").click()
    accept_alert()
    wait("the switchover's answer", 10, lambda: driver.find_element(By.ID, "answer").text
         .startswith("switch alice over: 202"))
    wait("alice's manual switchover in the events", 10, lambda: "alice switchover kind=sip "
         "from=SiteX to=SiteY reason=manual" in driver.find_element(By.ID, "events").text)
    wait("alice on the peer", 10,
         lambda: away().get("alice") == ("SiteX", "on the peer", "SiteY"))
    if js("return sessionStorage.getItem('dualsite-token')") != TOKEN:
        fail("the token is not kept in sessionStorage")
    shot("2-token-switchover")


driver = chromium()
try:
    t_load = time.monotonic()
    driver.get(URL)
    if TOKEN:
        accept_alert(TOKEN)   # the page asks once, on its first 401
    # 1. The agents at home: alice at SiteX, bob at SiteY; every server up.
    wait("the agents at home", 15, lambda: count("SiteX", "connected") == 1 and
         count("SiteY", "connected") == 1 and away() == {} and
         all(server_state(s) == "up" for s in ("SIP_X", "SIP_X_B", "SIP_Y", "SIP_Y_B")))
    wait("the event stream live", 5,
         lambda: driver.find_element(By.ID, "live").text == "live")
    print("status_page: first paint %.0f ms after navigation start, DOMContentLoaded at %.0f ms "
          "(not asserted)" % (js("return window.dsStats.firstPaintMs"), js(
              "const n = performance.getEntriesByType('navigation')[0];"
              "return n ? n.domContentLoadedEventEnd : -1")), file=sys.stderr)
    shot("1-home")
    js("window.dsNoReload = 1")
    if TOKEN:
        token_steps()
    else:
        fleet_steps()

    # 6. No console error all along.
    logs = driver.get_log("browser")
    for e in logs:
        print("status_page: console %s %s: %s" % (e["level"], e.get("source"), e["message"]),
              file=sys.stderr)
    # Chromium logs every non-2xx answer to fetch() as a network error: only the
    # refusal the steps asked for (bob's restore, 409) is expected; nothing else.
    # With a token, the page's first request gets the 401 that makes it ask.
    expected = [("/v1/status", "401")] if TOKEN else [("/v1/agents/bob/restore", "409")]
    bad = [e for e in logs if e["level"] in ("SEVERE", "WARNING") and not (
        e.get("source") == "network" and
        any(u + " - " in e["message"] and c in e["message"] for u, c in expected))]
    if bad:
        fail("the browser console has %d error(s)/warning(s)" % len(bad))
    print("status_page: browser steps passed in %.1f s" % (time.monotonic() - t_load), file=sys.stderr)
finally:
    try:
        os.killpg(PGID, signal.SIGCONT)
    except OSError:
        pass
    for p in children:
        if p.poll() is None:
            p.kill()
            p.wait()
    driver.quit()
