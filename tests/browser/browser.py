# Headless Debian Chromium under Selenium, as the status page's tests and its
# benchmark start it: no sandbox, no GPU, no network of its own, a fresh
# profile, and the console kept (driver.get_log("browser")).
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")


def chromium(width=1400, height=1300):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in FLAGS + ("--user-data-dir=" + tempfile.mkdtemp(prefix="dsbrowser-"),
                         "--window-size=%d,%d" % (width, height)):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
