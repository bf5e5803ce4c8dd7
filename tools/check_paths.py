#!/usr/bin/env python3
"""check_paths: every repository path that a comment or the README names exists.

Where it looks: the comments of C, assembly and linker scripts (/* */ and //), of Python (# comments and
docstrings), of the Makefile and of shell scripts (#), and all of README.md. Code and strings are not
read: a wrong path there fails when it runs.

What counts as a path: a name that starts with one of the tree's top-level folders (TOP_DIRS, and the
folders that no longer exist, such as include/) and names a file with an extension (`mm/paging.c`,
`<mm/layout.h>`), a folder with its slash (`boot/bios/`), or such a glob (`tests/host/test_*.c`).
Upper-case words stand for a name (`tests/fuzz/fuzz_NAME.c` is `tests/fuzz/fuzz_*.c`); a glob must
match at least one file. Not paths: anything in a URL or after another path component
(/usr/lib/grub/..., ../lib, $(BUILD)/host/...), build/ (generated), names without an extension or
slash (`boot/shell-help` and `boot/ttt-*` are tests, `tools/mkimage` is the program), templates
(`drivers/<device>/`), and paths in another project's tree (`QEMU's docs/...`, EXTERNAL_TREES).

Prints `file:line: no such path: P` for each; exit status 1 if any.
Usage: tools/check_paths.py [--root DIR]
"""

import fnmatch
import glob
import io
import os
import re
import sys
import tokenize

import check_common

TOP_DIRS = ("boot", "arch", "kernel", "drivers", "mm", "apps", "lib", "tests", "tools", "docs",
            "include", "user")
# Folders of other projects that Keel's comments cite, with the project.
EXTERNAL_TREES = {"docs/interop/": "QEMU"}

PATH = re.compile(r"(?<![\w./~$-])(?:%s)/[\w.*?+-]+(?:/[\w.*?+-]+)*/?" % "|".join(TOP_DIRS))
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
TEMPLATE_NEXT = tuple("<{$%(")
# "QEMU's docs/...": another project's tree (but "Keel's" is this one).
POSSESSIVE = re.compile(r"(?<![\w'])(?!Keel's)[A-Z][\w-]*'s\s+$")
EXTENSION = re.compile(r"\.[A-Za-z0-9]+$")
PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]*(?![A-Za-z0-9])")

C_LIKE = ("*.c", "*.h", "*.S", "*.ld")
HASH_COMMENTS = ("Makefile", "*.mk", "*.sh")


def c_comments(text, char_literals):
    """(line number, text) of each line of the /* */ and // comments, skipping string literals."""
    i, line, size = 0, 1, len(text)
    while i < size:
        ch = text[i]
        if text.startswith("/*", i) or text.startswith("//", i):
            end = text.find("*/", i + 2) if ch == "/" and text[i + 1] == "*" else text.find("\n", i)
            end = size if end < 0 else end
            for offset, part in enumerate(text[i:end].split("\n")):
                yield line + offset, part
            line += text.count("\n", i, end)
            i = end
        elif ch == '"' or (ch == "'" and char_literals):
            j = i + 1
            while j < size and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            line += text.count("\n", i, j)
            i = j + 1
        else:
            line += ch == "\n"
            i += 1


def hash_comments(text):
    """(line number, text) of each `#` comment: at the start of a line or after a blank, outside quotes."""
    for number, source in enumerate(text.splitlines(), 1):
        quote = None
        for i, ch in enumerate(source):
            if quote:
                quote = None if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "#" and (i == 0 or source[i - 1].isspace()):
                yield number, source[i:]
                break


def python_comments(text):
    """(line number, text) of the # comments and the docstrings (strings that are a whole statement)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        yield from hash_comments(text)
        return
    statement_start = True
    for token in tokens:
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
        elif token.type == tokenize.STRING and statement_start:
            for offset, part in enumerate(token.string.split("\n")):
                yield token.start[0] + offset, part
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            statement_start = token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)


def is_shell_script(root, path):
    if path.endswith(".sh"):
        return True
    if os.path.splitext(path)[1]:
        return False
    with open(os.path.join(root, path), "rb") as script:
        first = script.readline(100)
    return first.startswith(b"#!") and first.rstrip().endswith((b"sh", b"bash"))


def commented_lines(root, path):
    """The (line number, text) pairs of path that may name paths, chosen by the kind of file."""
    name = os.path.basename(path)
    text = check_common.read_text(root, path)
    if any(fnmatch.fnmatch(name, p) for p in C_LIKE):
        return c_comments(text, char_literals=name.endswith((".c", ".h")))
    if name.endswith(".py"):
        return python_comments(text)
    if path == "README.md":
        return enumerate(text.splitlines(), 1)
    if any(fnmatch.fnmatch(name, p) for p in HASH_COMMENTS) or is_shell_script(root, path):
        return hash_comments(text)
    return ()


def named_paths(line):
    """The paths a line of comment names, as written (see the module's docstring)."""
    line = URL.sub(" ", line)
    for match in PATH.finditer(line):
        path = match.group(0).rstrip(".")
        following = line[match.start() + len(path):match.start() + len(path) + 1]
        if following.startswith(TEMPLATE_NEXT) or POSSESSIVE.search(line[:match.start()]):
            continue
        if any(path.startswith(tree) for tree in EXTERNAL_TREES):
            continue
        if path.endswith("/") or EXTENSION.search(path):
            yield path


def exists(root, path):
    """Whether path names a file or folder of the tree; upper-case words and globs must match one."""
    head, name = os.path.split(path.rstrip("/"))
    stem, extension = os.path.splitext(name)
    pattern = PLACEHOLDER.sub("*", os.path.join(head, stem)) + extension + "/" * path.endswith("/")
    if "*" in pattern or "?" in pattern:
        return bool(glob.glob(os.path.join(root, pattern)))
    full = os.path.join(root, path)
    return os.path.isdir(full) if path.endswith("/") else os.path.exists(full)


def check(root):
    problems = []
    for path in check_common.tree_files(root, ["*"]):
        for number, line in commented_lines(root, path):
            for named in named_paths(line):
                if not exists(root, named):
                    problems.append((path, number, f"no such path: {named}"))
    return problems


if __name__ == "__main__":
    sys.exit(check_common.main("Check that the paths named in comments and the README exist.", check))
