#!/usr/bin/env python3
"""Measure how long each of Keel's boot paths takes to get from QEMU's start to the kernel's "ready" line.

The five paths (files from --build):
    kernel    -kernel kernel.elf                 QEMU's own Multiboot 1 loader
    iso       -cdrom keel.iso -boot d            SeaBIOS, GRUB, Multiboot 2
    img       -drive file=keel.img,format=raw    SeaBIOS, Keel's BIOS loader, Multiboot 2
    uefi_img  keel.img under OVMF                Keel's UEFI loader from the image's ESP
    uefi_iso  keel.iso under OVMF                GRUB-EFI, Multiboot 2
All with -m 256M, like `make run`. The clock starts just before QEMU is spawned (keelqemu.Machine, started by
hand) and stops when a thread polling the serial log every millisecond first sees the line containing "ready",
so neither QMP's connection nor keelqemu's 50 ms polling delays the measurement.

What keeps the figures comparable on a shared, noisy machine:
  - Rounds: each round boots every path once, one machine at a time (they would compete for the CPU
    otherwise), so a change in the machine's load falls on all paths alike instead of on whichever path was
    being measured when it came; the ratios are of medians over the same rounds.
  - The first boot option: QEMU's pc machine always has a CD-ROM drive, and OVMF tries CD-ROMs before hard
    disks. With keel.iso in the drive that costs GRUB nothing, but with keel.img OVMF first fails on the empty
    drive, which cost the disk up to a second more of firmware time. So under OVMF the disk gets
    bootindex=0, on the IDE bus and unit a plain -drive gives it: each medium is what the firmware boots
    first.
  - The firmware's share: OVMF prints "BdsDxe: starting Boot####" on the serial line when it starts the
    boot option, so for the UEFI paths the time from there to "ready" (the loader, then the kernel) is
    measured as well, apart from the seconds of OVMF before it, which vary most from boot to boot.

stdout holds only `name: value` lines, for each path:
    boot_to_ready_<path>_ms: <median>    boot_to_ready_<path>_min_ms: ...    boot_to_ready_<path>_max_ms: ...
for the UEFI paths also loader_to_ready_<path>_ms (median, from OVMF's "starting" to "ready"), and the same-run
ratios boot_to_ready_img_over_kernel_ratio, boot_to_ready_uefi_img_over_grub_efi_ratio and
loader_to_ready_uefi_img_over_grub_efi_ratio. Progress goes to stderr. The exit status is 1 only if a boot
failed outright (no "ready" in time, QEMU error).

Usage: tools/bench_boot.py [--build build] [--runs 7] [--timeout 60]
"""

import argparse
import os
import re
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))

from keelqemu import OVMF, Machine, QemuError  # noqa: E402  (found through the path above)

# As a word: the BIOS loader's "A20: already enabled" comes long before the kernel is ready.
READY = re.compile(r"\bready\b")
# OVMF's boot manager (MdeModulePkg BdsDxe) when it starts the boot option: the firmware's work is done.
FIRMWARE_DONE = re.compile(r"BdsDxe: starting Boot")
MEMORY = "256M"
SERIAL_POLL = 0.001  # s: resolution of the measurement
MIN_RUNS = 5  # fewer makes the median little better than a single sample
DEFAULT_RUNS = 7  # OVMF alone varies by seconds on a busy machine


def first_boot_disk(image):
    """A raw disk image where a plain -drive puts it (IDE primary master), as the firmware's first boot
    option."""
    return ["-drive", f"file={image},format=raw,if=none,id=bootdisk",
            "-device", "ide-hd,drive=bootdisk,bus=ide.0,unit=0,bootindex=0"]


def boot_paths(build):
    """(name, QEMU arguments) of each boot path."""
    img = os.path.join(build, "keel.img")
    iso = os.path.join(build, "keel.iso")
    return [
        ("kernel", ["-kernel", os.path.join(build, "kernel.elf")]),
        ("iso", ["-cdrom", iso, "-boot", "d"]),
        ("img", ["-drive", f"file={img},format=raw"]),
        ("uefi_img", ["-bios", OVMF, *first_boot_disk(img)]),
        ("uefi_iso", ["-bios", OVMF, "-cdrom", iso]),  # CD-ROMs come first anyway
    ]


class ReadyWatch(threading.Thread):
    """Polls a machine's serial log from before QEMU starts: `seen_at` is when READY first appeared,
    `firmware_done_at` when FIRMWARE_DONE did (None if it never did)."""

    def __init__(self, vm):
        super().__init__(daemon=True)
        self.vm = vm
        self.seen_at = None
        self.firmware_done_at = None
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            text = self.vm.serial_text()
            if self.firmware_done_at is None and FIRMWARE_DONE.search(text):
                self.firmware_done_at = time.monotonic()
            if READY.search(text):
                self.seen_at = time.monotonic()
                return
            time.sleep(SERIAL_POLL)


def time_one_boot(args, timeout):
    """(ms from QEMU's start to READY, ms from FIRMWARE_DONE to READY or None) of one boot; raise QemuError
    if READY never comes."""
    vm = Machine(args + ["-m", MEMORY], timeout=timeout + 10, debug_exit=False, start=False)
    watch = ReadyWatch(vm)
    try:
        watch.start()
        started = time.monotonic()
        vm.start()
        deadline = started + timeout
        while watch.is_alive() and vm.exit_status() is None and time.monotonic() < deadline:
            watch.join(0.05)
        watch.join(0.05)  # QEMU may have exited just after writing the line
        if watch.seen_at is None:
            raise QemuError(f"no '{READY.pattern}' on serial within {timeout:.0f} s; {vm.exit_report()}")
        after_firmware = None
        if watch.firmware_done_at is not None:
            after_firmware = (watch.seen_at - watch.firmware_done_at) * 1000
        return (watch.seen_at - started) * 1000, after_firmware
    finally:
        watch.stop.set()
        vm.close()


def run_rounds(paths, runs, timeout):
    """Boot every path once per round, `runs` rounds; return {name: [(total, after firmware), ...]} of
    the paths that never failed (a failed path is dropped and reported on stderr)."""
    samples = {name: [] for name, _ in paths}
    for run in range(1, runs + 1):
        for name, args in paths:
            if name not in samples:
                continue
            try:
                sample = time_one_boot(args, timeout)
            except QemuError as err:
                print(f"{name}: run {run} failed: {err}", file=sys.stderr)
                del samples[name]
                continue
            samples[name].append(sample)
            print(f"{name}: run {run}/{runs}: {sample[0]:.0f} ms", file=sys.stderr, flush=True)
    return samples


def report(name, samples):
    """Print a path's lines; return (median to ready, median after the firmware or None)."""
    totals = [total for total, _ in samples]
    print(f"boot_to_ready_{name}_ms: {statistics.median(totals):.0f}")
    print(f"boot_to_ready_{name}_min_ms: {min(totals):.0f}")
    print(f"boot_to_ready_{name}_max_ms: {max(totals):.0f}")
    after = [a for _, a in samples if a is not None]
    loader = statistics.median(after) if len(after) == len(samples) else None
    if loader is not None:
        print(f"loader_to_ready_{name}_ms: {loader:.0f}")
    return statistics.median(totals), loader


# Same-run ratios: Keel's BIOS loader against QEMU's -kernel, Keel's UEFI loader against GRUB-EFI
# (from QEMU's start, and from the firmware's hand-over).
RATIOS = [("boot_to_ready_img_over_kernel_ratio", "img", "kernel", 0),
          ("boot_to_ready_uefi_img_over_grub_efi_ratio", "uefi_img", "uefi_iso", 0),
          ("loader_to_ready_uefi_img_over_grub_efi_ratio", "uefi_img", "uefi_iso", 1)]


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Time Keel's boot paths from QEMU start to 'ready'.")
    parser.add_argument("--build", default="build", help="directory with kernel.elf, keel.iso, keel.img")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help=f"rounds of boots (at least {MIN_RUNS})")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for 'ready' per boot")
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}")
    return args


def main(argv):
    args = parse_args(argv)
    paths = boot_paths(args.build)
    samples = run_rounds(paths, args.runs, args.timeout)
    medians = {name: report(name, samples[name]) for name, _ in paths if name in samples}
    sys.stdout.flush()
    for ratio, numerator, denominator, which in RATIOS:
        if numerator in medians and denominator in medians:
            top, bottom = medians[numerator][which], medians[denominator][which]
            if top is not None and bottom:
                print(f"{ratio}: {top / bottom:.2f}")
    return 0 if len(medians) == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
