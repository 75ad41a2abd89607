"""A small runner for a sequence of checks that share expensive fixtures."""

import contextlib
import traceback

from secrets_seen import leaked_secret


def run_fixture(fixture_class, workdir):
    """Builds the fixture (fixture_class(workdir, exit_stack): its daemons stop when
    the stack unwinds) and runs its checks()."""
    with contextlib.ExitStack() as stack:
        fixture = fixture_class(workdir, stack)
        return run_checks(fixture.checks(), fixture.daemons())


def run_checks(checks, daemons):
    """Runs each check (its docstring names it), then reads otpd's log against every
    secret and code they met; reports ok / FAIL per check, and the daemons' logs if
    anything failed. Returns the exit code: 0 or 1."""

    def no_secret_in_otpd_log():
        """otpd's log holds no secret or code the checks met"""
        for daemon in daemons:
            leaked = leaked_secret(daemon.log.text()) if daemon.name == "otpd" else None
            if leaked is not None:
                raise AssertionError(f"otpd's log holds a secret or code: {leaked}")

    failures = 0
    for check in list(checks) + [no_secret_in_otpd_log]:
        name = (check.__doc__ or check.__name__).strip().splitlines()[0]
        try:
            check()
            print(f"ok - {name}", flush=True)
        except Exception as error:  # a crashed check is a failed check; go on with the rest
            failures += 1
            print(f"FAIL - {name}: {error}", flush=True)
            if not isinstance(error, AssertionError):
                traceback.print_exc()
    if failures:
        for daemon in daemons:
            print(f"--- {daemon.name} log ({daemon.log.path}) ---\n{daemon.log.text()}", flush=True)
    return 1 if failures else 0
