"""Private PAM service files: /etc/pam.d is copied, the test's services written into
the copy, and the copy bind-mounted over /etc/pam.d inside the namespace only."""

import os
import shutil

from . import namespace


def otp_service(pam_otp_so, *options):
    """A service that asks otpd for the code: the built module by absolute path, so
    the test never depends on, or installs into, the system's module directory."""
    auth = " ".join(["auth required", pam_otp_so, *options])
    # With nullok the module answers PAM_IGNORE for a user who is not enrolled, and a
    # stack in which every module ignored fails: pam_permit supplies the success then,
    # and cannot turn a failure of the required line into one.
    permit = "auth optional pam_permit.so\n" if "nullok" in options else ""
    return f"{auth}\n{permit}account required pam_unix.so\nsession required pam_unix.so\n"


def install_services(workdir, services):
    """services: name → file text. Returns the private directory."""
    private = os.path.join(workdir, "pam.d")
    shutil.copytree("/etc/pam.d", private, symlinks=True)
    for name, text in services.items():
        with open(os.path.join(private, name), "w", encoding="utf-8") as f:
            f.write(text)
    namespace.bind(private, "/etc/pam.d")
    return private
