"""A real cockpit-ws on a loopback port of the test's private network namespace.

Started as Cockpit's HACKING.md runs it by hand (cockpit-ws --port N --no-tls); its
own integration tests (test/verify) use VMs where systemd's cockpit.socket does.
It runs as root, as Debian's cockpit-wsinstance would not, so that it can start
/usr/lib/cockpit/cockpit-session itself: that runs PAM's "cockpit" service
(the namespace's own /etc/pam.d/cockpit), then cockpit-bridge as the user who
logged in. --no-tls: plain HTTP on 127.0.0.1, which Cockpit accepts from loopback.

The port is bound before cockpit-ws starts, by systemd-socket-activate, which hands
it over as a socket-activated descriptor (cockpit-ws takes LISTEN_FDS): once that
says it is listening, a connection is queued until cockpit-ws takes it, so no poll
waits for cockpit-ws to come up."""

import os
import shutil

from harness.processes import Daemon

COCKPIT_WS = "/usr/lib/cockpit/cockpit-ws"
COCKPIT_SESSION = "/usr/lib/cockpit/cockpit-session"
PROGRAMS = [COCKPIT_WS, COCKPIT_SESSION, "cockpit-bridge", "systemd-socket-activate"]


def start_cockpit_ws(workdir, port, config=""):
    """cockpit-ws on 127.0.0.1:port; `config` is the text of its cockpit.conf (read
    from XDG_CONFIG_DIRS, so /etc/cockpit stays the host's)."""
    name = f"cockpit-ws-{port}"
    config_dir = os.path.join(workdir, name + "-config")
    os.makedirs(os.path.join(config_dir, "cockpit"))
    with open(os.path.join(config_dir, "cockpit", "cockpit.conf"), "w", encoding="utf-8") as f:
        f.write(config)
    ws = Daemon(name,
                ["systemd-socket-activate", f"--listen=127.0.0.1:{port}", f"--setenv=XDG_CONFIG_DIRS={config_dir}",
                 COCKPIT_WS, "--no-tls", "--port", str(port)],
                os.path.join(workdir, name + ".log"), env={"PATH": os.environ["PATH"]})
    try:
        ws.log.wait_for(rf"^Listening on 127\.0\.0\.1:{port} as 3\.$")
    except AssertionError:
        ws.stop()
        raise
    return ws


def install_page_for(user, page_dir):
    """A copy of the page (the files in page_dir), for `user` only: cockpit-bridge
    also reads packages from ~/.local/share/cockpit, so nothing goes into
    /usr/share/cockpit, and the user can read every file whatever the source
    tree's modes are."""
    target = os.path.join(user.home, ".local", "share", "cockpit", "otpd")
    shutil.copytree(page_dir, target, ignore=shutil.ignore_patterns("meson.build"))
    for directory, _, files in os.walk(os.path.join(user.home, ".local")):
        os.chown(directory, user.uid, user.gid)
        for name in files:
            os.chown(os.path.join(directory, name), user.uid, user.gid)
