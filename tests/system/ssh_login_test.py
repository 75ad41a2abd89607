#!/usr/bin/env python3
"""The real OpenSSH sshd asks for a TOTP code through the built pam_otp.so, which
asks the built otpd: a login needs the user's key and the current code, once.

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
from harness.sshd import generate_key, ssh_login, start_sshd

SERVICE = "sshd-otpd-test"  # the symlink sshd runs as, and so its PAM service
NULLOK_SERVICE = "sshd-otpd-nullok"
PORT, NULLOK_PORT = 2201, 2202  # any port is free in the private network namespace
ENROLLED, UNENROLLED = "otpsshalice", "otpsshbob"
PROGRAMS = ["/usr/sbin/sshd", "ssh", "ssh-keygen", "dbus-daemon", "oathtool"]  # without one, the test skips


def event(kind, user, service, outcome):
    return rf"^otpd: {kind} user={user} service={service} rhost=127\.0\.0\.1 outcome={outcome}$"


class SshLoginTest:
    def __init__(self, workdir, stack):
        namespace.enter_private_world(workdir)
        pam_otp = os.environ["PAM_OTP_SO"]
        self.users = accounts.install_users(workdir, [ENROLLED, UNENROLLED])
        pam_services.install_services(workdir, {
            SERVICE: pam_services.otp_service(pam_otp),
            NULLOK_SERVICE: pam_services.otp_service(pam_otp, "nullok"),
        })
        self.key = generate_key(os.path.join(workdir, "client", "id_ed25519"))
        self.stranger_key = generate_key(os.path.join(workdir, "client", "stranger_ed25519"))
        for user in self.users.values():
            accounts.authorize_key(user, self.key + ".pub")
        self.bus = stack.enter_context(start_private_bus(workdir, os.environ["OTPD_SOURCE_ROOT"]))
        self.otpd = stack.enter_context(start_otpd(workdir, os.environ["OTPD_BINARY"]))
        self.sshd = stack.enter_context(start_sshd(workdir, SERVICE, PORT))
        self.nullok_sshd = stack.enter_context(start_sshd(workdir, NULLOK_SERVICE, NULLOK_PORT))
        self.enrollment = enroll(self.otpd.api_socket, ENROLLED)

    def daemons(self):
        return [self.bus, self.otpd, self.sshd, self.nullok_sshd]

    def login(self, user, code, port=PORT):
        return ssh_login(port, user, self.key, code)

    def expect_event(self, kind, user, outcome, since, service=SERVICE):
        self.otpd.log.wait_for(event(kind, user, service, outcome), since=since)

    def test_right_code_logs_in(self):
        """the key and the current code log in and run the command, as sshd-otpd-test"""
        mark, sshd_mark = self.otpd.log.mark(), self.sshd.log.mark()
        attempt = self.login(ENROLLED, self.enrollment.next_code())
        assert attempt.prompted and attempt.logged_in, attempt.transcript
        # The symlink's name is the PAM service sshd used: otpd logs what PAM passed on.
        self.expect_event("login_success", ENROLLED, "ok", mark)
        self.sshd.log.wait_for(f"^Partial publickey for {ENROLLED} ", since=sshd_mark)
        self.sshd.log.wait_for(f"^Accepted keyboard-interactive/pam for {ENROLLED} ", since=sshd_mark)

    def test_replayed_code_refused(self):
        """the code that just logged in does not log in again"""
        mark = self.otpd.log.mark()
        attempt = self.login(ENROLLED, self.enrollment.used_code())
        assert attempt.prompted and not attempt.logged_in, attempt.transcript
        self.expect_event("login_failure", ENROLLED, "replayed", mark)

    def test_wrong_code_refused(self):
        """a wrong code does not log in"""
        mark = self.otpd.log.mark()
        attempt = self.login(ENROLLED, self.enrollment.wrong_code())
        assert attempt.prompted and not attempt.logged_in, attempt.transcript
        self.expect_event("login_failure", ENROLLED, "invalid", mark)

    def test_code_alone_is_not_enough(self):
        """without an authorized key, sshd never gets as far as asking for a code"""
        attempt = ssh_login(PORT, ENROLLED, self.stranger_key, self.enrollment.wrong_code())
        assert not attempt.prompted and not attempt.logged_in, attempt.transcript
        assert "Permission denied (publickey)" in attempt.transcript, attempt.transcript

    def test_unenrolled_user_refused(self):
        """without nullok, a user with no enrollment does not log in, whatever the code"""
        mark = self.otpd.log.mark()
        attempt = self.login(UNENROLLED, "123456")
        assert attempt.prompted and not attempt.logged_in, attempt.transcript
        self.expect_event("login_not_enrolled", UNENROLLED, "not_enrolled", mark)

    def test_nullok_lets_unenrolled_user_in(self):
        """with nullok, a user with no enrollment logs in with the key alone, unprompted"""
        attempt = self.login(UNENROLLED, None, port=NULLOK_PORT)
        assert not attempt.prompted and attempt.logged_in, attempt.transcript

    def test_nullok_still_checks_enrolled_user(self):
        """with nullok, an enrolled user still needs the right code"""
        mark = self.otpd.log.mark()
        attempt = self.login(ENROLLED, self.enrollment.wrong_code(), port=NULLOK_PORT)
        assert attempt.prompted and not attempt.logged_in, attempt.transcript
        self.expect_event("login_failure", ENROLLED, "invalid", mark, service=NULLOK_SERVICE)

    def checks(self):
        # In this order: the replay needs the login before it.
        return [
            self.test_right_code_logs_in,
            self.test_replayed_code_refused,
            self.test_wrong_code_refused,
            self.test_code_alone_is_not_enough,
            self.test_unenrolled_user_refused,
            self.test_nullok_lets_unenrolled_user_in,
            self.test_nullok_still_checks_enrolled_user,
        ]


if __name__ == "__main__":
    sys.exit(namespace.run_isolated(functools.partial(run_fixture, SshLoginTest), PROGRAMS))
