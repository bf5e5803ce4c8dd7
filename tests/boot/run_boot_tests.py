#!/usr/bin/env python3
"""End-to-end boot tests: boot the real images in QEMU and check what a person would see.

Three boot paths: the kernel ELF (QEMU -kernel, Multiboot 1), the GRUB ISO (Multiboot 2) and the raw disk image
with Keel's own BIOS loader (build/keel.img, Multiboot 2; layout in include/keel/bootimg.h). For -m 64M, 512M,
4G and 8G on each path (and for the disk image also on q35 through AHCI and as a USB stick behind xHCI): wait for
the serial line containing "ready", read the VGA text screen (QMP pmemsave of 0xB8000) and check
  - a banner line starting with "Keel",
  - "Memory: N MiB detected" with M-2 <= N <= M for -m M (the firmware keeps a little RAM for itself; with
    -m 4G the pc machine puts 3 GiB below 4 GiB and 1 GiB above, so the usable sum is still about 4096),
  - the boot path line ("boot: Multiboot 1 via qemu" / "... via GRUB..." / "... via Keel BIOS loader"),
  - the same Memory line on serial.
boot/img-equals-grub-<M>: the Memory figure of the disk image boot equals the GRUB boot's exactly (both read
the same BIOS memory map; the results of the boots above are reused).
With -cpu qemu32 (no long mode): the screen shows the "needs a 64-bit CPU" message, and a second later QEMU
still runs (with -no-reboot a reset or triple fault would have made it exit) and the message is still there.
Damaged disk images (a copy in a temporary directory, made from the header values read here with struct):
the loader's message for that damage is on screen, and a second later QEMU still runs and shows it.
Typing (the kernel ELF, -m 128M): after "ready", keys go in through QMP send-key (real presses, Shift held
for capitals and symbols) or bytes through COM1, and the rows below the ready line must show exactly what a
person typing those keys expects (class Typist: a model of the typist, not of the kernel), with every row
below them blank, and the serial log after the ready line must hold the same echo ("\\b \\b" per erased
character):
  boot/keyboard-hello-world           "Hello, World"
  boot/keyboard-backspace-capslock    Backspace, Enter, Caps Lock with and without Shift, digits
  boot/serial-echo                    "serial ok\\r" written to COM1 (Machine(serial_input=True))
  boot/keyboard-typing-does-not-reset 200 presses as fast as QMP takes them; QEMU must still run after

Each scenario prints one line, `PASS: <name>` or `FAIL: <name>: <reason>`, in a fixed order; the exit status
is 1 if any failed. Scenarios run two at a time (TCG is CPU-bound and the machines have 2 cores).

Usage: tests/boot/run_boot_tests.py [--kernel build/kernel.elf] [--iso build/keel.iso] [--img build/keel.img]
                                    [-k SUBSTRING] [-j 2]
"""

import argparse
import concurrent.futures
import os
import re
import string
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

from damaged_images import DAMAGES, damaged_copy
from keelqemu import VGA_COLUMNS, VGA_ROWS, Machine, QemuError, qcodes_for_char, tail

KERNEL_READY_TIMEOUT = 20  # s: -kernel boots straight into the kernel
ISO_READY_TIMEOUT = 60  # s: SeaBIOS + GRUB menu timeout + loading from the CD under TCG
IMG_READY_TIMEOUT = 30  # s: SeaBIOS + Keel's loader (about 0.2 s unloaded; slack for a busy `make test`)
SCREEN_SETTLE_TIMEOUT = 3  # s: the screen may lag the serial line by a few writes
STILL_HALTED_DELAY = 1  # s: how long a machine that stopped with a message must stay up after it

MEMORY_SIZES_MIB = {"64M": 64, "512M": 512, "4G": 4096, "8G": 8192}
MEMORY_SLACK_MIB = 2  # what SeaBIOS/ACPI reserve below the top of RAM, plus the legacy hole below 1 MiB
MEMORY_LINE = re.compile(r"Memory: (\d+) MiB detected")
BANNER_LINE = re.compile(r"^\s*Keel\b", re.MULTILINE)
READY = "ready"
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


@dataclass
class Scenario:
    name: str
    image: Image
    memory: str = None  # QEMU -m value; None for the no-long-mode scenario
    cpu: str = None  # QEMU -cpu model
    damage: "Damage" = None  # boot a damaged copy of the disk image instead


@dataclass
class TypingScenario:
    """Boot the kernel ELF, wait for "ready", let `type_keys` type into it, then compare what it echoed."""
    name: str
    kernel: str
    type_keys: Callable[[Machine], "Typist"]  # types into the machine; returns the model of what was typed
    serial_input: bool = False  # COM1 must be writable
    drop_report_ok: bool = False  # an "input: N bytes dropped" line may replace the exact echo


@dataclass
class CrossCheck:
    """The Memory figures of two boots (scenario names) must be equal."""
    name: str
    first: str
    second: str


@dataclass
class Result:
    line: str  # PASS:/FAIL: line
    memory_mib: int = None  # the Memory figure the boot showed, if it got that far


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


def boot_and_check(scenario, path):
    """Boot `path` as the scenario says and check it; return (problem or None, Memory figure or None)."""
    timeout = scenario.image.ready_timeout
    figure = None
    try:
        with Machine(qemu_args(scenario, path), timeout=timeout + 30) as vm:
            if scenario.damage:
                problem = check_stopped_with(vm, scenario.damage.message, timeout)
            elif scenario.cpu:
                problem = check_stopped_with(vm, NO_LONG_MODE_MESSAGE, timeout)
            else:
                problem, figure = check_normal_boot(vm, scenario)
            if problem:
                problem = f"{problem}; {context(vm)}"
    except QemuError as err:
        problem = str(err).replace("\n", " | ")
    return problem, figure


def run_scenario(scenario):
    """Boot one machine (on a damaged copy of the image, if asked) and check it."""
    if isinstance(scenario, TypingScenario):
        return run_typing(scenario)
    path = scenario.image.path
    if not os.path.exists(path):
        return Result(f"FAIL: {scenario.name}: {path}: no such file")
    if scenario.damage:
        with tempfile.TemporaryDirectory(prefix="keel-damaged-") as directory:
            try:
                path = damaged_copy(path, scenario.damage, directory)
            except (ValueError, struct.error, IndexError) as err:
                return Result(f"FAIL: {scenario.name}: cannot damage {scenario.image.path}: {err}")
            problem, figure = boot_and_check(scenario, path)
    else:
        problem, figure = boot_and_check(scenario, path)
    line = f"FAIL: {scenario.name}: {problem}" if problem else f"PASS: {scenario.name}"
    return Result(line, figure)


# --- typing ------------------------------------------------------------------------------------------------------

TYPING_MEMORY = "128M"
ECHO_TIMEOUT = 10  # s: for the echo of everything typed to reach the screen and the serial log
TYPING_HOLD_MS = 20  # send-key hold time when typing like a person
BURST_HOLD_MS = 1  # the shortest hold send-key honours (0 means QEMU's default of 10 ms)
BURST_KEYS = 200
READY_LINE = re.compile(rf"^.*{READY}.*\n", re.MULTILINE)  # whole: typing must not start mid-line
DROPPED_LINE = re.compile(r"input: \d+ bytes dropped")
SHIFT_KEYS = {"shift", "shift_r"}
LETTER_KEYS = set(string.ascii_lowercase)
ENTER, BACKSPACE, CAPS_LOCK = ("ret",), ("backspace",), ("caps_lock",)
SERIAL_ENTER, SERIAL_BACKSPACE = "\r", "\x7f"  # what a serial terminal sends for those keys

# What each key (QEMU qcode) types on a US layout: (without Shift, with Shift).
KEY_CHARACTERS = {letter: (letter, letter.upper()) for letter in string.ascii_lowercase}
KEY_CHARACTERS.update({digit: (digit, symbol) for digit, symbol in zip("1234567890", "!@#$%^&*()")})
KEY_CHARACTERS.update({
    "spc": (" ", " "), "minus": ("-", "_"), "equal": ("=", "+"), "bracket_left": ("[", "{"),
    "bracket_right": ("]", "}"), "backslash": ("\\", "|"), "semicolon": (";", ":"), "apostrophe": ("'", '"'),
    "grave_accent": ("`", "~"), "comma": (",", "<"), "dot": (".", ">"), "slash": ("/", "?"),
})


class Typist:
    """A person at Keel's echo loop: what the keys they press should show on screen and on serial.

    Printable keys add a character to the current line; Enter starts a new line; Backspace takes back the
    last character of the current line (nothing once it is empty); Caps Lock toggles capitals for letters
    only, and Shift inverts it."""

    def __init__(self):
        self.lines = [""]  # every line typed since the ready line; the last one is where the cursor is
        self.serial = ""  # the echo on serial: '\n' for Enter, "\b \b" for each erased character
        self.caps_lock = False

    def press(self, chord):
        """Keys pressed together (qcodes), e.g. ('shift', 'h'): at most one besides Shift."""
        shift = any(key in SHIFT_KEYS for key in chord)
        (key,) = [key for key in chord if key not in SHIFT_KEYS]
        if chord == CAPS_LOCK:
            self.caps_lock = not self.caps_lock
        elif chord == ENTER:
            self._enter()
        elif chord == BACKSPACE:
            self._backspace()
        else:
            capital = shift != (self.caps_lock and key in LETTER_KEYS)
            self._type(KEY_CHARACTERS[key][capital])

    def receive(self, text):
        """Characters arriving on COM1 from a serial terminal."""
        for ch in text:
            if ch == SERIAL_ENTER:
                self._enter()
            elif ch == SERIAL_BACKSPACE:
                self._backspace()
            else:
                self._type(ch)

    def _type(self, ch):
        self.lines[-1] += ch
        self.serial += ch

    def _enter(self):
        self.lines.append("")
        self.serial += "\n"

    def _backspace(self):
        if self.lines[-1]:
            self.lines[-1] = self.lines[-1][:-1]
            self.serial += "\b \b"

    def screen_rows(self):
        """The screen rows the lines fill, each 80 characters: long lines wrap, empty ones take a row."""
        rows = []
        for line in self.lines:
            rows += [line[i:i + VGA_COLUMNS] for i in range(0, len(line), VGA_COLUMNS)] or [""]
        return [row.ljust(VGA_COLUMNS) for row in rows]


def chords(text):
    """The key chords that type ASCII `text` (shift-h for 'H', shift-1 for '!'; '\\n' is Enter)."""
    return [tuple(qcodes_for_char(ch)) for ch in text]


def press_all(vm, keys, hold_ms):
    """Press each chord through QMP send-key, in order; return the Typist who did the same."""
    typist = Typist()
    for chord in keys:
        vm.send_key(*chord, hold_time=hold_ms)
        typist.press(chord)
    return typist


def type_hello_world(vm):
    return press_all(vm, chords("Hello, World"), TYPING_HOLD_MS)


def type_backspace_capslock(vm):
    keys = (chords("Keel") + [BACKSPACE] * 2 + chords("ys") + [ENTER]  # "Keys"
            + [CAPS_LOCK] + chords("abc") + [("shift", "d")] + chords("1") + [CAPS_LOCK] + chords("e"))
    return press_all(vm, keys, TYPING_HOLD_MS)  # "ABCd1e": Shift undoes Caps Lock; digits ignore it


def type_on_serial(vm):
    text = "serial ok" + SERIAL_ENTER
    vm.serial_write(text)
    typist = Typist()
    typist.receive(text)
    return typist


def type_burst(vm):
    # 200 presses without Shift, sent back to back with the shortest hold: QMP's round trip (well under a
    # millisecond) paces them. A byte QEMU cannot fit into its own 16-byte PS/2 queue is lost without a
    # trace, and a lost Shift release would garble everything after it; plain keys keep such a loss (only
    # if the vCPU stalls for many milliseconds) to a missing character, which fails the comparison.
    line = "the quick brown fox jumps over the lazy dog 12345\n"
    text = line * (BURST_KEYS // len(line))
    assert len(text) == BURST_KEYS
    return press_all(vm, chords(text), BURST_HOLD_MS)


def typing_scenarios(args):
    return [
        TypingScenario("boot/keyboard-hello-world", args.kernel, type_hello_world),
        TypingScenario("boot/keyboard-backspace-capslock", args.kernel, type_backspace_capslock),
        TypingScenario("boot/serial-echo", args.kernel, type_on_serial, serial_input=True),
        # The kernel queues at most 256 bytes between interrupt and echo loop and says so when it had to
        # drop some ("input: N bytes dropped so far"): after a burst that report is a correct outcome too,
        # but the text after it is then unknowable, so the check becomes "the report is there, QEMU runs".
        TypingScenario("boot/keyboard-typing-does-not-reset", args.kernel, type_burst, drop_report_ok=True),
    ]


def echo_problem(vm, ready_line, typist):
    """None if the screen below the ready line and the serial log after it show what `typist` typed."""
    screen = vm.screen()
    ready_rows = max(1, -(-len(ready_line) // VGA_COLUMNS))  # a line longer than a row wraps
    starts = [row for row, text in enumerate(screen) if text.startswith(ready_line[:VGA_COLUMNS])]
    if not starts:
        return "screen: the ready line is not on screen (scrolled away?)"
    first = starts[-1] + ready_rows
    expected = typist.screen_rows()
    expected += [" " * VGA_COLUMNS] * (VGA_ROWS - first - len(expected))
    shown = screen[first:]
    if len(expected) > len(shown):
        return f"screen: {len(typist.lines)} typed lines do not fit below the ready line (row {first - 1})"
    if shown != expected:
        wrong = [row for row in range(len(shown)) if shown[row] != expected[row]]
        detail = "; ".join(f"row {first + row}: {shown[row].rstrip()!r}, expected {expected[row].rstrip()!r}"
                           for row in wrong[:3])
        return f"screen below the ready line: {detail}"
    echoed = vm.serial_text().split(ready_line + "\n", 1)[-1]
    if echoed != typist.serial:
        return f"serial after the ready line: {echoed[:120]!r}, expected {typist.serial[:120]!r}"
    return None


def drop_report_problem(vm):
    """None if the kernel's report of dropped input is on screen and on serial."""
    report = DROPPED_LINE.search(vm.serial_text())
    if not DROPPED_LINE.search("\n".join(vm.screen())):
        return f"serial says '{report.group(0)}' but the screen does not"
    return None


def check_typing(vm, scenario):
    """Ready, type, wait until the echo is right (or a drop report, where allowed); QEMU must still run."""
    if not vm.wait_serial(READY_LINE, KERNEL_READY_TIMEOUT):
        return f"no complete '{READY}' line on serial within {KERNEL_READY_TIMEOUT} s"
    ready_line = READY_LINE.search(vm.serial_text()).group(0)[:-1]
    deadline = time.monotonic() + ECHO_TIMEOUT
    try:
        typist = scenario.type_keys(vm)
        while True:
            if scenario.drop_report_ok and DROPPED_LINE.search(vm.serial_text()):
                problem = drop_report_problem(vm)
                break
            problem = echo_problem(vm, ready_line, typist)
            if problem is None or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
    except QemuError as err:  # QEMU went away under send-key or pmemsave: is_running() below says so
        problem = str(err)
    if not vm.is_running():
        status = vm.wait_exit(timeout=2)
        return f"QEMU stopped after the typing (exit status {status}; reset or triple fault?)"
    return problem


def run_typing(scenario):
    if not os.path.exists(scenario.kernel):
        return Result(f"FAIL: {scenario.name}: {scenario.kernel}: no such file")
    try:
        with Machine(["-kernel", scenario.kernel, "-m", TYPING_MEMORY],
                     timeout=KERNEL_READY_TIMEOUT + ECHO_TIMEOUT + 30,
                     serial_input=scenario.serial_input) as vm:
            problem = check_typing(vm, scenario)
            if problem:
                problem = f"{problem}; {context(vm)}"
    except QemuError as err:
        problem = str(err).replace("\n", " | ")
    return Result(f"FAIL: {scenario.name}: {problem}" if problem else f"PASS: {scenario.name}")


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


KEEL_LOADER_LINE = "boot: Multiboot 2 via Keel BIOS loader"


def images(args):
    return [
        Image("kernel", args.kernel, attach_kernel, "boot: Multiboot 1 via qemu", KERNEL_READY_TIMEOUT),
        Image("iso", args.iso, attach_cdrom, "boot: Multiboot 2 via GRUB", ISO_READY_TIMEOUT),
        Image("img", args.img, attach_ide, KEEL_LOADER_LINE, IMG_READY_TIMEOUT),
    ]


def other_buses(args):
    """(image, -m) pairs: the disk image on q35's AHCI controller and as USB mass storage (xHCI) on pc."""
    q35 = Image("img-q35", args.img, attach_ahci, KEEL_LOADER_LINE, IMG_READY_TIMEOUT)
    usb = Image("img-usb", args.img, attach_usb, KEEL_LOADER_LINE, IMG_READY_TIMEOUT)
    return [(q35, "512M"), (q35, "4G"), (usb, "512M")]


def scenarios(args):
    """All scenarios in report order: boots (Scenario, TypingScenario), then the cross-checks that reuse them."""
    result = []
    for image in images(args):
        for memory in MEMORY_SIZES_MIB:
            result.append(Scenario(f"boot/{image.kind}-{memory}", image, memory=memory))
        result.append(Scenario(f"boot/{image.kind}-no-long-mode", image, cpu="qemu32"))
    for image, memory in other_buses(args):
        result.append(Scenario(f"boot/{image.kind}-{memory}", image, memory=memory))
    img = images(args)[2]
    for damage in DAMAGES:
        result.append(Scenario(f"boot/img-{damage.name}", img, memory=DAMAGED_IMAGE_MEMORY, damage=damage))
    result += typing_scenarios(args)
    for memory in MEMORY_SIZES_MIB:
        result.append(CrossCheck(f"boot/img-equals-grub-{memory}", f"boot/img-{memory}", f"boot/iso-{memory}"))
    return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Boot Keel images in QEMU and check screen and serial.")
    parser.add_argument("--kernel", default="build/kernel.elf", help="kernel ELF for QEMU -kernel")
    parser.add_argument("--iso", default="build/keel.iso", help="GRUB CD image")
    parser.add_argument("--img", default="build/keel.img", help="raw disk image with Keel's BIOS loader")
    parser.add_argument("-k", metavar="SUBSTRING", help="run only scenarios whose name contains this")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="machines to run at once")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    everything = scenarios(args)
    chosen = [s for s in everything if args.k is None or args.k in s.name]
    if not chosen:
        print(f"no scenario matches -k {args.k!r}", file=sys.stderr)
        return 1
    boots = [s for s in chosen if not isinstance(s, CrossCheck)]
    checks = [c for c in chosen if isinstance(c, CrossCheck)]
    # Boots a chosen cross-check needs but -k left out run too, without a line of their own.
    needed = {name for c in checks for name in (c.first, c.second)} - {s.name for s in boots}
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
        line = check_cross(check, results)
        print(line, flush=True)
        failed += line.startswith("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
