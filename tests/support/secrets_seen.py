"""Every secret and code a Python test has come across: what no line of otpd's log
may hold. The Python twin of secrets_seen.hpp: the helpers that meet a secret or a
code remember it, and the harness reads otpd's whole log against them at the end."""

import re

_SECRETS = set()  # base32 secrets and backup codes: a leak anywhere in a line
_CODES = set()    # TOTP codes: a leak only as a number of their own (not inside a unix time)

# A base32 secret, bare or in groups of four as otp-enroll shows it; a backup code.
_HANDED_OUT = re.compile(r"(?<![A-Z2-7])((?:[A-Z2-7]{4} ?){7}[A-Z2-7]{4})(?![A-Z2-7])|"
                         r"\b([a-z2-9]{4}-[a-z2-9]{4})\b")


def remember_secret(secret):
    """A secret or a backup code (remembered with and without its dash); returns it."""
    if secret:
        _SECRETS.update((secret, secret.replace("-", "")))
    return secret


def remember_code(code):
    """A TOTP code; returns it."""
    if code:
        _CODES.add(code)
    return code


def remember_handed_out(text):
    """Every secret (grouped or not) and backup code in `text`: an API answer, or what
    otp-enroll showed."""
    for secret, backup_code in _HANDED_OUT.findall(text):
        remember_secret(secret.replace(" ", "") or backup_code)


def leaked_secret(log):
    """The first remembered secret or code that `log` holds, or None."""
    for secret in _SECRETS:
        if secret in log:
            return secret
    for code in _CODES:
        if re.search(r"(?<!\d)%s(?!\d)" % re.escape(code), log):
            return code
    return None
