#!/bin/sh
# systemd-analyze verify on the units as built. It also checks that ExecStart=
# exists, which it does not before install: that one complaint is expected.
set -u
analyze="$1"; shift
out="$("$analyze" verify --man=no "$@" 2>&1)"
problems="$(printf '%s\n' "$out" | grep -v -e 'is not executable: No such file or directory' -e '^$' || true)"
if [ -n "$problems" ]; then
  printf '%s\n' "$problems"
  exit 1
fi
echo "units verified: $*"
