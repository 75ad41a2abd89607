"""Test users that exist only inside the namespace.

The host's /etc/passwd, /etc/shadow and /etc/group are copied, the users appended,
and the copies bind-mounted over the originals inside the namespace only."""

import os
import shutil
import subprocess
import time
from dataclasses import dataclass

from . import namespace

ACCOUNT_FILES = ("/etc/passwd", "/etc/shadow", "/etc/group")


@dataclass
class TestUser:
    name: str
    uid: int
    home: str

    @property
    def gid(self):
        return self.uid


def taken_ids(path):
    with open(path, encoding="utf-8") as f:
        return {int(line.split(":")[2]) for line in f if line.count(":") >= 3}


def free_id(start=61000):
    taken = taken_ids("/etc/passwd") | taken_ids("/etc/group")
    return next(candidate for candidate in range(start, 65000) if candidate not in taken)


def install_users(workdir, names, password_hash="*"):
    """Creates the users (own group, home under workdir, shell /bin/sh) and mounts the
    account files that list them. password_hash goes in /etc/shadow (crypt(3) form,
    see hash_password); the default "*" matches no password. Returns name → TestUser."""
    copies = {path: os.path.join(workdir, "etc", os.path.basename(path)) for path in ACCOUNT_FILES}
    os.makedirs(os.path.join(workdir, "etc"), exist_ok=True)
    for path, copy in copies.items():
        shutil.copy2(path, copy)
        os.chown(copy, os.stat(path).st_uid, os.stat(path).st_gid)
    users = {}
    uid = free_id()
    for name in names:
        users[name] = TestUser(name, uid, os.path.join(workdir, "home", name))
        append_account(copies, users[name], password_hash)
        make_home(users[name])
        uid = free_id(uid + 1)
    for path, copy in copies.items():
        namespace.bind(copy, path)
    return users


def hash_password(password):
    """A SHA-512 crypt(3) hash for /etc/shadow, made by openssl (the crypt module
    leaves Python in 3.13)."""
    return subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password, capture_output=True, text=True,
                          check=True).stdout.strip()


def append_account(copies, user, password_hash="*"):
    # "*" as the password (the default): no password matches it. sshd would refuse even a public
    # key for an account it sees as locked ("!" prefix) if it checked that itself; with
    # UsePAM yes it leaves the check to PAM's account stack, and pam_unix does not look
    # at the "!" (tried: "!" logs in here too). "*" is not locked either way.
    # The last change is today: with 0 (or an expired date) pam_unix's account step
    # demands a new password at once and sshd starts a password change instead of
    # running the command.
    today = int(time.time()) // 86400
    lines = {
        "/etc/passwd": f"{user.name}:x:{user.uid}:{user.gid}:otpd system test:{user.home}:/bin/sh",
        "/etc/shadow": f"{user.name}:{password_hash}:{today}:0:99999:7:::",
        "/etc/group": f"{user.name}:x:{user.gid}:",
    }
    for path, line in lines.items():
        with open(copies[path], "a", encoding="utf-8") as f:
            f.write(line + "\n")


def make_home(user):
    """The home as sshd's StrictModes wants it: the user's, 0755; ~/.ssh 0700."""
    ssh_dir = os.path.join(user.home, ".ssh")
    os.makedirs(ssh_dir)
    for path, mode in ((user.home, 0o755), (ssh_dir, 0o700)):
        os.chown(path, user.uid, user.gid)
        os.chmod(path, mode)


def authorize_key(user, public_key_path):
    keys = os.path.join(user.home, ".ssh", "authorized_keys")
    shutil.copyfile(public_key_path, keys)
    os.chown(keys, user.uid, user.gid)
    os.chmod(keys, 0o600)
