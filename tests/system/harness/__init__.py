"""Helpers of the system tests: the real sshd and sudo in a private namespace, with
the built pam_otp.so and otpd. One module a concept."""
