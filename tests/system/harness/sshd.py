"""OpenSSH's sshd under a PAM service name of the test's choosing, and its client.

sshd names its PAM service after the program it runs as (argv[0]'s base name), so it
is started through a symlink: <workdir>/<service> → /usr/sbin/sshd. The path must be
absolute, because sshd re-executes itself for each connection."""

import io
import os
import subprocess
from dataclasses import dataclass

from .processes import Daemon

SSHD = "/usr/sbin/sshd"
CODE_PROMPT = "Verification code: "

# Both factors, in this order: the key, then PAM's keyboard-interactive (the code).
# PermitTTY no: sshd records pty sessions in utmp, wtmp and lastlog, which are the
# host's files; a command without a pty leaves no record. LogLevel VERBOSE: the log
# says which methods succeeded ("Partial publickey", "Accepted keyboard-interactive").
CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {pid_file}
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication yes
AuthenticationMethods publickey,keyboard-interactive
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
UseDNS no
PermitRootLogin no
PermitTTY no
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
"""


def generate_key(path):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "otpd-system-test", "-f", path],
                   check=True)
    return path


def start_sshd(workdir, service, port):
    """sshd in the foreground, logging to stderr (-e); ready once it says it listens."""
    program = os.path.join(workdir, service)
    os.symlink(SSHD, program)
    config = os.path.join(workdir, service + ".conf")
    with open(config, "w", encoding="utf-8") as f:
        f.write(CONFIG.format(port=port, host_key=generate_key(os.path.join(workdir, service + "-host-key")),
                              pid_file=os.path.join(workdir, service + ".pid")))
    subprocess.run([program, "-t", "-f", config], check=True)  # a bad config fails here, plainly
    sshd = Daemon(service, [program, "-D", "-e", "-f", config], os.path.join(workdir, service + ".log"),
                  env={"PATH": os.environ["PATH"]})
    try:
        # sshd logs this line after listen(): connections are accepted from then on.
        sshd.log.wait_for(rf"Server listening on 127\.0\.0\.1 port {port}\b")
    except AssertionError:
        sshd.stop()
        raise
    return sshd


@dataclass
class SshLogin:
    prompted: bool  # the code prompt appeared
    logged_in: bool  # the remote command ran as the user, and ssh exited 0
    transcript: str


def ssh_login(port, user, key, code):
    """One ssh login as `user` with `key`, answering the code prompt with `code`
    (a second prompt is not answered: ssh is told to ask once)."""
    import pexpect  # here, so that without it the test reports a skip, not a crash

    transcript = io.StringIO()
    child = pexpect.spawn(
        "ssh", ["-F", "/dev/null", "-T", "-p", str(port), "-i", key, "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=no", "-o", "NumberOfPasswordPrompts=1",
                "-o", "PreferredAuthentications=publickey,keyboard-interactive",
                f"{user}@127.0.0.1", "echo logged-in as $(id -un)"],
        env={"PATH": os.environ["PATH"], "HOME": os.path.dirname(key)},
        encoding="utf-8", timeout=30)
    child.logfile_read = transcript
    try:
        prompted = child.expect([CODE_PROMPT, pexpect.EOF]) == 0
        if prompted:
            child.sendline(code)
            child.expect([CODE_PROMPT, pexpect.EOF])
    except pexpect.TIMEOUT as timeout:
        raise AssertionError(f"ssh as {user} hung; it said:\n{transcript.getvalue()}") from timeout
    finally:
        child.close(force=True)
    text = transcript.getvalue()
    return SshLogin(prompted, child.exitstatus == 0 and f"logged-in as {user}" in text, text)
