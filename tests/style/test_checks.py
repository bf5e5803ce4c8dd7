#!/usr/bin/env python3
"""Self-tests of the style checks (tools/check_format.py, check_paths.py, check_layering.py).

Each check must fail where it should and only there: every case writes a small source tree into a
temporary folder (not a git checkout, so the checks walk it) and runs the check's script on it, as
`make test` runs it on the repository. The `*-repo-copy` cases break one thing in a copy of this
checkout's files and expect exactly that problem to be reported.

One line per case, `PASS: style/selftest/NAME` or `FAIL: style/selftest/NAME: reason`; exit status 1
if any failed. Usage: tests/style/test_checks.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools")
sys.path.insert(0, TOOLS)

import check_common  # noqa: E402  (found through the path above)

FORMATTED = "int answer(void)\n{\n    return 42;\n}\n"


def write_tree(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as out:
            out.write(text)


def run_check(name, root):
    """(exit status, output lines) of tools/check_NAME.py --root root."""
    proc = subprocess.run([sys.executable, os.path.join(TOOLS, f"check_{name}.py"), "--root", root],
                          capture_output=True, text=True)
    return proc.returncode, [line for line in (proc.stdout + proc.stderr).splitlines() if line]


class TreeCase(unittest.TestCase):
    """A case with a temporary source tree: self.check(name, files) runs a check on it."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="keel-style-")
        self.addCleanup(shutil.rmtree, self.root)

    def check(self, name, files):
        write_tree(self.root, files)
        return run_check(name, self.root)

    def assert_problems(self, name, files, expected):
        status, lines = self.check(name, files)
        self.assertEqual(lines, expected)
        self.assertEqual(status, 1 if expected else 0, lines)

    def copy_repository(self):
        for path in check_common.tree_files(ROOT, ["*"]):
            os.makedirs(os.path.join(self.root, os.path.dirname(path)), exist_ok=True)
            shutil.copy(os.path.join(ROOT, path), os.path.join(self.root, path))

    def assert_reported_in_copy(self, name, path, text, expected):
        """In a copy of the checkout, path gets text appended; the check must report expected."""
        self.copy_repository()
        with open(os.path.join(self.root, path), "a", encoding="utf-8") as out:
            out.write(text)
        status, lines = run_check(name, self.root)
        self.assertEqual(status, 1, lines)
        self.assertIn(expected, lines)


class Format(TreeCase):
    def test_formatted_tree_passes(self):
        self.assert_problems("format", {".clang-format": open(os.path.join(ROOT, ".clang-format")).read(),
                                        "lib/a.c": FORMATTED, "lib/a.h": "int answer(void);\n"}, [])

    def test_misformatted_file_fails(self):
        self.assert_problems("format", {".clang-format": open(os.path.join(ROOT, ".clang-format")).read(),
                                        "lib/a.c": FORMATTED,
                                        "mm/b.c": "int x;\nint  answer(void) { return 42; }\n"
                                                  "int  y;\n"},
                             ["mm/b.c:2: clang-format would change 2 lines from here (make format)"])

    def test_missing_style_fails(self):
        self.assert_problems("format", {"lib/a.c": FORMATTED},
                             [".clang-format:0: missing: the style the check compares with"])

    def test_misformatted_repo_copy(self):
        self.assert_reported_in_copy("format", "lib/string.c", "int  keel_style_probe ;\n",
                                     f"lib/string.c:{self.line_count('lib/string.c') + 1}: "
                                     "clang-format would change 1 line from here (make format)")

    @staticmethod
    def line_count(path):
        with open(os.path.join(ROOT, path), encoding="utf-8") as source:
            return source.read().count("\n")


class Layering(TreeCase):
    def test_allowed_includes_pass(self):
        self.assert_problems("layering", {
            "lib/a.c": "#include <stdint.h>\n#include <lib/string.h>\n",
            "mm/a.c": "#include <kernel/panic.h>\n#include <kernel/spinlock.h>\n#include <arch/x86_64/cpu.h>\n",
            "drivers/vga/a.c": "#include <kernel/spinlock.h>\n#include <arch/x86_64/cpu.h>\n",
            "arch/x86_64/a.c": "#include <kernel/panic.h>\n",
            "boot/a.c": "#include <boot/multiboot/multiboot.h>\n#include <boot/bios/bootimg.h>\n",
            "tests/host/a.c": "#include <boot/bios/bootimg.h>\n",
            "tools/a.h": "#include <boot/bios/bootimg.h>\n",
        }, [])

    def test_each_rule_fails(self):
        self.assert_problems("layering", {
            "lib/a.c": "#include <stdint.h>\n#include <kernel/console.h>\n#include <stdio.h>\n",
            "mm/a.c": "#include <drivers/vga/vga.h>\n  #  include <kernel/timer.h>\n",
            "drivers/rtc/a.c": "#include <kernel/console.h>\n",
            "arch/x86_64/a.S": "#include <drivers/acpi/acpi.h>\n",
            "kernel/a.c": "#include <boot/multiboot/multiboot.h>\n#include <boot/bios/bios.h>\n"
                          '#include "local.h"\n',
        }, [
            "arch/x86_64/a.S:1: arch/ includes nothing from drivers/acpi/ (<drivers/acpi/acpi.h>)",
            "drivers/rtc/a.c:1: drivers/ include nothing from kernel/ but kernel/spinlock.h (<kernel/console.h>)",
            "kernel/a.c:1: only boot/ (and tests/, tools/) includes loader headers (<boot/multiboot/multiboot.h>)",
            "kernel/a.c:2: only boot/ (and tests/, tools/) includes loader headers (<boot/bios/bios.h>)",
            'kernel/a.c:3: headers are included as <path/from/top.h> ("local.h")',
            "lib/a.c:2: lib/ includes only lib/ and compiler headers (<kernel/console.h>)",
            "lib/a.c:3: lib/ includes only lib/ and compiler headers (<stdio.h>)",
            "mm/a.c:1: mm/ includes nothing from drivers/ (<drivers/vga/vga.h>)",
            "mm/a.c:2: mm/ includes from kernel/ only kernel/console.h, kernel/panic.h, kernel/spinlock.h "
            "(<kernel/timer.h>)",
        ])

    def test_bad_include_in_repo_copy(self):
        self.assert_reported_in_copy("layering", "lib/ring.h", "#include <drivers/vga/vga.h>\n",
                                     f"lib/ring.h:{Format.line_count('lib/ring.h') + 1}: lib/ includes only "
                                     "lib/ and compiler headers (<drivers/vga/vga.h>)")


class Paths(TreeCase):
    EXISTING = {"mm/paging.c": "", "boot/bios/stage1.S": "", "tests/fuzz/fuzz_heap.c": ""}

    def test_existing_and_non_paths_pass(self):
        self.assert_problems("paths", dict(self.EXISTING, **{
            "kernel/a.c": "/* mm/paging.c and <mm/paging.c>, boot/bios/ and boot/bios/stage1.S.\n"
                          " * https://example.org/lib/gone.c, /usr/lib/grub/i386-pc/x.mod, ../lib/gone.c,\n"
                          " * build/gone.c, $(BUILD)/lib/gone.c, keel/gone.h, boot/shell-help, tools/mkimage,\n"
                          " * boot/ttt-*, drivers/<device>/, QEMU's docs/gone.txt, docs/interop/qmp-spec.txt,\n"
                          " * tests/fuzz/fuzz_NAME.c (a placeholder) */\n"
                          'const char *s = "lib/gone.c"; char q = \'"\'; // mm/paging.c\n',
            "tools/a.py": '"""tests/fuzz/fuzz_*.c"""\nPATH = "lib/gone.c"  # mm/paging.c\n',
            "Makefile": "X := lib/gone.c # mm/paging.c\n",
            "tools/a.sh": "echo 'lib/gone.c # x' # mm/paging.c\n",
            "README.md": "`mm/paging.c` and `boot/bios/`\n",
        }), [])

    def test_stale_paths_fail(self):
        self.assert_problems("paths", dict(self.EXISTING, **{
            "kernel/a.c": "char q = '\"'; /* see include/keel/layout.h\n * and lib/heap*.c */\n"
                          "int x; // drivers/gone/\n",
            "boot/a.S": "movb $'K', %al /* arch/x86_64/stacks.c */\n",
            "boot/a.ld": "/* tests/host/test_NAME.c */\n",
            "tools/a.py": '"""Module.\n\nSee tools/gone.py.\n"""\n\n\ndef f():\n    """mm/gone.c"""\n'
                          "    return 1  # lib/gone.h\n",
            "Makefile": "all: # tools/gone.sh\n",
            ".ci/run": "#!/bin/sh\n# docs/gone.md\n",
            "README.md": "text\n`kernel/apps/` here\nKeel's lib/gone1.c, the heap's lib/gone2.c\n",
        }), [
            ".ci/run:2: no such path: docs/gone.md",
            "Makefile:1: no such path: tools/gone.sh",
            "README.md:2: no such path: kernel/apps/",
            "README.md:3: no such path: lib/gone1.c",
            "README.md:3: no such path: lib/gone2.c",
            "boot/a.S:1: no such path: arch/x86_64/stacks.c",
            "boot/a.ld:1: no such path: tests/host/test_NAME.c",
            "kernel/a.c:1: no such path: include/keel/layout.h",
            "kernel/a.c:2: no such path: lib/heap*.c",
            "kernel/a.c:3: no such path: drivers/gone/",
            "tools/a.py:3: no such path: tools/gone.py",
            "tools/a.py:8: no such path: mm/gone.c",
            "tools/a.py:9: no such path: lib/gone.h",
        ])

    def test_stale_path_in_repo_copy(self):
        self.assert_reported_in_copy("paths", "lib/string.c", "/* see lib/strings_gone.c */\n",
                                     f"lib/string.c:{Format.line_count('lib/string.c') + 1}: "
                                     "no such path: lib/strings_gone.c")


class PassFailResult(unittest.TestResult):
    """Prints each case as a PASS:/FAIL: line for tests/run_all.py."""

    @staticmethod
    def name(test):
        return f"style/selftest/{type(test).__name__.lower()}-{test._testMethodName[len('test_'):]}"

    def addSuccess(self, test):
        super().addSuccess(test)
        print(f"PASS: {self.name(test)}", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print(f"FAIL: {self.name(test)}: {' '.join(str(err[1]).split())[:600]}", flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print(f"FAIL: {self.name(test)}: {err[0].__name__}: {err[1]}", flush=True)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = PassFailResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
