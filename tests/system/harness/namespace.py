"""Running a test inside private mount, PID and network namespaces.

sshd clears the environment of its PAM child and sudo is setuid (it ignores
DBUS_SYSTEM_BUS_ADDRESS), so pam_otp.so in them always talks to the bus at the
default path, /run/dbus/system_bus_socket, and reads /etc/pam.d, /etc/passwd and
/etc/sudoers. A private mount namespace lets the test put its own bus, PAM services
and accounts at those paths without touching the host's.

The test program runs itself again under unshare(1) as PID 1 of a new PID
namespace: when it exits, pass or fail, the kernel kills every process left in the
namespace (dbus-daemon, otpd, sshd and its sessions), and the mount namespace, with
every mount in it, goes with the last of them. The chain holds from the outside
too: the outer program turns SIGTERM into an exit that kills unshare, unshare dies
with the outer program even when that is SIGKILLed (PR_SET_PDEATHSIG), and
--kill-child takes the inner one with unshare. The network namespace has only its own
loopback, so the test sshd is reachable from nowhere else and every port is free.
"""

import ctypes
import fcntl
import hashlib
import importlib.util
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile

SKIP = 77
INSIDE = "OTPD_SYSTEM_TEST_DIR"
UNSHARE = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
           "--mount-proc", "--net"]

# What the test mounts over inside the namespace and must find untouched outside.
# sshd writes a failed keyboard-interactive login to btmp, a session to wtmp and
# lastlog: the test's go to empty private copies.
LOGIN_RECORDS = ["/var/log/btmp", "/var/log/wtmp", "/var/log/lastlog"]
HOST_PATHS = ["/etc/pam.d/sshd", "/etc/pam.d/sudo", "/etc/pam.d/cockpit", "/etc/pam.d/common-auth",
              "/var/lib/pam/auth", "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/sudoers",
              "/run/dbus/system_bus_socket", "/run/sshd", *LOGIN_RECORDS]


def run_isolated(test_main, programs):
    """Runs test_main(workdir) inside the namespaces and returns the exit code for
    meson: 0 passed, 1 failed, 77 skipped (not root, no namespaces here, or one of
    `programs` or python3-pexpect missing)."""
    if os.environ.get(INSIDE):
        return test_main(os.environ[INSIDE])
    reason = why_not_isolatable() or what_is_missing(programs)
    if reason:
        print(f"SKIP: {reason}")
        return SKIP
    return run_outside(test_main)


def why_not_isolatable():
    if os.geteuid() != 0:
        return "needs root (private mounts, sshd, sudo); run meson test as root"
    probe = subprocess.run(UNSHARE + ["true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return "unshare is not permitted here (no CAP_SYS_ADMIN?): " + probe.stderr.strip()
    return None


def what_is_missing(programs):
    missing = [program for program in programs if shutil.which(program) is None]
    if importlib.util.find_spec("pexpect") is None:
        missing.append("python3-pexpect")
    return "not installed: " + ", ".join(missing) if missing else None


def run_outside(test_main):
    before = snapshot(HOST_PATHS)
    for signal_number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signal_number, exit_on_signal)
    # 0755: the test users must reach their homes below it (sshd reads
    # authorized_keys as the user).
    workdir = tempfile.mkdtemp(prefix="otpd-system-")
    try:
        os.chmod(workdir, 0o755)
        env = dict(os.environ, **{INSIDE: workdir})
        # subprocess.run kills unshare on any exception, the exit on a signal included.
        status = subprocess.run(UNSHARE + ["--", sys.executable, os.path.abspath(sys.argv[0])],
                                env=env, preexec_fn=die_with_parent, check=False).returncode
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    changed = [path for path, state in snapshot(HOST_PATHS).items() if state != before[path]]
    if changed:
        print("FAIL - the host's files changed outside the namespace: " + ", ".join(changed))
        return 1
    print("ok - the host's " + ", ".join(HOST_PATHS) + " are as they were")
    return 1 if status != 0 else 0


def exit_on_signal(signal_number, _frame):
    raise SystemExit(128 + signal_number)


def die_with_parent():
    """In the child before exec: SIGKILL when the outer program dies, however it dies."""
    pr_set_pdeathsig = 1
    if ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def snapshot(paths):
    """Path → (mode, content digest, mtime), or None where nothing exists."""
    state = {}
    for path in paths:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            state[path] = None
            continue
        digest = None
        if os.path.isfile(path):
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        state[path] = (info.st_mode, digest, info.st_mtime_ns)
    return state


def bind(source, target):
    subprocess.run(["mount", "--bind", source, target], check=True)


def private_run():
    """A tmpfs over /run: a private /run/dbus for the bus, /run/sshd (sshd's privsep
    chroot, root-owned, not writable by others), /run/sudo for sudo's timestamps, and
    no /run/systemd/journal, so otpd logs its events to stderr where the test reads
    them."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,nosuid,nodev", "otpd-test-run", "/run"],
                   check=True)
    for directory in ("/run/dbus", "/run/sshd"):
        os.mkdir(directory, 0o755)


def private_login_records(workdir):
    """Empty copies (same owner and mode) over the login records that exist."""
    os.makedirs(os.path.join(workdir, "log"))
    for path in filter(os.path.exists, LOGIN_RECORDS):
        copy = os.path.join(workdir, "log", os.path.basename(path))
        open(copy, "wb").close()
        shutil.copystat(path, copy)
        info = os.stat(path)
        os.chown(copy, info.st_uid, info.st_gid)
        bind(copy, path)


def loopback_up():
    """A new network namespace starts with lo down; sshd listens on 127.0.0.1."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, siocgifflags, request))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH22x", b"lo", flags | iff_up))


def enter_private_world(workdir):
    """The mounts and the loopback every system test needs, inside the namespace."""
    if os.getpid() != 1:
        raise RuntimeError("not inside the test's PID namespace")
    loopback_up()
    private_run()
    private_login_records(workdir)
