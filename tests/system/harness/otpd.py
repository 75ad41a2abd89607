"""The built otpd, inside the namespace, on the private system bus."""

import os
import select
import socket
import time

from .processes import Daemon

# otpd's own readiness signal: sd_notify("READY=1") once it owns its bus name
# (requested synchronously) and its API socket listens.
READY_TIMEOUT = 20


class Otpd(Daemon):
    def __init__(self, argv, log_path, env, api_socket):
        super().__init__("otpd", argv, log_path, env=env)
        self.api_socket = api_socket


def start_otpd(workdir, otpd_binary, api_socket=None):
    """otpd with its database under workdir, its API socket there too unless
    `api_socket` says where (its directory must exist). No DBUS_SYSTEM_BUS_ADDRESS:
    it connects to the default system bus path, as it does on a real host."""
    config = os.path.join(workdir, "otpd.conf")
    with open(config, "w", encoding="utf-8") as f:
        f.write("[totp]\nissuer = otpd-system-test\n")
    notify_path = os.path.join(workdir, "notify.sock")
    api_socket = api_socket or os.path.join(workdir, "api.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(notify_path)
        otpd = Otpd([otpd_binary, "--config", config, "--database", os.path.join(workdir, "state/otpd.db"),
                     "--socket", api_socket],
                    os.path.join(workdir, "otpd.log"),
                    env={"PATH": os.environ["PATH"], "NOTIFY_SOCKET": notify_path}, api_socket=api_socket)
        if not wait_ready(notify, otpd):
            otpd.stop()
            raise RuntimeError("otpd did not become ready:\n" + otpd.log.text())
    return otpd


def wait_ready(notify, otpd):
    """True once READY=1 arrives; False if otpd exits or the timeout passes first."""
    exited = otpd.exit_fd()
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while True:
            left = max(0, deadline - time.monotonic())
            readable, _, _ = select.select([notify, exited], [], [], left)
            if notify not in readable:
                return False
            if b"READY=1" in notify.recv(4096).split(b"\n"):
                return True
    finally:
        os.close(exited)
