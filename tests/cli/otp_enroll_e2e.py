#!/usr/bin/env python3
"""otp-enroll end to end: the real otp-enroll, run as an unprivileged user on a
pseudo-terminal (pexpect), against the real otpd on a private system bus.

Needs root (to drop to the test user and to own the private bus name as otpd does);
exits 77 (meson's "skipped") otherwise, or when python3-pexpect is missing.
Environment (set by meson): OTPD_BINARY, OTP_ENROLL_BINARY, OTPD_SOURCE_ROOT, and
ZBARIMG (may be empty: the QR scans are then skipped). A checked setup (meson.build)
adds OTPD_TEST_CHECKER, the command otpd and otp-enroll then run under (its words one
a line), and OTPD_TEST_PATIENCE, how many times longer to wait before calling either
hung (tests/support/patience.hpp).

Every secret and code the tests meet is remembered, and otpd's whole log is read
against them when it stops, as tests/support/secrets_seen does for the C++ suites.
"""

import base64
import hashlib
import hmac
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from secrets_seen import leaked_secret, remember_code, remember_handed_out  # noqa: E402

SKIPPED = 77
try:
    import pexpect
except ImportError:
    print("python3-pexpect is not installed")
    sys.exit(SKIPPED)

OTPD = os.environ.get("OTPD_BINARY", "")
OTP_ENROLL = os.environ.get("OTP_ENROLL_BINARY", "")
SOURCE_ROOT = os.environ.get("OTPD_SOURCE_ROOT", "")
ZBARIMG = os.environ.get("ZBARIMG", "")
CHECKER = [word for word in os.environ.get("OTPD_TEST_CHECKER", "").split("\n") if word]


def patience():
    text = os.environ.get("OTPD_TEST_PATIENCE", "1")
    return int(text) if text.isdigit() and 1 <= int(text) <= 1000 else 1


PATIENCE = patience()


def patient(seconds):
    """How long to wait for what natively takes far less than `seconds`."""
    return seconds * PATIENCE


TEST_USER = "daemon"  # a system user with a passwd entry and no other role here
PROMPT = "Code your app shows now: "
BACKUP_CODE = re.compile(r"^\s+\d+\. ([a-z2-9]{4}-[a-z2-9]{4})$", re.M)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
STEP_SECONDS = 30
ENROLL_TIMEOUT_SECONDS = 30  # otp-enroll's default --timeout


# --- TOTP, as an authenticator app computes it (RFC 6238, SHA1, 6 digits) --------

def totp(secret, step):
    return remember_code(_totp(secret, step))


def _totp(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


def current_step():
    return int(time.time()) // STEP_SECONDS


def wrong_code(secret):
    """A code that no step near now accepts."""
    near = {_totp(secret, current_step() + delta) for delta in range(-3, 4)}
    return remember_code(
        next(code for code in ("000000", "111111", "222222", "333333") if code not in near))


# --- what no log line may hold: tests/support/secrets_seen.py ------------------

class RememberingReader:
    """pexpect's logfile_read: all that otp-enroll writes to its terminal, read
    again as a whole at each piece, since a secret may come in two."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text
        remember_handed_out(self.text)

    def flush(self):
        pass


# --- reading the QR back ------------------------------------------------------

HALF_BLOCKS = {"\u2588": (True, True), "\u2580": (True, False), "\u2584": (False, True),
               " ": (False, False)}


def qr_lines(output):
    """The half-block lines of the terminal QR in `output` (escapes removed)."""
    plain = ANSI_ESCAPE.sub("", output).replace("\r", "")
    lines = plain.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Scan this QR code")) + 2
    end = next(i for i in range(start, len(lines)) if lines[i] == "")
    return lines[start:end]


def scan_terminal_qr(output, workdir):
    """What zbarimg reads from the drawing: light glyphs as white, blanks as black."""
    rows = []
    for line in qr_lines(output):
        upper, lower = zip(*(HALF_BLOCKS[glyph] for glyph in line))
        rows += [upper, lower]
    scale = 4
    pixels = bytearray()
    for row in rows:
        line = b"".join((b"\xff" if light else b"\x00") * scale for light in row)
        pixels += line * scale
    image = os.path.join(workdir, "terminal-qr.pgm")
    with open(image, "wb") as out:
        out.write(b"P5\n%d %d\n255\n" % (len(rows[0]) * scale, len(rows) * scale) + pixels)
    return scan_image(image)


def scan_image(path):
    result = subprocess.run([ZBARIMG, "--raw", "-q", path], capture_output=True, text=True,
                            check=False)
    return result.stdout.strip()


# --- the world: a private bus and the real otpd -----------------------------

def bus_config(listen_address):
    """The system bus's own config, made private: our socket, no service helper, and
    otpd's real policy (only root may own and call org.otpd.Otpd1)."""
    with open("/usr/share/dbus-1/system.conf", encoding="utf-8") as system_conf:
        config = system_conf.read()
    dropped = (r"<user>[^<]*</user>|<fork/>|<pidfile>[^<]*</pidfile>|<syslog/>|"
               r"<servicehelper>[^<]*</servicehelper>|<standard_system_servicedirs/>|"
               r"<includedir>[^<]*</includedir>|<include [^>]*>[^<]*</include>")
    config = re.sub(dropped, "", config)
    config = re.sub(r"<listen>[^<]*</listen>", "<listen>%s</listen>" % listen_address, config)
    policy = os.path.join(SOURCE_ROOT, "etc/dbus/org.otpd.Otpd1.conf")
    return config.replace("</busconfig>", "<include>%s</include>\n</busconfig>" % policy)


class World:
    """A temp dir the test user can reach, a dbus-daemon, and otpd on both."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="otp-enroll-e2e.")
        os.chmod(self.dir, 0o755)
        self.socket = os.path.join(self.dir, "run", "api.sock")
        self.bus_address = None
        self.bus = None
        self.otpd = None
        self.otpd_log = os.path.join(self.dir, "otpd.log")

    def start(self):
        self._start_bus()
        self._start_otpd()

    def _start_bus(self):
        config_path = os.path.join(self.dir, "bus.conf")
        with open(config_path, "w", encoding="utf-8") as out:
            out.write(bus_config("unix:path=" + os.path.join(self.dir, "system_bus_socket")))
        bus_log = os.path.join(self.dir, "dbus-daemon.log")
        with open(bus_log, "wb") as log:
            self.bus = subprocess.Popen(
                ["dbus-daemon", "--config-file=" + config_path, "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE, stderr=log, text=True)
        self.bus_address = self.bus.stdout.readline().strip()
        if not self.bus_address:
            with open(bus_log, encoding="utf-8", errors="replace") as log:
                raise RuntimeError("dbus-daemon did not start:\n" + log.read())

    def _start_otpd(self):
        config = os.path.join(self.dir, "otpd.conf")
        open(config, "w", encoding="utf-8").close()
        notify_path = os.path.join(self.dir, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(patient(10))
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address, NOTIFY_SOCKET=notify_path)
        with open(self.otpd_log, "wb") as log:
            self.otpd = subprocess.Popen(
                CHECKER + [OTPD, "--config", config, "--database", os.path.join(self.dir, "state", "otpd.db"),
                 "--socket", self.socket], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while b"READY=1" not in notify.recv(4096):
                pass
        except socket.timeout:
            raise RuntimeError("otpd did not become ready:\n" + self.log_text()) from None
        finally:
            notify.close()

    def log_text(self):
        with open(self.otpd_log, encoding="utf-8", errors="replace") as log:
            return log.read()

    def stop(self):
        for process in (self.otpd, self.bus):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=patient(10))
        if self.bus is not None:
            self.bus.stdout.close()
        log = self.log_text() if os.path.exists(self.otpd_log) else ""
        shutil.rmtree(self.dir, ignore_errors=True)
        leaked = leaked_secret(log)
        if leaked is not None:
            raise AssertionError("otpd's log holds a secret or code: %s\n%s" % (leaked, log))


# --- running otp-enroll ---------------------------------------------------------

def test_user():
    return pwd.getpwnam(TEST_USER)


def otp_enroll(*args):
    """The otp-enroll command line, under the checker if there is one. Its wait for
    otpd's answer is stretched as the tests' own is: under memcheck a confirm's ten
    PBKDF2 runs take about the 30 s otp-enroll waits by default."""
    timeout = [] if "--timeout" in args else ["--timeout", str(patient(ENROLL_TIMEOUT_SECONDS))]
    return CHECKER + [OTP_ENROLL] + timeout + list(args)


def as_test_user(command):
    user = test_user()
    return ["setpriv", "--reuid=%d" % user.pw_uid, "--regid=%d" % user.pw_gid,
            "--clear-groups", "--"] + command


def cli_env(**extra):
    env = {"PATH": "/usr/bin:/bin", "TERM": "xterm", "LANG": "C.UTF-8", "HOME": "/"}
    env.update(extra)
    return env


class OtpEnrollTest(unittest.TestCase):

    def setUp(self):
        self.world = World()
        self.addCleanup(self.world.stop)
        self.world.start()

    # helpers

    def run_cli(self, *args, as_root=False, stdin="", **env):
        command = otp_enroll("--socket", self.world.socket, *args)
        if not as_root:
            command = as_test_user(command)
        result = subprocess.run(command, input=stdin, capture_output=True, text=True,
                                env=cli_env(**env), timeout=patient(ENROLL_TIMEOUT_SECONDS + 10),
                                check=False)
        remember_handed_out(result.stdout)
        return result

    def spawn_cli(self, *args):
        command = as_test_user(otp_enroll("--socket", self.world.socket, *args))
        child = pexpect.spawn(command[0], command[1:], env=cli_env(), encoding="utf-8",
                              timeout=patient(15), dimensions=(50, 100))
        child.logfile_read = RememberingReader()
        self.addCleanup(child.close, force=True)
        return child

    def finish(self, child):
        child.expect(pexpect.EOF)
        child.close()
        return child.exitstatus

    def enroll_interactively(self):
        """Bare otp-enroll as the test user; returns (secret, backup codes)."""
        child = self.spawn_cli()
        child.expect_exact(PROMPT)
        shown = child.before
        secret = re.search(r"enter this key by hand:\s+([A-Z2-7 ]+)\r?\n", shown).group(1)
        secret = secret.replace(" ", "")
        child.sendline(totp(secret, current_step()))
        child.expect_exact("Store them now")
        codes = BACKUP_CODE.findall(child.before.replace("\r", ""))
        self.assertEqual(self.finish(child), 0)
        return secret, codes

    # the tests

    def test_interactive_enable_draws_a_scannable_qr_and_hands_out_backup_codes(self):
        child = self.spawn_cli()
        child.expect_exact(PROMPT)
        shown = child.before
        self.assertTrue(child.waitnoecho(timeout=patient(5)), "the code prompt must not echo")

        grouped = re.search(r"enter this key by hand:\s+([A-Z2-7 ]+)\r?\n", shown).group(1)
        self.assertRegex(grouped, r"^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$")
        secret = grouped.replace(" ", "")
        self.assertRegex(shown, r"Account:\s+%s\r?\n" % TEST_USER)
        self.assertRegex(shown, r"Issuer:\s+\S+")
        # After 23:50 the deadline is tomorrow, and the date is shown before the time.
        self.assertRegex(shown, r"This set-up expires at (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d \(in (9|10) min\)")
        if ZBARIMG:
            uri = scan_terminal_qr(shown, self.world.dir)
            self.assertTrue(uri.startswith("otpauth://totp/"), uri)
            self.assertIn(":%s?secret=%s" % (TEST_USER, secret), uri)

        wrong = wrong_code(secret)
        child.sendline(wrong)
        child.expect_exact("wrong code; try again")
        child.expect_exact(PROMPT)
        right = totp(secret, current_step())
        child.sendline(right)
        child.expect_exact("Two-factor login is now on.")
        child.expect_exact("Store them now")
        codes = BACKUP_CODE.findall(child.before.replace("\r", ""))
        self.assertEqual(len(codes), 10)
        rest = child.read()
        self.assertEqual(self.finish(child), 0)
        transcript = shown + child.before + rest
        self.assertNotIn(wrong, transcript)
        self.assertNotIn(right, transcript)

    def test_status_reads_out_the_enrollment(self):
        self.assertIn("Two-factor login: off", self.run_cli("status").stdout)
        self.enroll_interactively()
        status = self.run_cli("status")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertEqual(status.stdout, "Two-factor login: on\nBackup codes left: 10\n")
        as_json = json.loads(self.run_cli("status", "--json").stdout)
        self.assertEqual(as_json["enabled"], True)
        self.assertEqual(as_json["backupCodesRemaining"], 10)

    def test_backup_codes_replace_the_old_set_and_disable_takes_a_backup_code(self):
        _, old_codes = self.enroll_interactively()
        child = self.spawn_cli("backup-codes")
        child.expect_exact("or a backup code: ")
        child.sendline(old_codes[0])
        child.expect_exact("The old backup codes no longer work.")
        new_codes = BACKUP_CODE.findall(child.before.replace("\r", ""))
        self.assertEqual(self.finish(child), 0)
        self.assertEqual(len(new_codes), 10)
        self.assertFalse(set(new_codes) & set(old_codes))

        refused = self.run_cli("disable", old_codes[1])
        self.assertEqual(refused.returncode, 1)
        self.assertIn("wrong code", refused.stderr)
        done = self.run_cli("disable", new_codes[0].upper().replace("-", ""))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("now off", done.stdout)
        self.assertIn("Two-factor login: off", self.run_cli("status").stdout)

    def test_wrong_codes_lead_to_a_lockout_with_its_duration(self):
        enabled = self.run_cli("--json")
        self.assertEqual(enabled.returncode, 0, enabled.stderr)
        secret = json.loads(enabled.stdout)["secret"]
        for _ in range(5):
            wrong = self.run_cli("confirm", wrong_code(secret))
            self.assertEqual(wrong.returncode, 1)
        locked = self.run_cli("confirm", totp(secret, current_step()))
        self.assertEqual(locked.returncode, 1)
        self.assertRegex(locked.stderr, r"locked for \d+ s")
        as_json = self.run_cli("confirm", "--json", totp(secret, current_step()))
        self.assertEqual(as_json.returncode, 1)
        self.assertIn("retryAfter", json.loads(as_json.stdout))

    def test_json_never_prompts(self):
        for command in ("confirm", "disable", "backup-codes"):
            result = self.run_cli("--json", command)
            self.assertEqual(result.returncode, 2, command)
            self.assertIn("CODE is required", result.stderr)
            self.assertEqual(result.stdout, "")

    def test_an_absent_daemon_is_exit_three_with_how_to_start_it(self):
        result = subprocess.run(
            as_test_user(otp_enroll("--socket", os.path.join(self.world.dir, "none.sock"),
                                    "status")), capture_output=True, text=True, env=cli_env(), check=False)
        self.assertEqual(result.returncode, 3)
        self.assertIn("otpd is not running", result.stderr)
        self.assertIn("systemctl start otpd.socket", result.stderr)

    def test_a_daemon_that_does_not_answer_is_exit_three_after_timeout(self):
        otpd = self.world.otpd.pid
        os.kill(otpd, signal.SIGSTOP)  # the socket still takes connections; nobody answers
        self.addCleanup(os.kill, otpd, signal.SIGCONT)
        result = self.run_cli("--timeout", "1", "status")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("otpd did not answer within 1 s", result.stderr)
        self.assertIn("--timeout SECONDS waits longer", result.stderr)
        os.kill(otpd, signal.SIGCONT)
        self.assertEqual(self.run_cli("status").returncode, 0, "otpd answers once it runs again")

    def test_only_root_acts_for_another_user(self):
        result = self.run_cli("--user", "root", "status")
        self.assertEqual(result.returncode, 1)
        self.assertIn("only root may act for another user", result.stderr)
        as_root = self.run_cli("status", "--json", "--user", TEST_USER, as_root=True)
        self.assertEqual(as_root.returncode, 0, as_root.stderr)
        self.assertEqual(json.loads(as_root.stdout)["enabled"], False)

    def test_root_resets_a_user_over_dbus(self):
        self.enroll_interactively()
        refused = self.run_cli("--user", TEST_USER, "reset",
                               DBUS_SYSTEM_BUS_ADDRESS=self.world.bus_address)
        self.assertEqual(refused.returncode, 1, "only root may reset")
        reset = self.run_cli("--user", TEST_USER, "reset", as_root=True,
                             DBUS_SYSTEM_BUS_ADDRESS=self.world.bus_address)
        self.assertEqual(reset.returncode, 0, reset.stderr + self.world.log_text())
        self.assertIn("Two-factor login: off", self.run_cli("status").stdout)

    def test_qr_png_is_owner_only_and_scannable(self):
        user = test_user()
        out_dir = os.path.join(self.world.dir, "home")
        os.mkdir(out_dir)
        os.chown(out_dir, user.pw_uid, user.pw_gid)
        path = os.path.join(out_dir, "qr.png")
        result = self.run_cli("--json", "--qr-png", path)
        self.assertEqual(result.returncode, 0, result.stderr)
        info = os.stat(path)
        self.assertEqual(stat.S_IMODE(info.st_mode), 0o600)
        self.assertEqual(info.st_uid, user.pw_uid)
        if ZBARIMG:
            self.assertEqual(scan_image(path), json.loads(result.stdout)["otpauthUri"])

    def test_an_interrupt_at_the_prompt_gives_the_echo_back(self):
        child = self.spawn_cli()
        child.expect_exact(PROMPT)
        self.assertTrue(child.waitnoecho(timeout=patient(5)))
        child.sendintr()
        child.expect(pexpect.EOF)
        self.assertTrue(child.getecho(), "echo must be back on after ^C")


def main():
    if os.geteuid() != 0:
        print("otp-enroll end-to-end tests need root (setuid to the test user, bus policy)")
        return SKIPPED
    for name, value in (("OTPD_BINARY", OTPD), ("OTP_ENROLL_BINARY", OTP_ENROLL),
                        ("OTPD_SOURCE_ROOT", SOURCE_ROOT)):
        if not value:
            print(name + " is not set (run the tests with meson test)")
            return 1
    program = unittest.main(exit=False, verbosity=2)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
