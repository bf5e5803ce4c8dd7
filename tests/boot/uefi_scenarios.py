#!/usr/bin/env python3
"""uefi_scenarios: what Keel's UEFI loader does besides booting, on keel.img under OVMF.

The boot matrix under OVMF (pc and q35, 512M, 1G and 4G, the screen decoded off the framebuffer) is in
run_boot_tests.py. Here, each on a fresh QEMU (TCG) with OVMF as its firmware:

  boot/uefi-shutdown         `shutdown` typed on COM1 powers the machine off through ACPI S5 (QMP reason
                             guest-shutdown), with the RSDP the loader handed over
  boot/uefi-damaged-kernel   the ESP's kernel with its ELF magic broken: the loader's message, and QEMU keeps
                             running (the loader waits for a key; no reset)
  boot/uefi-missing-kernel   no kernel file on the ESP: the loader's message, and QEMU keeps running
  (--runs N) seconds from QEMU's start to "ready", median of N, beside the GRUB ISO (--iso): no test, a figure

The damaged images are copies of keel.img whose ESP (the MBR partition of type 0xEF) is changed with mtools.
Prints one line per check, `PASS: name` or `FAIL: name: reason`; exit status 1 if anything failed.
Usage: tests/boot/uefi_scenarios.py --img build/keel.img [--iso build/keel.iso] [--runs 0]
"""

import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keelqemu import OVMF, Machine  # noqa: E402

READY = "Keel is ready"
BOOT_TIMEOUT = 60  # seconds to the prompt under TCG (about 5 are usual)
STILL_RUNNING_AFTER = 5  # seconds a stopped loader must leave QEMU running
ELF_MAGIC_OFFSET = 1  # "\x7fELF": overwrite the 'E'


MBR_PARTITIONS, MBR_ENTRY_SIZE, MBR_ENTRY_TYPE, MBR_ENTRY_LBA = 446, 16, 4, 8
ESP_TYPE, SECTOR = 0xEF, 512


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        print(f"PASS: {name}" if ok else f"FAIL: {name}: {detail or 'not as expected'}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def ovmf_args(drive, machine="pc", memory="512M", media="disk"):
    if media == "cdrom":
        return ["-machine", machine, "-bios", OVMF, "-m", memory, "-cdrom", drive]
    return ["-machine", machine, "-bios", OVMF, "-m", memory, "-drive", f"format=raw,file={drive}"]


def time_to_ready(args):
    """Seconds from QEMU's start until the kernel prints "ready", or None."""
    start = time.monotonic()
    with Machine(args, timeout=BOOT_TIMEOUT + 10) as vm:
        if not vm.wait_serial(READY, timeout=BOOT_TIMEOUT):
            return None
        return time.monotonic() - start


def scenario_shutdown(tally, esp):
    with Machine(ovmf_args(esp), timeout=BOOT_TIMEOUT + 30, serial_input=True) as vm:
        ready = vm.wait_serial("keel> ", timeout=BOOT_TIMEOUT)
        if ready:
            vm.serial_write("shutdown\r")
        status = vm.wait_exit(20) if ready else None
        reason = vm.shutdown_reason()
        acpi = "shutdown: ACPI S5" in vm.serial_text()  # the RSDP was found, not an emulator's port
    tally.check("boot/uefi-shutdown", status is not None and reason == "guest-shutdown",
                f"exit status {status}, reason {reason}")
    tally.check("boot/uefi-shutdown-acpi-s5", acpi, "no 'shutdown: ACPI S5' on serial")


def stopped_loader(tally, name, esp, message):
    """The loader shows `message` and QEMU is still running a while later (it waits for a key)."""
    with Machine(ovmf_args(esp), timeout=BOOT_TIMEOUT + 30) as vm:
        shown = vm.wait_serial(message, timeout=BOOT_TIMEOUT)
        time.sleep(STILL_RUNNING_AFTER)
        running = vm.is_running()
        text = vm.serial_text()
    tally.check(f"{name}-message", shown, f"no {message!r} on serial: {text[-300:]!r}")
    tally.check(f"{name}-no-reset", running, f"QEMU stopped within {STILL_RUNNING_AFTER} s of the message")


def mtools(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def esp_of(image):
    """mtools' name for the ESP inside a partitioned image: path@@byte offset of the type-0xEF partition."""
    with open(image, "rb") as f:
        mbr = f.read(SECTOR)
    for k in range(4):
        entry = MBR_PARTITIONS + k * MBR_ENTRY_SIZE
        if mbr[entry + MBR_ENTRY_TYPE] == ESP_TYPE:
            return f"{image}@@{struct.unpack_from('<I', mbr, entry + MBR_ENTRY_LBA)[0] * SECTOR}"
    raise ValueError(f"{image}: no partition of type {ESP_TYPE:#x}")


def damaged_copy(img, tmpdir):
    copy = os.path.join(tmpdir, "damaged.img")
    kernel = os.path.join(tmpdir, "KERNEL.ELF")
    shutil.copyfile(img, copy)
    image = esp_of(copy)
    mtools("mcopy", "-n", "-i", image, "::/KEEL/KERNEL.ELF", kernel)
    with open(kernel, "r+b") as f:
        f.seek(ELF_MAGIC_OFFSET)
        f.write(b"X")
    mtools("mcopy", "-o", "-i", image, kernel, "::/KEEL/KERNEL.ELF")
    return copy


def missing_copy(img, tmpdir):
    copy = os.path.join(tmpdir, "missing.img")
    shutil.copyfile(img, copy)
    mtools("mdel", "-i", esp_of(copy), "::/KEEL/KERNEL.ELF")
    return copy


def scenario_timing(tally, esp, iso, runs):
    keel = [time_to_ready(ovmf_args(esp)) for _ in range(runs)]
    ok = all(t is not None for t in keel)
    line = f"Keel UEFI loader {statistics.median(keel):.2f} s" if ok else "no boot"
    if iso:
        grub = [time_to_ready(ovmf_args(iso, media="cdrom")) for _ in range(runs)]
        ok = ok and all(t is not None for t in grub)
        line += f", GRUB-EFI {statistics.median(grub):.2f} s" if ok else ", GRUB: no boot"
    tally.check(f"time to ready under OVMF (median of {runs})", ok, line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--img", default="build/keel.img", help="disk image with an EFI System Partition")
    parser.add_argument("--iso", help="GRUB ISO to time beside Keel's loader")
    parser.add_argument("--runs", type=int, default=0, help="boots to time (0: no timing)")
    args = parser.parse_args()
    args.esp = args.img

    tally = Tally()
    scenario_shutdown(tally, args.esp)
    tmpdir = tempfile.mkdtemp(prefix="uefi-scenarios-")
    try:
        stopped_loader(tally, "boot/uefi-damaged-kernel", damaged_copy(args.esp, tmpdir), "not an ELF file")
        stopped_loader(tally, "boot/uefi-missing-kernel", missing_copy(args.esp, tmpdir),
                       "cannot open \\KEEL\\KERNEL.ELF")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    if args.runs > 0:
        scenario_timing(tally, args.esp, args.iso, args.runs)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
