"""The real sudo, run by a test user, with a private sudoers bind-mounted over
/etc/sudoers inside the namespace only."""

import os
import subprocess
from dataclasses import dataclass

from . import namespace

# timestamp_timeout=0: sudo never caches a credential, so no attempt passes on the
# strength of an earlier one (the timestamps would live on the private /run anyway).
# passwd_tries=1: a wrong code ends sudo instead of reading stdin again.
SUDOERS = """\
Defaults env_reset
Defaults timestamp_timeout=0
Defaults passwd_tries=1
Defaults lecture=never
Defaults !syslog
root ALL=(ALL:ALL) ALL
"""


def install_sudoers(workdir, user_names):
    path = os.path.join(workdir, "sudoers")
    with open(path, "w", encoding="utf-8") as f:
        f.write(SUDOERS + "".join(f"{name} ALL=(ALL:ALL) ALL\n" for name in user_names))
    os.chmod(path, 0o440)  # sudo refuses a sudoers file that is not root's or is writable
    subprocess.run(["visudo", "-c", "-q", "-f", path], check=True)
    namespace.bind(path, "/etc/sudoers")


@dataclass
class SudoRun:
    status: int
    stdout: str
    stderr: str  # where sudo -S writes the prompt


def sudo_as(user, code, command=("id", "-u"), forget_credentials=True):
    """`sudo -S [-k] COMMAND` as `user` (real and effective uid, its groups), the code
    fed on stdin as sudo -S reads it. No -p: sudo's own prompt would replace the one
    pam_otp.so asks with, which is what a person at the terminal sees."""
    sudo = ["sudo", "-S"] + (["-k"] if forget_credentials else []) + ["--", *command]
    result = subprocess.run(
        ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups", "--", *sudo],
        input=code + "\n", capture_output=True, text=True, timeout=60, cwd=user.home,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": user.home, "USER": user.name}, check=False)
    return SudoRun(result.returncode, result.stdout, result.stderr)
