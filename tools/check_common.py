"""check_common: what the style checks (tools/check_*.py) share.

A check looks at the files of one source tree: the files git tracks when the tree is the top of a git
checkout, otherwise every file below it except the build output and version-control data (so a check
also runs on a temporary copy, which is how tests/style/test_checks.py makes each one fail). It prints
one line `path:line: problem` per problem, paths relative to the tree, and exits with 1 if there was any.
"""

import argparse
import fnmatch
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIPPED_DIRS = {".git", "build", "__pycache__"}


def _git_files(root):
    """The files git tracks in root, or None when root is not the top of a git checkout."""
    try:
        top = subprocess.run(["git", "-C", root, "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True).stdout.strip()
        if os.path.realpath(top) != os.path.realpath(root):
            return None
        listed = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, text=True,
                                check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return [path for path in listed.split("\0") if path]


def _walked_files(root):
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            yield os.path.relpath(os.path.join(directory, name), root)


def tree_files(root, patterns):
    """Paths relative to root of the tree's files whose name matches one of the glob patterns."""
    listed = _git_files(root)
    if listed is None:
        listed = _walked_files(root)
    return sorted(path for path in listed
                  if any(fnmatch.fnmatch(os.path.basename(path), p) for p in patterns)
                  and os.path.isfile(os.path.join(root, path)))


def read_text(root, path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as source:
        return source.read()


def main(description, check):
    """Command line of every check: `check(root)` returns the problems as (path, line, text)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--root", default=ROOT, help="top of the source tree (default: this checkout)")
    args = parser.parse_args()
    problems = check(os.path.abspath(args.root))
    for path, line, text in problems:
        print(f"{path}:{line}: {text}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit("check_common.py is a module for tools/check_*.py")
