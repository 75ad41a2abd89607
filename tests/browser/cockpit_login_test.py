#!/usr/bin/env python3
"""Cockpit's own login with a code, in a real headless Chromium against a real
cockpit-ws: cockpit-session runs PAM's "cockpit" service, which is
etc/pam.d/cockpit.example (the built pam_otp.so by absolute path) in the
namespace's private /etc/pam.d, so the host's is never touched. The password,
then the code at the login page's second prompt, logs in; a wrong code, a
replayed code and a wrong password do not. PAM_RHOST is the browser's address;
with cockpit.conf's ForwardedForHeader it is whatever the client says.

Runs as root in private namespaces (tests/system/harness/namespace.py); exits 77
(meson's "skipped") where that is impossible or Chromium, chromedriver, Selenium or
Cockpit is missing. Environment, from meson: OTPD_BINARY, PAM_OTP_SO,
OTPD_SOURCE_ROOT, OTPD_BROWSER_ARTIFACTS (where the screenshots go).
"""

import base64
import functools
import http.client
import os
import re
import shutil
import subprocess
import sys

import webui  # noqa: F401  (puts the system tests' harness on the path)
from harness import accounts, namespace, pam_services
from harness.checks import run_fixture
from harness.enrollment import enroll
from harness.otpd import start_otpd
from harness.private_bus import start_private_bus
from webui import browser as browser_module
from webui import cockpit_ws

ENROLLED, UNENROLLED = "otpcockpitann", "otpcockpitben"
PASSWORD = "cockpit-login-test-password"
PORT = 9092  # cockpit-ws as Debian configures it: no ForwardedForHeader
TRUSTING_PORT = 9093  # cockpit-ws with ForwardedForHeader = X-Forwarded-For
FORGED_RHOST = "203.0.113.77"
PROGRAMS = ["dbus-daemon", "oathtool", *browser_module.PROGRAMS, *cockpit_ws.PROGRAMS]
CODE_PROMPT = "Verification code"


def event(kind, user, rhost, outcome):
    return rf"^otpd: {kind} user={user} service=cockpit rhost={rhost.replace('.', '[.]')} outcome={outcome}\b"


def cockpit_pam_service(pam_otp_so):
    """The example an admin copies to /etc/pam.d/cockpit, with the built module."""
    with open(os.path.join(os.environ["OTPD_SOURCE_ROOT"], "etc/pam.d/cockpit.example"), encoding="utf-8") as f:
        text = f.read()
    lines = [line.replace(" pam_otp.so", " " + pam_otp_so) if line.startswith("auth") else line
             for line in text.splitlines()]
    assert any(pam_otp_so in line for line in lines), "the example has no pam_otp.so line"
    return "\n".join(lines) + "\n"


def http_login(port, user, password, code, headers):
    """Cockpit's login as its login page makes it, over plain HTTP: the password as
    Basic authorization, then the answer to the X-Conversation challenge. Returns
    (the prompt, the final status)."""
    def get(authorization):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", "/cockpit/login", headers={"Authorization": authorization, **headers})
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("WWW-Authenticate") or ""
        finally:
            connection.close()

    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    status, challenge = get("Basic " + basic)
    kind, conversation, prompt = (challenge.split(" ") + ["", "", ""])[:3]
    assert status == 401 and kind == "X-Conversation", f"no second prompt: {status} {challenge!r}"
    answer = base64.b64encode(code.encode()).decode()
    status, _ = get(f"X-Conversation {conversation} {answer}")
    return base64.b64decode(prompt).decode(), status


class CockpitLoginTest:
    def __init__(self, workdir, stack):
        namespace.enter_private_world(workdir)
        self.users = accounts.install_users(workdir, [ENROLLED, UNENROLLED], accounts.hash_password(PASSWORD))
        self.workdir = workdir
        with open("/etc/pam.d/cockpit", encoding="utf-8") as f:  # as the cockpit-ws package ships it
            self.cockpit_as_shipped = f.read()
        self.pam_dir = pam_services.install_services(
            workdir, {"cockpit": cockpit_pam_service(os.environ["PAM_OTP_SO"])})
        self.bus = stack.enter_context(start_private_bus(workdir, os.environ["OTPD_SOURCE_ROOT"]))
        self.otpd = stack.enter_context(start_otpd(workdir, os.environ["OTPD_BINARY"]))
        self.ws = stack.enter_context(cockpit_ws.start_cockpit_ws(workdir, PORT))
        self.trusting_ws = stack.enter_context(cockpit_ws.start_cockpit_ws(
            workdir, TRUSTING_PORT, config="[WebService]\nForwardedForHeader = X-Forwarded-For\n"))
        self.browser = stack.enter_context(browser_module.Browser(workdir, os.environ["OTPD_BROWSER_ARTIFACTS"]))
        self.enrollment = enroll(self.otpd.api_socket, ENROLLED)

    def daemons(self):
        return [self.bus, self.otpd, self.ws, self.trusting_ws]

    def password_then_prompt(self, user, password=PASSWORD):
        from webui import cockpit_pages

        cockpit_pages.open_login(self.browser, PORT)
        cockpit_pages.submit_password(self.browser, user, password)
        return cockpit_pages.wait_for_prompt(self.browser)

    def refused(self, code, outcome, step):
        """A code at the second prompt that must not log in: back to the login page
        with an error, and otpd's failure line."""
        from webui import cockpit_pages

        mark = self.otpd.log.mark()
        prompt = self.password_then_prompt(ENROLLED)
        assert CODE_PROMPT in prompt, prompt
        cockpit_pages.answer_prompt(self.browser, code)
        self.otpd.log.wait_for(event("login_failure", ENROLLED, "127.0.0.1", outcome), since=mark)
        error = cockpit_pages.wait_for_login_error(self.browser)
        # Cockpit 287's words for any refusal after the second prompt; pam_otp.so's
        # own message goes only to cockpit-session's log (see README "Cockpit").
        assert error == "Authentication failed", error
        assert not self.browser.driver.find_elements("css selector", "#host-apps a"), "logged in all the same"
        self.browser.screenshot(step)
        return error

    def test_password_then_code_logs_in(self):
        """the password, then the code at the second prompt ("Verification code"): logged in"""
        from webui import cockpit_pages

        mark = self.otpd.log.mark()
        prompt = self.password_then_prompt(ENROLLED)
        assert CODE_PROMPT in prompt, f"the second prompt says {prompt!r}"
        # The code is typed where the page asks: a hidden field, as pam_otp.so asked
        # without echo.
        assert self.browser.driver.find_element("id", "conversation-input").get_attribute("type") == "password"
        self.browser.screenshot("second prompt verification code")
        cockpit_pages.answer_prompt(self.browser, self.enrollment.next_code())
        cockpit_pages.wait_for_shell(self.browser)
        # cockpit-ws passed the browser's address as PAM_RHOST.
        self.otpd.log.wait_for(event("login_success", ENROLLED, "127.0.0.1", "ok"), since=mark)
        self.browser.screenshot("logged in with a code")

    def test_wrong_code_refused(self):
        """a wrong code at the second prompt: refused at the login page"""
        self.refused(self.enrollment.wrong_code(), "invalid", "wrong code refused")

    def test_replayed_code_refused(self):
        """the code that just logged in does not log in again"""
        self.refused(self.enrollment.used_code(), "replayed", "replayed code refused")

    def test_wrong_password_asks_no_code(self):
        """a wrong password ends the login before any code is asked for or counted"""
        from webui import cockpit_pages

        mark = self.otpd.log.mark()
        cockpit_pages.open_login(self.browser, PORT)
        cockpit_pages.submit_password(self.browser, ENROLLED, "not-the-password")
        error = cockpit_pages.wait_for_login_error(self.browser)
        assert "Wrong user name or password" in error, error
        assert not self.browser.driver.find_element("id", "conversation-input").is_displayed()
        # A right code now still works: the wrong password cost no failure (or a
        # lockout would have come closer) and asked otpd nothing.
        assert self.otpd.log.text(mark) == "", self.otpd.log.text(mark)
        self.browser.screenshot("wrong password no code asked")

    def test_unenrolled_user_password_only(self):
        """a user who has not enrolled logs in with the password alone (nullok)"""
        from webui import cockpit_pages

        cockpit_pages.open_login(self.browser, PORT)
        cockpit_pages.submit_password(self.browser, UNENROLLED, PASSWORD)
        cockpit_pages.wait_for_shell(self.browser)
        self.browser.screenshot("not enrolled password only")

    def test_forwarded_for_header_is_believed(self):
        """with ForwardedForHeader, PAM_RHOST is whatever the client puts in that header"""
        mark = self.otpd.log.mark()
        prompt, status = http_login(TRUSTING_PORT, ENROLLED, PASSWORD, self.enrollment.next_code(),
                                    {"X-Forwarded-For": FORGED_RHOST})
        assert CODE_PROMPT in prompt and status == 200, (prompt, status)
        self.otpd.log.wait_for(event("login_success", ENROLLED, FORGED_RHOST, "ok"), since=mark)

    def test_forwarded_for_header_ignored_by_default(self):
        """without it (Debian's default), the header is ignored: PAM_RHOST is the peer's address"""
        mark = self.otpd.log.mark()
        # A backup code: the TOTP codes of the steps otpd's window takes now are used up.
        prompt, status = http_login(PORT, ENROLLED, PASSWORD, self.enrollment.backup_codes[0],
                                    {"X-Forwarded-For": FORGED_RHOST})
        assert CODE_PROMPT in prompt and status == 200, (prompt, status)
        self.otpd.log.wait_for(event("login_success", ENROLLED, "127.0.0.1", "ok_backup"), since=mark)

    def enable_profile(self):
        """pam-auth-update --enable otpd, as an admin runs it, on private copies of
        /usr/share/pam-configs (with the project's profile) and /var/lib/pam; then
        the line it wrote names the built module."""
        for name, path in (("pam-configs", "/usr/share/pam-configs"), ("var-lib-pam", "/var/lib/pam")):
            copy = os.path.join(self.workdir, name)
            shutil.copytree(path, copy, symlinks=True)
            namespace.bind(copy, path)
        shutil.copy(os.path.join(os.environ["OTPD_SOURCE_ROOT"], "etc/pam-configs/otpd"), "/usr/share/pam-configs/")
        subprocess.run(["pam-auth-update", "--package", "--enable", "otpd"], check=True, capture_output=True)
        common_auth = os.path.join(self.pam_dir, "common-auth")
        with open(common_auth, encoding="utf-8") as f:
            text = f.read()
        # pam-auth-update separates the fields with tabs.
        built, count = re.subn(r"(?m)^(auth\s+required\s+)pam_otp\.so nullok$",
                               lambda match: match.group(1) + os.environ["PAM_OTP_SO"] + " nullok", text)
        assert count == 1, text
        with open(common_auth, "w", encoding="utf-8") as f:
            f.write(built)

    def test_profile_covers_cockpit(self):
        """Cockpit's own /etc/pam.d/cockpit with the pam-auth-update profile on: the code is asked after the
        password, and not after a wrong one"""
        from webui import cockpit_pages

        assert "substack     common-auth" in self.cockpit_as_shipped, self.cockpit_as_shipped
        with open(os.path.join(self.pam_dir, "cockpit"), "w", encoding="utf-8") as f:
            f.write(self.cockpit_as_shipped)
        self.enable_profile()
        mark = self.otpd.log.mark()
        cockpit_pages.open_login(self.browser, PORT)
        cockpit_pages.submit_password(self.browser, ENROLLED, "not-the-password")
        assert "Wrong user name or password" in cockpit_pages.wait_for_login_error(self.browser)
        assert self.otpd.log.text(mark) == "", self.otpd.log.text(mark)
        prompt = self.password_then_prompt(ENROLLED)
        assert CODE_PROMPT in prompt, prompt
        cockpit_pages.answer_prompt(self.browser, self.enrollment.backup_codes[1])
        cockpit_pages.wait_for_shell(self.browser)
        self.otpd.log.wait_for(event("login_success", ENROLLED, "127.0.0.1", "ok_backup"), since=mark)
        self.browser.screenshot("profile in common-auth backup code")

    def checks(self):
        # In this order: the replay needs the success before it.
        return [
            self.test_password_then_code_logs_in,
            self.test_wrong_code_refused,
            self.test_replayed_code_refused,
            self.test_wrong_password_asks_no_code,
            self.test_unenrolled_user_password_only,
            self.test_forwarded_for_header_is_believed,
            self.test_forwarded_for_header_ignored_by_default,
            self.test_profile_covers_cockpit,
        ]


if __name__ == "__main__":
    if browser_module.selenium_missing():
        print(f"SKIP: not installed: {browser_module.selenium_missing()}")
        sys.exit(namespace.SKIP)
    sys.exit(namespace.run_isolated(functools.partial(run_fixture, CockpitLoginTest), PROGRAMS))
