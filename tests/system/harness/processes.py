"""Child processes whose output the tests read while they run."""

import os
import re
import subprocess
import threading
import time


class LogTail:
    """Drains a pipe into a file on a thread, and lets the test wait for a line.

    Waiting is on the pipe itself (a condition the reader thread signals), never
    on a sleep."""

    def __init__(self, pipe, path):
        self.path = path
        self._lines = []
        self._changed = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._drain, args=(pipe,), daemon=True)
        self._thread.start()

    def _drain(self, pipe):
        with open(self.path, "w", encoding="utf-8") as copy:
            for raw in iter(pipe.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                copy.write(line + "\n")
                copy.flush()
                with self._changed:
                    self._lines.append(line)
                    self._changed.notify_all()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def mark(self):
        """A position: wait_for(..., since=mark) looks only at the lines after it."""
        with self._changed:
            return len(self._lines)

    def wait_for(self, pattern, since=0, timeout=15):
        """The first match of `pattern` in a line after `since`; AssertionError if none
        comes within `timeout` seconds or the process closes its output first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            seen = since
            while True:
                for line in self._lines[seen:]:
                    match = regex.search(line)
                    if match:
                        return match
                seen = len(self._lines)
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise AssertionError(f"no line matching {pattern!r} in {self.path}:\n" + self.text(since))
                self._changed.wait(left)

    def text(self, since=0):
        with self._changed:
            return "\n".join(self._lines[since:])

    def join(self):
        self._thread.join(timeout=10)


class Daemon:
    """A long-running child (dbus-daemon, otpd, sshd) with its output in a LogTail."""

    def __init__(self, name, argv, log_path, env=None, pass_fds=()):
        self.name = name
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, env=env, pass_fds=pass_fds)
        self.log = LogTail(self.process.stdout, log_path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def exit_fd(self):
        """A descriptor that becomes readable when the process exits (a pidfd)."""
        return os.pidfd_open(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.join()
        self.process.stdout.close()
