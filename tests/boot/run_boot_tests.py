#!/usr/bin/env python3
"""End-to-end boot tests: boot the real images in QEMU and check what a person would see.

Three boot paths: the kernel ELF (QEMU -kernel, Multiboot 1), the GRUB ISO (Multiboot 2) and the raw disk image
with Keel's own BIOS loader (build/keel.img, Multiboot 2; layout in boot/bios/bootimg.h). For -m 64M, 512M,
4G and 8G on each path (and for the disk image also on q35 through AHCI and as a USB stick behind xHCI): wait for
the serial line containing "ready", read the VGA text screen (QMP pmemsave of 0xB8000) and check
  - a banner line starting with "Keel",
  - "Memory: N MiB detected" with M-2 <= N <= M for -m M (the firmware keeps a little RAM for itself; with
    -m 4G the pc machine puts 3 GiB below 4 GiB and 1 GiB above, so the usable sum is still about 4096),
  - the boot path line ("boot: Multiboot 1 via qemu" / "... via GRUB..." / "... via Keel BIOS loader"),
  - the same Memory line on serial.
Under UEFI (OVMF as the firmware): keel.img through Keel's UEFI loader on pc and q35 at 512M, 1G and 4G, and
keel.iso through GRUB-EFI at 512M and 4G; the screen is the framebuffer, read with QMP screendump and decoded
cell by cell against the build's font (fbscreen.py), and the same banner, Memory (within 12 MiB: OVMF keeps
its runtime memory) and boot-line checks run on it. boot/uefi-img-equals-grub-efi-<M>: both loaders hand
over OVMF's memory map, so the figures are equal.
boot/img-equals-grub-<M>: the Memory figure of the disk image boot equals the GRUB boot's exactly (both read
the same BIOS memory map; the results of the boots above are reused).
boot/<path>-initrd (kernel, iso, img, img-q35, img-usb, uefi-img, uefi-img-q35, uefi-iso): every boot of that
path above handed the kernel the ramdisk (--initrd, by default initrd.tar beside the kernel; the -kernel boots
get it through keelqemu): its serial log has one line "module: 0xS-0xE (N KiB) <string>" whose range is the
ramdisk's size, N that size in KiB rounded up, the string "initrd" (the path QEMU was given, for -kernel), and
guest memory from S to E (QMP pmemsave, read while the kernel runs) holds the ramdisk's bytes. Checked on the
boots above, no boot of its own.
With -cpu qemu32 (no long mode): the screen shows the "needs a 64-bit CPU" message, and a second later QEMU
still runs (with -no-reboot a reset or triple fault would have made it exit) and the message is still there.
Damaged disk images (a copy in a temporary directory, made from the header values read here with struct):
the loader's message for that damage is on screen, and a second later QEMU still runs and shows it.
The shell (the kernel ELF, -m 128M; boot/keyboard-*, boot/serial-*, boot/shell-*, boot/ttt-*, boot/threads-*): each
scenario boots to the prompt and is played like a person would, keys through QMP send-key (real presses,
Shift held for capitals and symbols) or bytes through COM1, and compares the whole VGA screen with what that
person expects (typist.Typist, a model of the person and of the documented shell, not of the kernel), the
serial log as a terminal emulator shows it (terminal.py) with the same rows, and the two devices with each
other (session.py). Under OVMF, keel.img through Keel's UEFI loader (pc, -m 512M) plays the same on the
framebuffer (decoded as above, 160x50 cells): boot/uefi-shell-help, boot/uefi-ttt-computer and
boot/uefi-ttt-two-player-win. What each scenario types and checks: typist.py (the keyboard and serial echo),
input_scenarios.py (pastes and key bursts faster than the shell echoes them: nothing lost),
shell_scenarios.py (help, echo, unknown commands, history and editing, the line limit, panic, reboot,
shutdown on pc and q35, a session over COM1), ttt_scenarios.py (tic-tac-toe for two players and against
the computer, the shell's screen given back exactly, the game on a serial terminal) and thread_scenarios.py
(`ps`, `spawn`, `kill`, the clock demo, typing and the game with CPU-bound threads running), and
smp_scenarios.py (1 to 8 CPUs on pc and q35 under multi-threaded TCG: all online, a program and the game).

Each scenario prints one line, `PASS: <name>` or `FAIL: <name>: <reason>`, in a fixed order; the exit status
is 1 if any failed. Scenarios run two at a time (TCG is CPU-bound and the machines have 2 cores).

Usage: tests/boot/run_boot_tests.py [--kernel build/kernel.elf] [--iso build/keel.iso] [--img build/keel.img]
                                    [-k SUBSTRING] [-j 2]
"""

import argparse
import concurrent.futures
import os
import re
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

from damaged_images import DAMAGES, damaged_copy
from fbscreen import FramebufferMachine, build_font_path
from input_scenarios import input_scenarios
from keelqemu import OVMF, Machine, QemuError, ramdisk_beside
from session import (KERNEL_READY_TIMEOUT, READY, SCREEN_SETTLE_TIMEOUT, UEFI_READY_TIMEOUT, context,
                     run_shell_scenario)
from shell_scenarios import shell_scenarios, uefi_shell_scenarios
from program_scenarios import program_scenarios
from smp_scenarios import smp_scenarios
from thread_scenarios import thread_scenarios
from ttt_scenarios import ttt_scenarios, uefi_ttt_scenarios
from typist import ShellScenario, typing_scenarios

ISO_READY_TIMEOUT = 60  # s: SeaBIOS + GRUB menu timeout + loading from the CD under TCG
IMG_READY_TIMEOUT = 30  # s: SeaBIOS + Keel's loader (about 0.2 s unloaded; slack for a busy `make test`)
STILL_HALTED_DELAY = 1  # s: how long a machine that stopped with a message must stay up after it

MEMORY_SIZES_MIB = {"64M": 64, "512M": 512, "1G": 1024, "4G": 4096, "8G": 8192}
BIOS_MEMORY_SIZES = ("64M", "512M", "4G", "8G")
UEFI_MEMORY_SIZES = ("512M", "1G", "4G")
MEMORY_SLACK_MIB = 2  # what SeaBIOS/ACPI reserve below the top of RAM, plus the legacy hole below 1 MiB
# OVMF keeps its runtime services, ACPI tables and NVS variables in RAM: 6 MiB at 512M and 1G, here.
UEFI_MEMORY_SLACK_MIB = 12
MEMORY_LINE = re.compile(r"Memory: (\d+) MiB detected")
MODULE_LINE = re.compile(r"^module: 0x([0-9a-f]+)-0x([0-9a-f]+) \((\d+) KiB\) (.*?)\s*$", re.MULTILINE)
RAMDISK_STRING = "initrd"  # the module string GRUB (grub.cfg) and Keel's loaders give the ramdisk
BANNER_LINE = re.compile(r"^\s*Keel\b", re.MULTILINE)
NO_LONG_MODE_MESSAGE = "Keel needs a 64-bit CPU: long mode not available"
DAMAGED_IMAGE_MEMORY = "64M"  # the loader stops long before memory size matters


@dataclass
class Image:
    """One bootable artifact, how QEMU is given it, and what its boot looks like."""
    kind: str  # "kernel", "iso" or "img" (disk image, possibly on another bus: "img-q35", "img-usb")
    path: str
    attach: Callable[[str], list]  # the QEMU arguments that boot the file at the given path
    boot_line: str  # the boot path line on screen starts with this
    ready_timeout: float
    uefi: bool = False  # OVMF as the firmware: the screen is a framebuffer, decoded against the font
    memory_slack: int = MEMORY_SLACK_MIB
    module_string: str = RAMDISK_STRING  # what the kernel's module line must end with


@dataclass
class Scenario:
    name: str
    image: Image
    memory: str = None  # QEMU -m value; None for the no-long-mode scenario
    cpu: str = None  # QEMU -cpu model
    damage: "Damage" = None  # boot a damaged copy of the disk image instead


@dataclass
class CrossCheck:
    """The Memory figures of two boots (scenario names) must be equal."""
    name: str
    first: str
    second: str


@dataclass
class ModuleCheck:
    """Every boot named in `boots` handed over the ramdisk, as its module check found."""
    name: str
    boots: list


@dataclass
class Result:
    line: str  # PASS:/FAIL: line
    memory_mib: int = None  # the Memory figure the boot showed, if it got that far
    module_checked: bool = False  # the boot got far enough for its module check
    module_problem: str = None  # what that check found wrong (None: nothing)


# --- checks ------------------------------------------------------------------------------------------------------


def memory_problem(text, expected_mib, where, slack=MEMORY_SLACK_MIB):
    """None if `text` has a Memory line within the allowed range, else what is wrong."""
    match = MEMORY_LINE.search(text)
    if not match:
        return f"{where}: no 'Memory: N MiB detected' line"
    detected = int(match.group(1))
    low = expected_mib - slack
    if not low <= detected <= expected_mib:
        return f"{where}: {match.group(0)}, expected {low}..{expected_mib} MiB"
    return None


def screen_problem(screen_text, scenario):
    """None if the booted screen is right, else the first thing that is wrong."""
    if not BANNER_LINE.search(screen_text):
        return "screen: no banner line starting with 'Keel'"
    problem = memory_problem(screen_text, MEMORY_SIZES_MIB[scenario.memory], "screen",
                             scenario.image.memory_slack)
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
    """Ready line, then screen contents, then the serial copy of the Memory line; (problem, Memory figure)."""
    timeout = scenario.image.ready_timeout
    if not vm.wait_serial(READY, timeout):
        status = vm.exit_status()
        if status is not None:
            return f"QEMU exited with status {status} before '{READY}' on serial", None
        return f"no '{READY}' on serial within {timeout:.0f} s", None
    problem, screen_text = settled_screen_problem(vm, scenario)
    on_screen = MEMORY_LINE.search(screen_text)
    figure = int(on_screen.group(1)) if on_screen else None
    if problem:
        return problem, figure
    if on_screen.group(0) not in vm.serial_text():
        return f"serial: no '{on_screen.group(0)}' line (the screen has it)", figure
    return None, figure


def module_problem(vm, image):
    """None if serial has the one module line of the ramdisk and guest memory holds its bytes there."""
    lines = MODULE_LINE.findall(vm.serial_text())
    if len(lines) != 1:
        return f"serial: {len(lines)} 'module: 0x...' lines, expected 1 (the ramdisk)"
    first, last, kib, string = int(lines[0][0], 16), int(lines[0][1], 16), int(lines[0][2]), lines[0][3]
    size, expected_kib = last + 1 - first, (len(RAMDISK) + 1023) // 1024
    if size != len(RAMDISK) or kib != expected_kib:
        return f"serial: a module of {size} bytes ({kib} KiB); the ramdisk has {len(RAMDISK)} ({expected_kib} KiB)"
    if string != image.module_string:
        return f"serial: module string {string!r}, expected {image.module_string!r}"
    if vm.read_physical(first, size) != RAMDISK:
        return f"guest memory {first:#x}-{last:#x} is not the ramdisk"
    return None


def check_stopped_with(vm, message, timeout):
    """`message` appears on screen, the machine stays up (halted, not reset) and the message stays."""
    if not vm.wait_screen(message, timeout):
        status = vm.exit_status()
        if status is not None:
            return f"QEMU exited with status {status} (reset or triple fault?) before '{message}' was on screen"
        return f"no '{message}' on screen within {timeout:.0f} s"
    time.sleep(STILL_HALTED_DELAY)
    if not vm.is_running():
        status = vm.exit_status()
        return f"QEMU stopped after the message (exit status {status}; reset or triple fault?)"
    if message not in "\n".join(vm.screen()):
        return f"the message left the screen within {STILL_HALTED_DELAY} s"
    return None


def check_modules(check, results):
    """The result line of a ModuleCheck, from the module checks of the boots it names."""
    for name in check.boots:
        result = results[name]
        if not result.module_checked:
            why = result.line.split(": ", 2)[-1]
            return f"FAIL: {check.name}: {name} did not get to its module check: {why}"
        if result.module_problem:
            return f"FAIL: {check.name}: {name}: {result.module_problem}"
    return f"PASS: {check.name}"


def needs(check):
    """The boots a CrossCheck or ModuleCheck reads the results of."""
    return check.boots if isinstance(check, ModuleCheck) else [check.first, check.second]


def check_cross(check, results):
    """The result line of a CrossCheck, from the results of the boots it compares."""
    figures = []
    for name in (check.first, check.second):
        result = results[name]
        if result.memory_mib is None:
            why = result.line.split(": ", 2)[-1]  # the reason from that boot's FAIL line
            return f"FAIL: {check.name}: no Memory figure from {name}: {why}"
        figures.append(result.memory_mib)
    if figures[0] != figures[1]:
        return (f"FAIL: {check.name}: {check.first} shows {figures[0]} MiB, "
                f"{check.second} shows {figures[1]} MiB")
    return f"PASS: {check.name}"


# --- running -----------------------------------------------------------------------------------------------------


def qemu_args(scenario, path):
    args = scenario.image.attach(path)
    if scenario.memory:
        args += ["-m", scenario.memory]
    if scenario.cpu:
        args += ["-cpu", scenario.cpu]
    return args


def boot_and_check(scenario, path, result):
    """Boot `path` as the scenario says and check it; return (problem or None, Memory figure or None).
    A normal boot that got to ready also has its module check, recorded in `result`."""
    timeout = scenario.image.ready_timeout
    figure = None
    try:
        if scenario.image.uefi:
            machine = FramebufferMachine(qemu_args(scenario, path), FONT_PATH, timeout=timeout + 30)
        else:
            machine = Machine(qemu_args(scenario, path), timeout=timeout + 30)
        with machine as vm:
            if scenario.damage:
                problem = check_stopped_with(vm, scenario.damage.message, timeout)
            elif scenario.cpu:
                problem = check_stopped_with(vm, NO_LONG_MODE_MESSAGE, timeout)
            else:
                problem, figure = check_normal_boot(vm, scenario)
                if figure is not None:
                    result.module_problem = module_problem(vm, scenario.image)
                    result.module_checked = True
            if problem:
                problem = f"{problem}; {context(vm)}"
    except QemuError as err:
        problem = str(err).replace("\n", " | ")
    return problem, figure


def run_scenario(scenario):
    """Boot one machine (on a damaged copy of the image, if asked) and check it."""
    if isinstance(scenario, ShellScenario):
        return Result(run_shell_scenario(scenario))
    path = scenario.image.path
    if not os.path.exists(path):
        return Result(f"FAIL: {scenario.name}: {path}: no such file")
    result = Result("")
    if scenario.damage:
        with tempfile.TemporaryDirectory(prefix="keel-damaged-") as directory:
            try:
                path = damaged_copy(path, scenario.damage, directory)
            except (ValueError, struct.error, IndexError) as err:
                return Result(f"FAIL: {scenario.name}: cannot damage {scenario.image.path}: {err}")
            problem, result.memory_mib = boot_and_check(scenario, path, result)
    else:
        problem, result.memory_mib = boot_and_check(scenario, path, result)
    result.line = f"FAIL: {scenario.name}: {problem}" if problem else f"PASS: {scenario.name}"
    return result


# --- images ------------------------------------------------------------------------------------------------------


def drive(path, *options):
    # snapshot=on: writes go to a temporary overlay, so the image is never changed and several machines can
    # share it (QEMU would otherwise refuse a second writer's lock).
    return ",".join([f"file={path}", "format=raw", "snapshot=on", *options])


def attach_kernel(path):
    return ["-kernel", path]


def attach_cdrom(path):
    return ["-cdrom", path, "-boot", "d"]


def attach_ide(path):
    return ["-drive", drive(path)]  # pc: the first IDE disk


def attach_ahci(path):
    return ["-machine", "q35", "-drive", drive(path)]  # q35: the first SATA port of its AHCI controller


def attach_usb(path):
    return ["-device", "qemu-xhci", "-drive", drive(path, "if=none", "id=usbdisk"),
            "-device", "usb-storage,drive=usbdisk,bootindex=0"]


def attach_uefi(attach):
    """The same attachment with OVMF (UEFI) as the firmware instead of SeaBIOS."""
    return lambda path: ["-bios", OVMF, *attach(path)]


KEEL_LOADER_LINE = "boot: Multiboot 2 via Keel BIOS loader"
KEEL_UEFI_LOADER_LINE = "boot: Multiboot 2 via Keel UEFI loader"
FONT_PATH = None  # the build's font file (main() asks make), for decoding framebuffer screens
RAMDISK = None  # the bytes of the ramdisk every boot must hand over (main() reads --initrd)


def images(args):
    return [
        Image("kernel", args.kernel, attach_kernel, "boot: Multiboot 1 via qemu", KERNEL_READY_TIMEOUT,
              module_string=ramdisk_beside(args.kernel)),  # QEMU's string for a module: its -initrd
        Image("iso", args.iso, attach_cdrom, "boot: Multiboot 2 via GRUB", ISO_READY_TIMEOUT),
        Image("img", args.img, attach_ide, KEEL_LOADER_LINE, IMG_READY_TIMEOUT),
    ]


def other_buses(args):
    """(image, -m) pairs: the disk image on q35's AHCI controller and as USB mass storage (xHCI) on pc."""
    q35 = Image("img-q35", args.img, attach_ahci, KEEL_LOADER_LINE, IMG_READY_TIMEOUT)
    usb = Image("img-usb", args.img, attach_usb, KEEL_LOADER_LINE, IMG_READY_TIMEOUT)
    return [(q35, "512M"), (q35, "4G"), (usb, "512M")]


def uefi_images(args):
    """(image, memory sizes) booted under OVMF: keel.img's ESP on pc (IDE) and q35 (AHCI), keel.iso's GRUB-EFI."""
    def uefi(kind, path, attach, line):
        return Image(kind, path, attach_uefi(attach), line, UEFI_READY_TIMEOUT, uefi=True,
                     memory_slack=UEFI_MEMORY_SLACK_MIB)
    return [(uefi("uefi-img", args.img, attach_ide, KEEL_UEFI_LOADER_LINE), UEFI_MEMORY_SIZES),
            (uefi("uefi-img-q35", args.img, attach_ahci, KEEL_UEFI_LOADER_LINE), UEFI_MEMORY_SIZES),
            (uefi("uefi-iso", args.iso, attach_cdrom, "boot: Multiboot 2 via GRUB"), ("512M", "4G"))]


def scenarios(args):
    """All scenarios in report order: boots (Scenario, ShellScenario), then the cross-checks that reuse them."""
    result = []
    for image in images(args):
        for memory in BIOS_MEMORY_SIZES:
            result.append(Scenario(f"boot/{image.kind}-{memory}", image, memory=memory))
        result.append(Scenario(f"boot/{image.kind}-no-long-mode", image, cpu="qemu32"))
    for image, sizes in uefi_images(args):
        for memory in sizes:
            result.append(Scenario(f"boot/{image.kind}-{memory}", image, memory=memory))
    result += uefi_shell_scenarios(args.img, FONT_PATH) + uefi_ttt_scenarios(args.img, FONT_PATH)
    for image, memory in other_buses(args):
        result.append(Scenario(f"boot/{image.kind}-{memory}", image, memory=memory))
    img = images(args)[2]
    for damage in DAMAGES:
        result.append(Scenario(f"boot/img-{damage.name}", img, memory=DAMAGED_IMAGE_MEMORY, damage=damage))
    result += typing_scenarios(args.kernel) + input_scenarios(args.kernel) + shell_scenarios(args.kernel)
    result += ttt_scenarios(args.kernel) + thread_scenarios(args.kernel)
    result += program_scenarios(args.kernel, ramdisk_beside(args.kernel))
    result += smp_scenarios(args.kernel, ramdisk_beside(args.kernel))
    for memory in BIOS_MEMORY_SIZES:
        result.append(CrossCheck(f"boot/img-equals-grub-{memory}", f"boot/img-{memory}", f"boot/iso-{memory}"))
    for memory in ("512M", "4G"):  # both loaders hand over OVMF's own memory map
        result.append(CrossCheck(f"boot/uefi-img-equals-grub-efi-{memory}", f"boot/uefi-img-{memory}",
                                 f"boot/uefi-iso-{memory}"))
    boots_by_path = {}
    for scenario in result:
        if isinstance(scenario, Scenario) and scenario.memory and not scenario.damage:
            boots_by_path.setdefault(scenario.image.kind, []).append(scenario.name)
    for kind, boots in boots_by_path.items():
        result.append(ModuleCheck(f"boot/{kind}-initrd", boots))
    return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Boot Keel images in QEMU and check screen and serial.")
    parser.add_argument("--kernel", default="build/kernel.elf", help="kernel ELF for QEMU -kernel")
    parser.add_argument("--iso", default="build/keel.iso", help="GRUB CD image")
    parser.add_argument("--img", default="build/keel.img", help="raw disk image with Keel's BIOS loader")
    parser.add_argument("--initrd", help="the ramdisk the images hand over (default: initrd.tar beside the kernel)")
    parser.add_argument("-k", metavar="SUBSTRING", help="run only scenarios whose name contains this")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="machines to run at once")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    global FONT_PATH, RAMDISK
    FONT_PATH = build_font_path()
    try:
        with open(args.initrd or ramdisk_beside(args.kernel), "rb") as f:
            RAMDISK = f.read()
    except OSError as err:
        RAMDISK = b""  # every module check then fails, naming the sizes
        print(f"warning: no ramdisk to compare with: {err}", file=sys.stderr)
    everything = scenarios(args)
    chosen = [s for s in everything if args.k is None or args.k in s.name]
    if not chosen:
        print(f"no scenario matches -k {args.k!r}", file=sys.stderr)
        return 1
    boots = [s for s in chosen if not isinstance(s, (CrossCheck, ModuleCheck))]
    checks = [c for c in chosen if isinstance(c, (CrossCheck, ModuleCheck))]
    # Boots a chosen check needs but -k left out run too, without a line of their own.
    needed = {name for c in checks for name in needs(c)} - {s.name for s in boots}
    hidden = [s for s in everything if s.name in needed]
    results = {}
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = boots + hidden
        for scenario, result in zip(runs, pool.map(run_scenario, runs)):  # map yields in submission order
            results[scenario.name] = result
            if scenario.name not in needed:
                print(result.line, flush=True)
                failed += result.line.startswith("FAIL")
    for check in checks:
        line = check_modules(check, results) if isinstance(check, ModuleCheck) else check_cross(check, results)
        print(line, flush=True)
        failed += line.startswith("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
