"""Helpers of the system tests: the real sshd and sudo in a private namespace, with
the built pam_otp.so and otpd. One module a concept."""

import os
import sys

# What no line of otpd's log may hold: tests/support/secrets_seen.py, shared with the
# otp-enroll end-to-end tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
