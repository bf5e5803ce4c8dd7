#!/usr/bin/env python3
"""Measure how long each of Keel's boot paths takes to get from QEMU's start to the kernel's "ready" line.

The three paths (files from --build):
    kernel  -kernel kernel.elf                 QEMU's own Multiboot 1 loader
    iso     -cdrom keel.iso -boot d            SeaBIOS, GRUB, Multiboot 2
    img     -drive file=keel.img,format=raw    SeaBIOS, Keel's BIOS loader, Multiboot 2
    uefi_img  the same disk under OVMF          Keel's UEFI loader from the image's ESP
    uefi_iso  keel.iso under OVMF               GRUB-EFI, Multiboot 2
Each is booted --runs times, one machine at a time (they would compete for the CPU otherwise), with -m 256M
like `make run`. The clock starts just before QEMU is spawned (keelqemu.Machine, started by hand) and stops
when a thread polling the serial log every millisecond first sees the line containing "ready", so neither
QMP's connection nor keelqemu's 50 ms polling delays the measurement.

stdout holds only `name: value` lines, for each path:
    boot_to_ready_<path>_ms: <median>    boot_to_ready_<path>_min_ms: ...    boot_to_ready_<path>_max_ms: ...
and the same-run ratios boot_to_ready_img_over_kernel_ratio and boot_to_ready_uefi_img_over_grub_efi_ratio.
Progress goes to stderr. The exit status is 1 only if a boot failed outright (no "ready" in time, QEMU error).

Usage: tools/bench_boot.py [--build build] [--runs 5] [--timeout 60]
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
MEMORY = "256M"
SERIAL_POLL = 0.001  # s: resolution of the measurement
MIN_RUNS = 5  # fewer makes the median little better than a single sample


def boot_paths(build):
    """(name, QEMU arguments) of each boot path."""
    return [
        ("kernel", ["-kernel", os.path.join(build, "kernel.elf")]),
        ("iso", ["-cdrom", os.path.join(build, "keel.iso"), "-boot", "d"]),
        ("img", ["-drive", f"file={os.path.join(build, 'keel.img')},format=raw"]),
        ("uefi_img", ["-bios", OVMF, "-drive", f"file={os.path.join(build, 'keel.img')},format=raw"]),
        ("uefi_iso", ["-bios", OVMF, "-cdrom", os.path.join(build, "keel.iso")]),
    ]


class ReadyWatch(threading.Thread):
    """Polls a machine's serial log from before QEMU starts; `seen_at` is when READY first appeared."""

    def __init__(self, vm):
        super().__init__(daemon=True)
        self.vm = vm
        self.seen_at = None
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            if READY.search(self.vm.serial_text()):
                self.seen_at = time.monotonic()
                return
            time.sleep(SERIAL_POLL)


def time_one_boot(args, timeout):
    """Milliseconds from QEMU's start to READY on serial; raise QemuError if it never comes."""
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
        return (watch.seen_at - started) * 1000
    finally:
        watch.stop.set()
        vm.close()


def bench_path(name, args, runs, timeout):
    """Print the median, min and max of `runs` boots; return the median, or False if a boot failed."""
    times = []
    for run in range(1, runs + 1):
        try:
            ms = time_one_boot(args, timeout)
        except QemuError as err:
            print(f"{name}: run {run} failed: {err}", file=sys.stderr)
            return False
        print(f"{name}: run {run}/{runs}: {ms:.0f} ms", file=sys.stderr, flush=True)
        times.append(ms)
    print(f"boot_to_ready_{name}_ms: {statistics.median(times):.0f}")
    print(f"boot_to_ready_{name}_min_ms: {min(times):.0f}")
    print(f"boot_to_ready_{name}_max_ms: {max(times):.0f}", flush=True)
    return statistics.median(times)


RATIOS = {"boot_to_ready_img_over_kernel_ratio": ("img", "kernel"),
          "boot_to_ready_uefi_img_over_grub_efi_ratio": ("uefi_img", "uefi_iso")}


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Time Keel's boot paths from QEMU start to 'ready'.")
    parser.add_argument("--build", default="build", help="directory with kernel.elf, keel.iso, keel.img")
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"boots per path (at least {MIN_RUNS})")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for 'ready' per boot")
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}")
    return args


def main(argv):
    args = parse_args(argv)
    medians = {name: bench_path(name, qemu_args, args.runs, args.timeout)
               for name, qemu_args in boot_paths(args.build)}
    # Same-run ratios: Keel's BIOS loader against QEMU's -kernel, Keel's UEFI loader against GRUB-EFI.
    for name, (numerator, denominator) in RATIOS.items():
        if medians[numerator] and medians[denominator]:
            print(f"{name}: {medians[numerator] / medians[denominator]:.2f}")
    return 0 if all(medians.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
