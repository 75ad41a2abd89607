#!/usr/bin/env python3
"""The real sudo asks for a TOTP code through the built pam_otp.so, which asks the
built otpd: a test user becomes root with the current code, once, and never with a
wrong code or a cached credential.

Runs as root in private namespaces (see harness/namespace.py); exits 77 (meson's
"skipped") where that is impossible. Environment, from meson: OTPD_BINARY,
PAM_OTP_SO, OTPD_SOURCE_ROOT.
"""

import functools
import os
import sys

from harness import accounts, namespace, pam_services
from harness.checks import run_fixture
from harness.enrollment import enroll
from harness.otpd import start_otpd
from harness.private_bus import start_private_bus
from harness.sudo import install_sudoers, sudo_as

ENROLLED, UNENROLLED = "otpsudocarol", "otpsudodave"
PROGRAMS = ["sudo", "setpriv", "visudo", "dbus-daemon", "oathtool"]  # without one, the test skips
CODE_PROMPT = "Verification code: "


def event(kind, user, outcome):
    # sudo passes no remote host to PAM: otpd logs an empty, quoted rhost.
    return rf'^otpd: {kind} user={user} service=sudo rhost="" outcome={outcome}$'


class SudoTest:
    def __init__(self, workdir, stack):
        namespace.enter_private_world(workdir)
        self.users = accounts.install_users(workdir, [ENROLLED, UNENROLLED])
        # The private copy of /etc/pam.d gets its own "sudo": the host's stays as it is.
        pam_services.install_services(workdir, {"sudo": pam_services.otp_service(os.environ["PAM_OTP_SO"])})
        install_sudoers(workdir, [ENROLLED, UNENROLLED])
        self.bus = stack.enter_context(start_private_bus(workdir, os.environ["OTPD_SOURCE_ROOT"]))
        self.otpd = stack.enter_context(start_otpd(workdir, os.environ["OTPD_BINARY"]))
        self.enrollment = enroll(self.otpd.api_socket, ENROLLED)

    def daemons(self):
        return [self.bus, self.otpd]

    def sudo(self, name, code, **options):
        return sudo_as(self.users[name], code, **options)

    def test_right_code_gives_root(self):
        """the current code makes the user root, asked with pam_otp.so's prompt"""
        mark = self.otpd.log.mark()
        run = self.sudo(ENROLLED, self.enrollment.next_code())
        assert run.status == 0 and run.stdout.strip() == "0", run
        assert CODE_PROMPT in run.stderr, run
        self.otpd.log.wait_for(event("login_success", ENROLLED, "ok"), since=mark)

    def test_no_cached_credential(self):
        """right after a success, sudo without -k still asks, and a wrong code fails"""
        mark = self.otpd.log.mark()
        run = self.sudo(ENROLLED, self.enrollment.wrong_code(), forget_credentials=False)
        assert run.status != 0 and run.stdout == "", run
        self.otpd.log.wait_for(event("login_failure", ENROLLED, "invalid"), since=mark)

    def test_replayed_code_refused(self):
        """the code that just worked does not work again"""
        mark = self.otpd.log.mark()
        run = self.sudo(ENROLLED, self.enrollment.used_code())
        assert run.status != 0 and run.stdout == "", run
        self.otpd.log.wait_for(event("login_failure", ENROLLED, "replayed"), since=mark)

    def test_wrong_code_refused(self):
        """a wrong code does not make the user root"""
        mark = self.otpd.log.mark()
        run = self.sudo(ENROLLED, self.enrollment.wrong_code())
        assert run.status != 0 and run.stdout == "", run
        self.otpd.log.wait_for(event("login_failure", ENROLLED, "invalid"), since=mark)

    def test_unenrolled_user_refused(self):
        """a user in sudoers with no enrollment does not become root (no nullok)"""
        mark = self.otpd.log.mark()
        run = self.sudo(UNENROLLED, "123456")
        assert run.status != 0 and run.stdout == "", run
        self.otpd.log.wait_for(event("login_not_enrolled", UNENROLLED, "not_enrolled"), since=mark)

    def checks(self):
        # In this order: the cache and replay checks need the success before them.
        return [
            self.test_right_code_gives_root,
            self.test_no_cached_credential,
            self.test_replayed_code_refused,
            self.test_wrong_code_refused,
            self.test_unenrolled_user_refused,
        ]


if __name__ == "__main__":
    sys.exit(namespace.run_isolated(functools.partial(run_fixture, SudoTest), PROGRAMS))
