"""A scripted stand-in for otpd's HTTP API on its Unix socket, for the answers the
real otpd cannot be brought to give in a browser test: a full disk (503), its
hashing queue full (429 and 503 with Retry-After), an expired set-up (410, ten
minutes after enable), an internal error (500), and status fields that otpd does
not send yet (lastUsed, type, digits). Everything else the page does is tested
against the real otpd."""

import json
import os
import socketserver
import threading
from http.server import BaseHTTPRequestHandler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, body, headers = self.server.script.get(self.path, (404, {"error": "Not found"}, {}))
        self.server.asked.append(self.path)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args):  # the test reads `asked`, not a log
        pass


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class ScriptedOtpd:
    """Serves `script` (route → (status, JSON body, extra headers)) on `path` until
    stopped; `asked` lists the routes requested, in order."""

    def __init__(self, path):
        if os.path.exists(path):  # a socket a stopped otpd left behind
            os.unlink(path)
        self.server = _Server(path, _Handler)
        os.chmod(path, 0o666)  # as otpd's: any local user may connect
        self.server.script = {}
        self.server.asked = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def script(self):
        return self.server.script

    @property
    def asked(self):
        return self.server.asked

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        os.unlink(self.server.server_address)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
