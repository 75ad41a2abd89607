#!/usr/bin/env python3
"""otpd's Cockpit page in a real headless Chromium, logged in to a real cockpit-ws
as an unprivileged user, against the built otpd: set-up with a QR code that
decodes to the key the page shows, the first code, backup codes shown once, new
backup codes, turning off (a wrong code refused and counted, an old backup code
refused, a new one accepted), a lockout with the time left, the dark theme, and
otpd stopped.

Runs as root in private namespaces (tests/system/harness/namespace.py); exits 77
(meson's "skipped") where that is impossible or Chromium, chromedriver, Selenium or
Cockpit is missing. Environment, from meson: OTPD_BINARY, OTPD_SOURCE_ROOT,
OTPD_BROWSER_ARTIFACTS (where the screenshots go).
"""

import functools
import os
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, unquote, urlparse

import webui  # noqa: F401  (puts the system tests' harness on the path)
from harness import accounts, namespace, sudo
from harness.checks import run_fixture
from harness.enrollment import current_step, enroll, totp
from harness.otpd import start_otpd
from harness.private_bus import start_private_bus
from secrets_seen import remember_code, remember_handed_out, remember_secret
from webui import browser as browser_module
from webui import cockpit_ws
from webui.scripted_otpd import ScriptedOtpd

USER = "otpcockpitpat"
PASSWORD = "cockpit-page-test-password"
PORT = 9091  # any port is free in the private network namespace
API_SOCKET = "/run/otpd/api.sock"  # where the page looks, inside the private /run
PROGRAMS = ["dbus-daemon", "oathtool", "zbarimg", *browser_module.PROGRAMS, *cockpit_ws.PROGRAMS]
BACKUP_CODE = re.compile(r"^[a-z2-9]{4}-[a-z2-9]{4}$")
WRONG_CODE_WORDS = "Wrong code"
# A 1×1 PNG: the scripted set-up's QR image (what it shows is not looked at there).
TINY_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
            "AAAABJRU5ErkJggg==")
STATUS_ROUTE, ENABLE_ROUTE, CONFIRM_ROUTE = "/v2/auth/otp/status", "/v2/auth/otp/enable", "/v2/auth/otp/confirm"
DISABLE_ROUTE, BACKUP_CODES_ROUTE = "/v2/auth/otp/disable", "/v2/auth/otp/backup-codes"


def event(kind, user, uid):
    return rf"^otpd: {kind} user={user} caller_uid={uid} service=otpd-api\b"


class CockpitPageTest:
    def __init__(self, workdir, stack):
        from selenium.webdriver.common.by import By

        self.By = By
        namespace.enter_private_world(workdir)
        self.workdir = workdir
        self.stack = stack
        self.user = accounts.install_users(workdir, [USER], accounts.hash_password(PASSWORD))[USER]
        # The user may become root with sudo, as an admin of the host would: Cockpit's
        # administrative access must change nothing about whom otpd serves.
        sudo.install_sudoers(workdir, [USER])
        cockpit_ws.install_page_for(self.user, os.path.join(os.environ["OTPD_SOURCE_ROOT"], "cockpit"))
        os.mkdir(os.path.dirname(API_SOCKET), 0o755)
        self.bus = stack.enter_context(start_private_bus(workdir, os.environ["OTPD_SOURCE_ROOT"]))
        self.otpd = stack.enter_context(start_otpd(workdir, os.environ["OTPD_BINARY"], api_socket=API_SOCKET))
        self.ws = stack.enter_context(cockpit_ws.start_cockpit_ws(workdir, PORT))
        self.browser = stack.enter_context(browser_module.Browser(workdir, os.environ["OTPD_BROWSER_ARTIFACTS"]))
        self.secret = None
        self.last_step = None
        self.backup_codes = []
        self.old_backup_codes = []

    def daemons(self):
        return [self.bus, self.otpd, self.ws]

    # ---- the page ------------------------------------------------------------

    def find(self, element_id):
        return self.browser.driver.find_element(self.By.ID, element_id)

    def shown(self, element_id):
        """A condition: the element is displayed."""
        return lambda driver: self.find(element_id).is_displayed()

    def text_of(self, element_id, pattern):
        """A condition: the element is displayed and its text matches; the match."""
        def condition(driver):
            element = self.find(element_id)
            return element.is_displayed() and re.search(pattern, element.text)
        return condition

    def wait_text(self, element_id, pattern, what):
        return self.browser.wait(self.text_of(element_id, pattern), what)

    def notice(self, pattern, what):
        """The alert above the cards says `pattern`: its whole text."""
        self.wait_text("notice", pattern, what)
        return self.find("notice").text

    def focused_id(self):
        return self.browser.driver.execute_script("return document.activeElement && document.activeElement.id")

    def type_code(self, input_id, code):
        """Types into the field and sends it with Enter: the keyboard, no mouse."""
        from selenium.webdriver.common.keys import Keys

        field = self.find(input_id)
        field.clear()
        field.send_keys(code + Keys.ENTER)

    def press(self, button_id):
        """Activates a button from the keyboard."""
        from selenium.webdriver.common.keys import Keys

        self.browser.wait(lambda driver: self.find(button_id).is_enabled() and self.find(button_id).is_displayed(),
                          f"the {button_id} button")
        self.find(button_id).send_keys(Keys.ENTER)

    def shown_backup_codes(self):
        self.browser.wait(self.shown("codes-card"), "the backup codes")
        codes = [item.text for item in self.find("codes-list").find_elements(self.By.TAG_NAME, "li")]
        remember_handed_out(" ".join(codes))
        return codes

    def wait_status(self, state):
        self.wait_text("status-state", f"^{state}$", f"the status to say {state}")

    # ---- checks --------------------------------------------------------------

    def test_login_and_menu(self):
        """the user logs in to Cockpit with a password and finds "Two-factor login" in the menu: off"""
        from webui import cockpit_pages

        cockpit_pages.open_login(self.browser, PORT)
        cockpit_pages.submit_password(self.browser, USER, PASSWORD)
        cockpit_pages.wait_for_shell(self.browser)
        cockpit_pages.menu_link(self.browser, "Two-factor login").click()
        cockpit_pages.enter_page_frame(self.browser, "otpd")
        self.wait_status("Off")
        assert self.find("enable-button").is_displayed() and not self.find("disable-button").is_displayed()
        self.browser.screenshot("status off")

    def test_administrative_access(self):
        """with Cockpit's administrative access on (sudo), the page still acts as the user: otpd logs the user's uid"""
        from webui import cockpit_pages

        cockpit_pages.turn_on_administrative_access(self.browser, PASSWORD)
        cockpit_pages.enter_page_frame(self.browser, "otpd")
        self.wait_status("Off")
        # Every change below is checked against otpd's caller_uid: the user's own.

    def test_labels(self):
        """every field has a label, every button a name, the QR code a text alternative"""
        unnamed = self.browser.driver.execute_script("""
            const missing = [];
            for (const input of document.querySelectorAll("input")) {
                const label = document.querySelector(`label[for="${input.id}"]`);
                if (!label || !label.textContent.trim()) missing.push("input#" + input.id);
            }
            for (const button of document.querySelectorAll("button, a.pf-c-button"))
                if (!button.textContent.trim() && !button.getAttribute("aria-label") && button.id !== "code-submit")
                    missing.push("button#" + button.id);
            const qr = document.getElementById("setup-qr");
            if (!qr.alt.trim()) missing.push("img#setup-qr");
            return missing;""")
        assert not unnamed, f"without a name for screen readers: {unnamed}"

    def test_enable_shows_qr_and_key(self):
        """set-up: the QR code, as the browser draws it, decodes (zbarimg) to the key the page shows"""
        self.press("enable-button")
        self.browser.wait(self.shown("setup-card"), "the set-up card")
        self.browser.wait(lambda driver: driver.execute_script(
            "const img = document.getElementById('setup-qr'); return img.complete && img.naturalWidth > 0"),
            "the QR image to load")
        assert self.focused_id() == "setup-code", f"the focus is on {self.focused_id()!r}, not the code field"
        shown = self.find("setup-secret").text
        remember_handed_out(shown)
        assert re.fullmatch(r"(?:[A-Z2-7]{4} ){7}[A-Z2-7]{4}", shown), f"the key is not in groups of four: {shown!r}"
        qr_png = os.path.join(self.workdir, "qr.png")
        self.find("setup-qr").screenshot(qr_png)
        decoded = subprocess.run(["zbarimg", "--quiet", "--raw", qr_png], capture_output=True, text=True,
                                 check=False)
        assert decoded.returncode == 0, f"zbarimg cannot read the QR code: {decoded.stderr}"
        uri = urlparse(decoded.stdout.strip())
        secret = remember_secret(parse_qs(uri.query)["secret"][0])
        assert uri.scheme == "otpauth" and uri.netloc == "totp", decoded.stdout
        assert secret == shown.replace(" ", ""), f"the QR code holds {secret}, the page shows {shown}"
        assert unquote(uri.path) == f"/otpd-system-test:{USER}", uri.path
        assert self.find("setup-issuer").text == "otpd-system-test"
        assert self.find("setup-account").text == USER
        self.secret = secret
        self.browser.screenshot("set up qr and key")

    def test_first_code_turns_on(self):
        """the first code turns it on, as the user's own uid; ten backup codes, shown once"""
        mark = self.otpd.log.mark()
        while True:
            # The previous step's code, as the system tests' enroll(): it leaves the
            # current step for the next code. Only a step boundary passing during
            # the request excuses a refusal.
            step = current_step() - 1
            self.type_code("setup-code", remember_code(totp(self.secret, step)))
            outcome = self.browser.wait(lambda driver: (self.find("codes-card").is_displayed() and "on") or
                                        (WRONG_CODE_WORDS in self.find("notice").text and "wrong"),
                                        "the backup codes or a refusal")
            if outcome == "on":
                break
            assert current_step() - 1 != step, "the first code was refused: " + self.find("notice").text
        self.last_step = step
        codes = self.shown_backup_codes()
        assert len(codes) == 10 and all(BACKUP_CODE.match(code) for code in codes), codes
        assert "you will not see them again" in self.find("codes-warning").text
        assert not self.find("codes-old-gone").is_displayed()
        # The bridge runs as the user: otpd saw the user's uid on the socket, not root's.
        self.otpd.log.wait_for(event("enroll_confirmed", USER, self.user.uid), since=mark)
        self.backup_codes = codes
        self.browser.screenshot("backup codes shown once")

    def test_backup_codes_copy_and_download(self):
        """the backup codes can be copied and downloaded as a text file"""
        self.press("codes-copy")
        result = self.wait_text("codes-copy-result", r"\S", "the copy's result").string
        assert result in ("Copied to the clipboard.", "The codes are selected: press Ctrl+C to copy them."), result
        self.press("codes-download")
        path = os.path.join(self.browser.downloads, "backup-codes.txt")
        self.browser.wait(lambda driver: os.path.exists(path), "the downloaded file")
        with open(path, encoding="utf-8") as f:
            downloaded = f.read()
        assert all(code in downloaded for code in self.backup_codes), downloaded
        assert USER in downloaded, downloaded

    def test_codes_gone_and_status_on(self):
        """once stored, the codes leave the page; the status says on, 10 backup codes left"""
        self.press("codes-done")
        self.browser.wait(lambda driver: not self.find("codes-card").is_displayed(), "the codes to go")
        assert self.find("codes-list").text == ""
        self.wait_status("On")
        self.wait_text("status-backup-codes", "^10$", "10 backup codes left")
        assert self.find("disable-button").is_displayed() and not self.find("enable-button").is_displayed()
        self.browser.screenshot("status on")

    def next_code(self):
        self.last_step = max(self.last_step + 1, current_step() - 1)
        return remember_code(totp(self.secret, self.last_step))

    def test_new_backup_codes(self):
        """new backup codes need a code; a new set of ten replaces the old one"""
        self.press("backup-codes-button")
        self.browser.wait(self.shown("code-card"), "the code form")
        assert self.find("code-title").text == "New backup codes"
        assert self.focused_id() == "code-input"
        self.type_code("code-input", self.next_code())
        codes = self.shown_backup_codes()
        assert len(codes) == 10 and not set(codes) & set(self.backup_codes), codes
        assert self.find("codes-old-gone").is_displayed()
        self.old_backup_codes, self.backup_codes = self.backup_codes, codes
        self.browser.screenshot("new backup codes")
        self.press("codes-done")
        self.wait_text("status-backup-codes", "^10$", "10 backup codes left")

    def disable_attempt(self, code, mark):
        """One try at turning off with a wrong or dead code: refused in words, and
        counted by otpd."""
        self.type_code("code-input", code)
        # otpd's line first: the page cleared the last notice when it sent the code.
        self.otpd.log.wait_for(event("disable_failure", USER, self.user.uid) + r".*outcome=invalid", since=mark)
        text = self.notice(WRONG_CODE_WORDS, "the wrong code refused")
        assert self.find("code-input").get_attribute("aria-invalid") == "true"
        return text

    def test_disable_wrong_code(self):
        """turning off with a wrong code: refused, said so, counted (Escape first: the form closes, the focus returns)"""
        from selenium.webdriver.common.keys import Keys

        self.press("disable-button")
        self.browser.wait(self.shown("code-card"), "the code form")
        self.find("code-input").send_keys(Keys.ESCAPE)
        self.browser.wait(lambda driver: not self.find("code-card").is_displayed(), "Escape to close the form")
        assert self.focused_id() == "disable-button", f"the focus is on {self.focused_id()!r}"
        self.press("disable-button")
        self.browser.wait(self.shown("code-card"), "the code form")
        assert self.find("code-title").text == "Turn off two-factor login"
        near = {totp(self.secret, current_step() + delta) for delta in range(-2, 3)}
        wrong = remember_code(next(code for code in ("000000", "111111", "222222") if code not in near))
        text = self.disable_attempt(wrong, self.otpd.log.mark())
        assert "count" in text, text
        self.browser.screenshot("wrong code")

    def test_old_backup_code_refused(self):
        """a backup code of the old set no longer works"""
        self.disable_attempt(self.old_backup_codes[0], self.otpd.log.mark())

    def test_disable_with_backup_code(self):
        """a backup code of the new set turns it off"""
        mark = self.otpd.log.mark()
        self.type_code("code-input", self.backup_codes[0])
        self.notice("now off", "the page to say it is off")
        self.wait_status("Off")
        self.otpd.log.wait_for(event("disable", USER, self.user.uid) + r".*with=backup_code", since=mark)
        self.browser.screenshot("turned off")

    def test_lockout_time_left(self):
        """too many wrong codes: the page says until when it is locked, and how long that is"""
        enrollment = enroll(self.otpd.api_socket, USER)  # as root, for the user: on again
        self.press("refresh-button")
        self.wait_status("On")
        self.press("disable-button")
        self.browser.wait(self.shown("code-card"), "the code form")
        near = {totp(enrollment.secret, current_step() + delta) for delta in range(-2, 3)}
        wrong = remember_code(next(code for code in ("000000", "111111", "222222") if code not in near))
        for _ in range(5):  # max_failures: the fifth answers "wrong" and starts the lockout
            self.disable_attempt(wrong, self.otpd.log.mark())
        self.wait_text("status-locked", r"until .*\(in \d+ s\)", "the status to show the lockout")
        self.type_code("code-input", wrong)
        text = self.notice(r"Too many wrong codes: locked until .+ \(in \d+ s\)", "the lockout with the time left")
        assert "ask your administrator" in text, text
        self.browser.screenshot("locked with time left")

    def test_dark_theme(self):
        """Cockpit's dark theme, chosen in the shell's menu: PatternFly's dark colours apply, the QR code
        stays black on white; the light one again"""
        from webui import cockpit_pages

        def colours():
            return self.browser.driver.execute_script("""
                const lightness = css => {
                    const [r, g, b] = css.match(/\\d+/g).map(Number);
                    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
                };
                const card = getComputedStyle(document.getElementById("status-card"));
                const section = getComputedStyle(document.querySelector(".pf-c-page__main-section"));
                return {dark: document.documentElement.classList.contains("pf-theme-dark"),
                        ground: lightness(section.backgroundColor),
                        card: lightness(card.backgroundColor),
                        text: lightness(getComputedStyle(document.getElementById("status-state")).color),
                        qr: lightness(getComputedStyle(document.querySelector(".otpd-qr")).backgroundColor)};""")

        cockpit_pages.choose_style(self.browser, "dark")
        cockpit_pages.enter_page_frame(self.browser, "otpd")
        self.browser.wait(lambda driver: colours()["dark"], "the dark theme")
        dark = colours()
        assert dark["ground"] < 0.3 and dark["card"] < 0.3 and dark["text"] > 0.7 and dark["qr"] > 0.99, dark
        self.browser.screenshot("dark theme")
        cockpit_pages.choose_style(self.browser, "light")
        cockpit_pages.enter_page_frame(self.browser, "otpd")
        self.browser.wait(lambda driver: not colours()["dark"], "the light theme again")
        light = colours()
        assert light["ground"] > 0.9 and light["card"] > 0.9 and light["text"] < 0.3, light

    def test_otpd_stopped(self):
        """otpd stopped: the page says so, and whom to ask"""
        from webui import cockpit_pages

        cockpit_pages.enter_page_frame(self.browser, "otpd")
        self.otpd.stop()
        self.press("refresh-button")
        text = self.notice("otpd is not running", "the page to say otpd is not running")
        assert "Ask your administrator to start otpd" in text, text
        self.browser.screenshot("otpd stopped")

    def scripted_status(self, **fields):
        status = {"enabled": True, "pending": False, "backupCodesRemaining": 10, "lockedUntil": None}
        status.update(fields)
        self.scripted.script[STATUS_ROUTE] = (200, status, {})

    def refused_in_words(self, route, status, body, pattern, headers=None):
        """`route` answers `status` and `body`; the code form's submit shows `pattern`."""
        self.scripted.script[route] = (status, body, headers or {})
        self.type_code("code-input", "123456")
        self.notice(pattern, f"the words for HTTP {status} on {route}")

    def test_newer_status_fields(self):
        """the kind of code and the last use, which newer otpds send, are shown when present"""
        self.scripted = self.stack.enter_context(ScriptedOtpd(API_SOCKET))
        last_used = int(time.time()) - 3600
        self.scripted_status(backupCodesRemaining=2, lastUsed=last_used, type="hotp", digits=8)
        self.press("refresh-button")
        self.wait_text("status-type", r"^counter-based \(HOTP\), 8 digits$", "the kind of code")
        self.wait_text("status-last-used", r"\d\d:\d\d:\d\d", "the last use")
        self.wait_text("status-backup-codes", "^2 — make new ones soon$", "few backup codes left")
        self.browser.screenshot("newer status fields")

    def test_answers_real_otpd_cannot_give_here(self):
        """a full disk, a busy otpd (429 and 503), an internal error, a wrong state, an expired set-up: each in words"""
        self.scripted.script[STATUS_ROUTE] = (503, {"error": "otpd cannot use its database right now"}, {})
        self.press("refresh-button")
        self.notice("otpd cannot use its database right now \\(a full disk", "the words for a full disk")
        self.scripted_status()
        self.press("refresh-button")
        self.wait_status("On")
        self.press("backup-codes-button")
        self.browser.wait(self.shown("code-card"), "the code form")
        busy = {"error": "busy", "success": False, "retryAfter": 1}
        self.refused_in_words(BACKUP_CODES_ROUTE, 429, busy,
                              "otpd is busy making backup codes for this account. Try again in 1 s.",
                              {"Retry-After": "1"})
        self.refused_in_words(BACKUP_CODES_ROUTE, 503, busy, "otpd is busy. Try again in 1 s.", {"Retry-After": "1"})
        self.refused_in_words(BACKUP_CODES_ROUTE, 500, {"error": "Internal error"},
                              "otpd failed with an internal error. Ask your administrator")
        self.refused_in_words(BACKUP_CODES_ROUTE, 401, {"error": "Unauthorized"}, "otpd refuses to serve this account")
        self.scripted_status(enabled=False, backupCodesRemaining=0)
        self.refused_in_words(BACKUP_CODES_ROUTE, 409, {"error": "2FA is not enabled", "success": False},
                              "Two-factor login is not on for this account.")
        self.browser.wait(lambda driver: not self.find("code-card").is_displayed(), "the code form to close")
        self.wait_status("Off")
        self.scripted.script[ENABLE_ROUTE] = (200, {"qr": TINY_PNG, "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                                                    "otpauthUri": "otpauth://totp/host:user?secret=x&issuer=host",
                                                    "expiresAt": int(time.time()) + 600}, {})
        self.press("enable-button")
        self.browser.wait(self.shown("setup-card"), "the set-up card")
        self.scripted.script[CONFIRM_ROUTE] = (410, {"error": "OTP code expired", "success": False}, {})
        self.type_code("setup-code", "123456")
        self.notice("The set-up expired before it was finished. Start again", "the words for an expired set-up")
        self.browser.wait(lambda driver: not self.find("setup-card").is_displayed(), "the set-up card to close")
        assert self.scripted.asked.count(BACKUP_CODES_ROUTE) == 5, self.scripted.asked

    def test_no_script_errors(self):
        """the page's scripts threw nothing and logged no error in the browser's console"""
        errors = self.browser.console_errors("/otpd/")
        assert not errors, errors

    def checks(self):
        # In this order: each step starts where the one before left the page.
        return [
            self.test_login_and_menu,
            self.test_administrative_access,
            self.test_labels,
            self.test_enable_shows_qr_and_key,
            self.test_first_code_turns_on,
            self.test_backup_codes_copy_and_download,
            self.test_codes_gone_and_status_on,
            self.test_new_backup_codes,
            self.test_disable_wrong_code,
            self.test_old_backup_code_refused,
            self.test_disable_with_backup_code,
            self.test_lockout_time_left,
            self.test_dark_theme,
            self.test_otpd_stopped,
            self.test_newer_status_fields,
            self.test_answers_real_otpd_cannot_give_here,
            self.test_no_script_errors,
        ]


def missing_python_module():
    return browser_module.selenium_missing()


if __name__ == "__main__":
    if missing_python_module():
        print(f"SKIP: not installed: {missing_python_module()}")
        sys.exit(namespace.SKIP)
    sys.exit(namespace.run_isolated(functools.partial(run_fixture, CockpitPageTest), PROGRAMS))
