#!/usr/bin/env python3
"""End-to-end boot tests: boot the real images in QEMU and check what a person would see.

For the kernel ELF (QEMU -kernel, Multiboot 1) and the GRUB ISO (Multiboot 2), with -m 64M, 512M and 4G:
wait for the serial line containing "ready", read the VGA text screen (QMP pmemsave of 0xB8000) and check
  - a banner line starting with "Keel",
  - "Memory: N MiB detected" with M-2 <= N <= M for -m M (the firmware keeps a little RAM for itself; with
    -m 4G the pc machine puts 3 GiB below 4 GiB and 1 GiB above, so the usable sum is still about 4096),
  - the boot path line ("boot: Multiboot 1 via qemu" / "boot: Multiboot 2 via GRUB..."),
  - the same Memory line on serial.
With -cpu qemu32 (no long mode): the screen shows the "needs a 64-bit CPU" message, and a second later QEMU
still runs (with -no-reboot a reset or triple fault would have made it exit) and the message is still there.

Each scenario prints one line, `PASS: <name>` or `FAIL: <name>: <reason>`, in a fixed order; the exit status
is 1 if any failed. Scenarios run two at a time (TCG is CPU-bound and the machines have 2 cores).

Usage: tests/boot/run_boot_tests.py [--kernel build/kernel.elf] [--iso build/keel.iso] [-k SUBSTRING] [-j 2]
"""

import argparse
import concurrent.futures
import os
import re
import sys
import time
from dataclasses import dataclass

from keelqemu import Machine, QemuError, tail

KERNEL_READY_TIMEOUT = 20  # s: -kernel boots straight into the kernel
ISO_READY_TIMEOUT = 60  # s: SeaBIOS + GRUB menu timeout + loading from the CD under TCG
SCREEN_SETTLE_TIMEOUT = 3  # s: the screen may lag the serial line by a few writes
STILL_HALTED_DELAY = 1  # s: how long the no-long-mode machine must stay up after the message

MEMORY_SIZES_MIB = {"64M": 64, "512M": 512, "4G": 4096}
MEMORY_SLACK_MIB = 2  # what SeaBIOS/ACPI reserve below the top of RAM, plus the legacy hole below 1 MiB
MEMORY_LINE = re.compile(r"Memory: (\d+) MiB detected")
BANNER_LINE = re.compile(r"^\s*Keel\b", re.MULTILINE)
READY = "ready"
NO_LONG_MODE_MESSAGE = "Keel needs a 64-bit CPU: long mode not available"


@dataclass
class Image:
    """One bootable artifact and what its boot looks like."""
    kind: str  # "kernel" or "iso"
    path: str
    boot_args: list
    boot_line: str  # the boot path line on screen starts with this
    ready_timeout: float


@dataclass
class Scenario:
    name: str
    image: Image
    memory: str = None  # QEMU -m value; None for the no-long-mode scenario
    cpu: str = None  # QEMU -cpu model


# --- reporting ---------------------------------------------------------------------------------------------------


def one_line(lines, limit):
    """Join the last `limit` non-blank lines with ' | ' so a failure stays on one line."""
    return " | ".join(tail(lines, limit)) or "(empty)"


def context(vm):
    """Serial tail and screen text (if QEMU can still be asked) to append to a failure reason."""
    parts = [f"serial: {one_line(vm.serial_lines(), 6)}"]
    try:
        parts.append(f"screen: {one_line(vm.screen(), 12)}")
    except (QemuError, OSError):
        parts.append(vm.exit_report().replace("\n", " | "))
    return "; ".join(parts)


# --- checks ------------------------------------------------------------------------------------------------------


def memory_problem(text, expected_mib, where):
    """None if `text` has a Memory line within the allowed range, else what is wrong."""
    match = MEMORY_LINE.search(text)
    if not match:
        return f"{where}: no 'Memory: N MiB detected' line"
    detected = int(match.group(1))
    low = expected_mib - MEMORY_SLACK_MIB
    if not low <= detected <= expected_mib:
        return f"{where}: {match.group(0)}, expected {low}..{expected_mib} MiB"
    return None


def screen_problem(screen_text, scenario):
    """None if the booted screen is right, else the first thing that is wrong."""
    if not BANNER_LINE.search(screen_text):
        return "screen: no banner line starting with 'Keel'"
    problem = memory_problem(screen_text, MEMORY_SIZES_MIB[scenario.memory], "screen")
    if problem:
        return problem
    if scenario.image.boot_line not in screen_text:
        return f"screen: no '{scenario.image.boot_line}' line"
    return None


def settled_screen_problem(vm, scenario):
    """Re-read the screen for a few seconds until it is right; return the last problem (None if right)."""
    deadline = time.monotonic() + SCREEN_SETTLE_TIMEOUT
    while True:
        screen_text = "\n".join(vm.screen())
        problem = screen_problem(screen_text, scenario)
        if problem is None or time.monotonic() >= deadline:
            return problem, screen_text
        time.sleep(0.2)


def check_normal_boot(vm, scenario):
    """Ready line, then screen contents, then the serial copy of the Memory line."""
    timeout = scenario.image.ready_timeout
    if not vm.wait_serial(READY, timeout):
        status = vm.exit_status()
        if status is not None:
            return f"QEMU exited with status {status} before '{READY}' on serial"
        return f"no '{READY}' on serial within {timeout:.0f} s"
    problem, screen_text = settled_screen_problem(vm, scenario)
    if problem:
        return problem
    on_screen = MEMORY_LINE.search(screen_text).group(0)
    if on_screen not in vm.serial_text():
        return f"serial: no '{on_screen}' line (the screen has it)"
    return None


def check_no_long_mode(vm, scenario):
    """The message appears, the machine stays up (halted, not reset) and the message stays."""
    timeout = scenario.image.ready_timeout
    if not vm.wait_screen(NO_LONG_MODE_MESSAGE, timeout):
        status = vm.exit_status()
        if status is not None:
            return f"QEMU exited with status {status} (reset or triple fault?) before the message was on screen"
        return f"no '{NO_LONG_MODE_MESSAGE}' on screen within {timeout:.0f} s"
    time.sleep(STILL_HALTED_DELAY)
    if not vm.is_running():
        status = vm.exit_status()
        return f"QEMU stopped after the message (exit status {status}; reset or triple fault?)"
    if NO_LONG_MODE_MESSAGE not in "\n".join(vm.screen()):
        return f"the message left the screen within {STILL_HALTED_DELAY} s"
    return None


# --- running -----------------------------------------------------------------------------------------------------


def qemu_args(scenario):
    args = list(scenario.image.boot_args)
    if scenario.memory:
        args += ["-m", scenario.memory]
    if scenario.cpu:
        args += ["-cpu", scenario.cpu]
    return args


def run_scenario(scenario):
    """Boot one machine and check it; return the result line."""
    if not os.path.exists(scenario.image.path):
        return f"FAIL: {scenario.name}: {scenario.image.path}: no such file"
    check = check_no_long_mode if scenario.cpu else check_normal_boot
    try:
        with Machine(qemu_args(scenario), timeout=scenario.image.ready_timeout + 30) as vm:
            problem = check(vm, scenario)
            if problem:
                problem = f"{problem}; {context(vm)}"
    except QemuError as err:
        problem = str(err).replace("\n", " | ")
    return f"FAIL: {scenario.name}: {problem}" if problem else f"PASS: {scenario.name}"


def images(args):
    return [
        Image("kernel", args.kernel, ["-kernel", args.kernel], "boot: Multiboot 1 via qemu",
              KERNEL_READY_TIMEOUT),
        Image("iso", args.iso, ["-cdrom", args.iso, "-boot", "d"], "boot: Multiboot 2 via GRUB",
              ISO_READY_TIMEOUT),
    ]


def scenarios(args):
    result = []
    for image in images(args):
        for memory in MEMORY_SIZES_MIB:
            result.append(Scenario(f"boot/{image.kind}-{memory}", image, memory=memory))
        result.append(Scenario(f"boot/{image.kind}-no-long-mode", image, cpu="qemu32"))
    return [s for s in result if args.k is None or args.k in s.name]


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Boot Keel images in QEMU and check screen and serial.")
    parser.add_argument("--kernel", default="build/kernel.elf", help="kernel ELF for QEMU -kernel")
    parser.add_argument("--iso", default="build/keel.iso", help="GRUB CD image")
    parser.add_argument("-k", metavar="SUBSTRING", help="run only scenarios whose name contains this")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="machines to run at once")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    chosen = scenarios(args)
    if not chosen:
        print(f"no scenario matches -k {args.k!r}", file=sys.stderr)
        return 1
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for line in pool.map(run_scenario, chosen):  # map yields in submission order
            print(line, flush=True)
            failed += line.startswith("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
