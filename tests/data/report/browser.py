#!/usr/bin/env python3
"""Opens the report's HTML page in headless Chromium (Debian's chromium and
chromium-driver, through python3-selenium) and checks what a reader sees: no
console message of level error, every chart present (the ids given) and
drawn with a size, and no request beyond the file itself. Prints one line per
finding, "ok" when all is well; with --screenshot PNG it also saves the page.

usage: browser.py PAGE.html CHART-ID... [--screenshot PNG]"""
import os, sys, tempfile, shutil

def main(argv):
    shot = None
    if "--screenshot" in argv:
        i = argv.index("--screenshot")
        shot = argv[i + 1]
        del argv[i:i + 2]
    page, ids = os.path.abspath(argv[1]), argv[2:]
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    profile = tempfile.mkdtemp(prefix="ds-chromium.")
    opts = Options()
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--user-data-dir=" + profile, "--window-size=1100,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    problems = []
    try:
        driver.get_log("performance")   # what the blank start page did
        driver.get_log("browser")
        driver.get("file://" + page)
        for entry in driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                problems.append("console error: " + entry.get("message", ""))
        import json
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent" and \
                    msg["params"].get("documentURL") == "file://" + page:
                url = msg["params"]["request"]["url"]
                if url != "file://" + page:
                    problems.append("request beyond the page: " + url)
        for cid in ids:
            found = driver.find_elements(By.ID, cid)
            if not found:
                problems.append("chart missing: " + cid)
                continue
            size = found[0].size
            marks = found[0].find_elements(By.CSS_SELECTOR, "rect, path, line")
            if size["width"] < 100 or size["height"] < 40 or not marks:
                problems.append("chart not drawn: %s (%dx%d, %d marks)" %
                                (cid, size["width"], size["height"], len(marks)))
        if shot:
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1100, min(int(height) + 40, 4000))
            driver.save_screenshot(shot)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    for p in problems:
        print(p)
    if not problems:
        print("ok")
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
