"""Debian's headless Chromium, driven by Selenium through Debian's chromedriver.

Every wait is Selenium's explicit wait on a condition of the page (WebDriverWait),
never a sleep. Screenshots of each step go to the test's artifacts folder."""

import os
import re
import shutil

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PROGRAMS = [CHROMIUM, CHROMEDRIVER]

# What a step may take before the test calls the page stuck: a login runs PAM and
# starts a bridge; a new set of backup codes is ten slow hashes.
WAIT_SECONDS = 30

# As root Chromium needs --no-sandbox. The rest keep it from reaching for the
# network (this machine's is closed) and from state outside the test.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
    "--lang=en-US",
]


def selenium_missing():
    import importlib.util
    return None if importlib.util.find_spec("selenium") else "python3-selenium"


class Browser:
    """One Chromium with a fresh profile under workdir; screenshots numbered in the
    order they are taken, named after the step."""

    def __init__(self, workdir, artifacts_dir):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.artifacts_dir = artifacts_dir
        shutil.rmtree(artifacts_dir, ignore_errors=True)  # no screenshot of an earlier run left to mislead
        os.makedirs(artifacts_dir)
        self.downloads = os.path.join(workdir, "downloads")
        os.makedirs(self.downloads)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS + ["--user-data-dir=" + os.path.join(workdir, "chromium-profile")]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        options.add_experimental_option("prefs", {"download.default_directory": self.downloads,
                                                  "download.prompt_for_download": False})
        # WARNING and worse only: at INFO chromedriver logs every key sent, codes too.
        service = Service(CHROMEDRIVER, log_path=os.path.join(artifacts_dir, "chromedriver.log"),
                          service_args=["--log-level=WARNING"])
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": self.downloads})
        self.shots = 0

    def close(self):
        self.driver.quit()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def wait(self, condition, message, seconds=WAIT_SECONDS):
        """condition(driver) → a true value; returns it, or fails with `message` and
        a screenshot of how the page looked."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.driver, seconds).until(condition)
        except TimeoutException as timeout:
            path = self.screenshot("timeout " + message)
            raise AssertionError(f"{message}: not within {seconds} s (screenshot {path})") from timeout

    def screenshot(self, step):
        """The whole window, as <artifacts>/NN-step.png; returns the path."""
        self.shots += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = os.path.join(self.artifacts_dir, f"{self.shots:02d}-{name}.png")
        # From inside a frame the screenshot is still the whole window.
        self.driver.save_screenshot(path)
        return path

    def console_errors(self, source_part):
        """The console's errors since the last call whose message names `source_part`
        (a script's URL is at the start of the message)."""
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE" and source_part in entry["message"]]
