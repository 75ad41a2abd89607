"""Prints one closing line for the whole run, 'N passed, N failed, N skipped',
counting GoogleTest cases (and whole tests for runners that are not GoogleTest)
over every meson testlog.json given (the main tree, the sanitizer tree, ...). A log
that is not there (its tree did not build) counts as one failure."""
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        log = open(path, encoding="utf-8")
    except FileNotFoundError:
        failed += 1
        continue
    with log:
        for line in log:
            entry = json.loads(line)
            out = entry.get("stdout", "") or ""
            counts = {kind: sum(int(n) for n in re.findall(r"^\[  %s  \] (\d+) tests?" % kind, out, re.M))
                      for kind in ("PASSED", "FAILED")}
            skips = sum(int(n) for n in re.findall(r"^\[  SKIPPED \] (\d+) tests?", out, re.M))
            if counts["PASSED"] or counts["FAILED"] or skips:
                passed += counts["PASSED"]
                failed += counts["FAILED"]
                skipped += skips
            elif entry.get("result") == "OK":
                passed += 1
            elif entry.get("result") == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
