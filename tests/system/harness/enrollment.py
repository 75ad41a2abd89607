"""Enrolling a test user through otpd's HTTP API, as root acting for the user
(X-OTP-User), and the codes an authenticator app would show (oathtool: an
implementation independent of otpd's)."""

import http.client
import json
import socket
import subprocess
import time
from dataclasses import dataclass, field

from secrets_seen import remember_code, remember_handed_out

PERIOD = 30


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def post_as(api_socket, user, route, body):
    """(status, JSON body) of a POST that root makes for `user`."""
    connection = UnixHTTPConnection(api_socket)
    try:
        connection.request("POST", route, body=json.dumps(body),
                           headers={"X-OTP-User": user, "Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read() or b"{}"
        remember_handed_out(body.decode("utf-8", "replace"))
        return response.status, json.loads(body)
    finally:
        connection.close()


def current_step():
    return int(time.time()) // PERIOD


def totp(secret, step):
    result = subprocess.run(["oathtool", "--base32", "--totp", f"--now=@{step * PERIOD}", secret],
                            capture_output=True, text=True, check=True)
    return remember_code(result.stdout.strip())


@dataclass
class Enrollment:
    user: str
    secret: str
    last_step: int  # the latest step otpd has accepted: no code of it or before works again
    backup_codes: list = field(default_factory=list)  # the ten the confirm handed out, unused

    def next_code(self):
        """A code of the first step after the last accepted one that otpd's window
        (±1 step) still takes; it becomes the last accepted step."""
        self.last_step = max(self.last_step + 1, current_step() - 1)
        return totp(self.secret, self.last_step)

    def used_code(self):
        return totp(self.secret, self.last_step)

    def wrong_code(self):
        """A code that no step near now accepts."""
        near = {totp(self.secret, current_step() + delta) for delta in range(-2, 3)}
        return remember_code(next(code for code in ("000000", "111111", "222222", "333333") if code not in near))


def enroll(api_socket, user):
    """enable, then confirm with the previous step's code, which leaves the current
    step for the first login."""
    status, enabled = post_as(api_socket, user, "/v2/auth/otp/enable", {})
    if status != 200:
        raise AssertionError(f"enable for {user}: {status} {enabled}")
    while True:
        step = current_step() - 1
        status, confirmed = post_as(api_socket, user, "/v2/auth/otp/confirm",
                                    {"code": totp(enabled["secret"], step)})
        if status == 200:
            return Enrollment(user, enabled["secret"], step, confirmed.get("backupCodes", []))
        # Only a step boundary passing during the request excuses a refusal.
        if current_step() - 1 == step:
            raise AssertionError(f"confirm for {user}: {status} {confirmed}")
