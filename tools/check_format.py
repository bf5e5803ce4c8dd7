#!/usr/bin/env python3
"""check_format: no C file or header that clang-format (.clang-format at the top) would change.

Runs `clang-format --dry-run -Werror` once over every *.c and *.h file of the tree (tracked by git, see
check_common) and prints `file:line: clang-format would change N lines from here (make format)` for
each file it would change, with the first such line; `make format` rewrites them. The clang-format it
runs: $CLANG_FORMAT, default clang-format (other versions than Debian 12's 14 may format differently).
Exit status 1 if any file would change or clang-format cannot run.
Usage: tools/check_format.py [--root DIR]
"""

import os
import re
import subprocess
import sys

import check_common

# clang-format's report: "FILE:LINE:COLUMN: error: code should be clang-formatted [...]".
REPORT = re.compile(r"^(.*?):(\d+):\d+: (?:error|warning): code should be clang-formatted")


def check(root):
    if not os.path.isfile(os.path.join(root, ".clang-format")):
        return [(".clang-format", 0, "missing: the style the check compares with")]
    sources = check_common.tree_files(root, ["*.c", "*.h"])
    if not sources:
        return []
    clang_format = os.environ.get("CLANG_FORMAT", "clang-format")
    try:
        proc = subprocess.run([clang_format, "--dry-run", "-Werror", *sources], cwd=root,
                              capture_output=True, text=True, errors="replace")
    except OSError as err:
        return [(clang_format, 0, f"cannot run ({err.strerror}); tools/deps.sh style installs it")]
    changed = {}  # file -> the lines clang-format would change
    for line in proc.stderr.splitlines():
        match = REPORT.match(line)
        if match:
            path = os.path.relpath(os.path.join(root, match.group(1)), root)
            changed.setdefault(path, set()).add(int(match.group(2)))
    problems = [(path, min(lines), f"clang-format would change {len(lines)} line{'s' * (len(lines) > 1)}"
                 " from here (make format)") for path, lines in sorted(changed.items())]
    if proc.returncode != 0 and not problems:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        problems.append((clang_format, 0, f"exited with {proc.returncode}: {' | '.join(lines[-3:])}"))
    return problems


if __name__ == "__main__":
    sys.exit(check_common.main("Check that clang-format would change no C file.", check))
