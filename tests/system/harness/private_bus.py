"""A private system bus at the default path, /run/dbus/system_bus_socket, where the
PAM module inside sshd and sudo looks for it (it cannot be pointed elsewhere).

Its configuration is the host's system.conf (so the policy defaults are the real
ones) with what would daemonise it or pull in other services dropped, plus the
project's own policy file: the same derivation as tests/support/private_bus.cpp."""

import os
import re
import select

from .processes import Daemon

SYSTEM_CONF = "/usr/share/dbus-1/system.conf"
SOCKET_PATH = "/run/dbus/system_bus_socket"
DROPPED = re.compile(
    r"<user>[^<]*</user>|<fork/>|<pidfile>[^<]*</pidfile>|<syslog/>|<servicehelper>[^<]*</servicehelper>|"
    r"<standard_system_servicedirs/>|<includedir>[^<]*</includedir>|<include [^>]*>[^<]*</include>")
LISTEN = re.compile(r"<listen>[^<]*</listen>")


def derive_bus_config(system_conf, listen_address, policies):
    config = DROPPED.sub("", system_conf)
    config = LISTEN.sub(f"<listen>{listen_address}</listen>", config)
    includes = "".join(f"  <include>{policy}</include>\n" for policy in policies)
    end = config.rindex("</busconfig>")
    return config[:end] + includes + config[end:]


def start_private_bus(workdir, source_root):
    """dbus-daemon in the foreground; ready once it prints its address on a pipe."""
    policy = os.path.join(source_root, "etc/dbus/org.otpd.Otpd1.conf")
    config_path = os.path.join(workdir, "bus.conf")
    with open(SYSTEM_CONF, encoding="utf-8") as f:
        config = derive_bus_config(f.read(), "unix:path=" + SOCKET_PATH, [policy])
    with open(config_path, "w", encoding="utf-8") as f:
        f.write(config)
    read_end, write_end = os.pipe()
    bus = Daemon("dbus-daemon",
                 ["dbus-daemon", "--config-file=" + config_path, "--nofork", f"--print-address={write_end}"],
                 os.path.join(workdir, "dbus-daemon.log"), pass_fds=(write_end,))
    os.close(write_end)
    with os.fdopen(read_end, "rb") as address_pipe:
        ready, _, _ = select.select([address_pipe], [], [], 20)
        address = address_pipe.readline().decode().strip() if ready else ""
    if SOCKET_PATH not in address:
        bus.stop()
        raise RuntimeError("dbus-daemon did not start:\n" + bus.log.text())
    return bus
