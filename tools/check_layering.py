#!/usr/bin/env python3
"""check_layering: the #include lines keep the layering rules of Keel's source tree.

Each rule names the files it covers (by folder) and the headers they must not include; a header is
named by its path from the top, as in `#include <mm/layout.h>`. The rules (../shared/DESIGN.md):

  lib/ includes only lib/, the system-call ABI (<keel/syscall.h>: numbers, error numbers, no code) and the
  compiler's own headers (stdint.h, stddef.h, stdbool.h, stdarg.h, limits.h): lib/ is generic freestanding
  code that any subsystem, the loaders, the user runtime and the host tests use.
  user/ (programs in ring 3) includes only user/, lib/, the heap (mm/heap/), the game's rules (apps/ttt/ttt.h),
  the ABI and compiler headers: nothing that only the kernel can run.
  mm/ knows no device: nothing from drivers/, and from kernel/ only panic.h, console.h, spinlock.h.
  drivers/ call nothing in kernel/ but its spinlock (kernel/spinlock.h).
  arch/ holds no policy: nothing from drivers/acpi/ (ACPI power-off belongs to drivers/acpi).
  Only boot/ reads loader structures: boot/multiboot/multiboot.h and the boot/bios/, boot/loader/ and boot/uefi/
  headers are included from boot/ alone (and from tests/ and tools/, which test and build the loader).
  Every header is included by its path from the top in angle brackets, never "relative.h".

Prints `file:line: rule (the include)` for each include that breaks a rule; exit status 1 if any.
Usage: tools/check_layering.py [--root DIR]
"""

import re
import sys

import check_common

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
COMPILER_HEADERS = {"stdint.h", "stddef.h", "stdbool.h", "stdarg.h", "limits.h"}
MM_KERNEL_HEADERS = {"kernel/panic.h", "kernel/console.h", "kernel/spinlock.h"}
DRIVER_KERNEL_HEADERS = {"kernel/spinlock.h"}


ABI_FOLDER = "keel/"  # include/keel/, found through -Iinclude
USER_FOLDERS = ("user/", "lib/", "mm/heap/", ABI_FOLDER)
USER_HEADERS = {"apps/ttt/ttt.h"}


def under(path, *folders):
    return any(path.startswith(folder) for folder in folders)


LOADER_HEADER_FOLDERS = ("boot/bios/", "boot/loader/", "boot/uefi/")


def is_loader_header(header):
    return header == "boot/multiboot/multiboot.h" or (header.startswith(LOADER_HEADER_FOLDERS)
                                                      and header.endswith(".h"))


# (rule, does it cover this file?, does this include break it?)
RULES = [
    ("lib/ includes only lib/ and compiler headers",
     lambda path: under(path, "lib/"),
     lambda header: not under(header, "lib/", ABI_FOLDER) and header not in COMPILER_HEADERS),
    ("user/ includes only user/, lib/, mm/heap/, apps/ttt/ttt.h, keel/ and compiler headers",
     lambda path: under(path, "user/"),
     lambda header: not under(header, *USER_FOLDERS) and header not in USER_HEADERS | COMPILER_HEADERS),
    ("mm/ includes nothing from drivers/",
     lambda path: under(path, "mm/"),
     lambda header: under(header, "drivers/")),
    ("mm/ includes from kernel/ only " + ", ".join(sorted(MM_KERNEL_HEADERS)),
     lambda path: under(path, "mm/"),
     lambda header: under(header, "kernel/") and header not in MM_KERNEL_HEADERS),
    ("drivers/ include nothing from kernel/ but " + ", ".join(sorted(DRIVER_KERNEL_HEADERS)),
     lambda path: under(path, "drivers/"),
     lambda header: under(header, "kernel/") and header not in DRIVER_KERNEL_HEADERS),
    ("arch/ includes nothing from drivers/acpi/",
     lambda path: under(path, "arch/"),
     lambda header: under(header, "drivers/acpi/")),
    ("only boot/ (and tests/, tools/) includes loader headers",
     lambda path: not under(path, "boot/", "tests/", "tools/"),
     is_loader_header),
]


def includes(text):
    """(line number, bracket, header) of each #include line."""
    for number, line in enumerate(text.splitlines(), 1):
        match = INCLUDE.match(line)
        if match:
            yield number, match.group(1), match.group(2).strip()


def check(root):
    problems = []
    for path in check_common.tree_files(root, ["*.c", "*.h", "*.S"]):
        for number, bracket, header in includes(check_common.read_text(root, path)):
            if bracket == '"':
                problems.append((path, number, f'headers are included as <path/from/top.h> ("{header}")'))
            for rule, covers, breaks in RULES:
                if covers(path) and breaks(header):
                    problems.append((path, number, f"{rule} (<{header}>)"))
    return problems


if __name__ == "__main__":
    sys.exit(check_common.main("Check the layering rules of the #include lines.", check))
