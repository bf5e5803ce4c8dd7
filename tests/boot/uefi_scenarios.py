#!/usr/bin/env python3
"""uefi_scenarios: boot a prepared EFI System Partition image under OVMF and check Keel's UEFI loader.

The image (raw FAT, as mtools writes it) holds /EFI/BOOT/BOOTX64.EFI, /KEEL/KERNEL.ELF and /KEEL/BOOT.CFG.
Scenarios, each on a fresh QEMU (TCG) with OVMF as its firmware:

  boot      on -machine pc and q35 at each --memory size: the kernel reaches "ready", names the loader in
            its boot line and detects a plausible amount of memory
  shutdown  `shutdown` typed on COM1 powers the machine off through ACPI S5 (QMP reason guest-shutdown)
  damaged   a kernel whose ELF magic is broken: the loader's message, and QEMU keeps running (no reset)
  missing   no kernel file: the loader's message, and QEMU keeps running
  timing    seconds from QEMU's start to "ready", median of --runs, beside the GRUB ISO (--iso) if given

The damaged and missing images are copies of the given one changed with mtools. Prints one line per check
and ends with "N passed, N failed"; exit status 1 if anything failed.
Usage: tests/boot/uefi_scenarios.py --esp IMG [--iso build/keel.iso] [--memory 512M,1G,4G] [--runs 3]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keelqemu import Machine  # noqa: E402

OVMF = "/usr/share/ovmf/OVMF.fd"
READY = "Keel is ready"
BOOT_LINE = "boot: Multiboot 2 via Keel UEFI loader"
BOOT_TIMEOUT = 60  # seconds to the prompt under TCG (about 5 are usual)
STILL_RUNNING_AFTER = 5  # seconds a stopped loader must leave QEMU running
MEMORY_SLACK = 0.05  # the firmware keeps a few MiB and the PCI hole takes address space, not RAM
ELF_MAGIC_OFFSET = 1  # "\x7fELF": overwrite the 'E'


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def mib(size):
    value, unit = int(size[:-1]), size[-1].upper()
    return value * 1024 if unit == "G" else value


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


def scenario_boot(tally, esp, machine, memory):
    name = f"boot {machine} -m {memory}"
    with Machine(ovmf_args(esp, machine, memory), timeout=BOOT_TIMEOUT + 10) as vm:
        ready = vm.wait_serial(READY, timeout=BOOT_TIMEOUT)
        text = vm.serial_text()
    tally.check(f"{name}: ready", ready, "" if ready else text[-300:])
    tally.check(f"{name}: boot line", BOOT_LINE in text)
    found = re.search(r"Memory: (\d+) MiB detected", text)
    detected = int(found.group(1)) if found else 0
    want = mib(memory)
    tally.check(f"{name}: memory", want * (1 - MEMORY_SLACK) <= detected <= want,
                f"{detected} MiB detected for {want} MiB")


def scenario_shutdown(tally, esp):
    with Machine(ovmf_args(esp), timeout=BOOT_TIMEOUT + 30, serial_input=True) as vm:
        ready = vm.wait_serial("keel> ", timeout=BOOT_TIMEOUT)
        if ready:
            vm.serial_write("shutdown\r")
        status = vm.wait_exit(20) if ready else None
        reason = vm.shutdown_reason()
        acpi = "shutdown: ACPI S5" in vm.serial_text()  # the RSDP was found, not an emulator's port
    tally.check("shutdown under OVMF", status is not None and reason == "guest-shutdown",
                f"exit status {status}, reason {reason}")
    tally.check("shutdown through ACPI S5 (the loader's RSDP)", acpi)


def stopped_loader(tally, name, esp, message):
    """The loader shows `message` and QEMU is still running a while later (it waits for a key)."""
    with Machine(ovmf_args(esp), timeout=BOOT_TIMEOUT + 30) as vm:
        shown = vm.wait_serial(message, timeout=BOOT_TIMEOUT)
        time.sleep(STILL_RUNNING_AFTER)
        running = vm.is_running()
        text = vm.serial_text()
    tally.check(f"{name}: message", shown, "" if shown else text[-300:])
    tally.check(f"{name}: no reset, QEMU still running", running)


def mtools(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def damaged_copy(esp, tmpdir):
    image = os.path.join(tmpdir, "damaged.img")
    kernel = os.path.join(tmpdir, "KERNEL.ELF")
    shutil.copyfile(esp, image)
    mtools("mcopy", "-n", "-i", image, "::/KEEL/KERNEL.ELF", kernel)
    with open(kernel, "r+b") as f:
        f.seek(ELF_MAGIC_OFFSET)
        f.write(b"X")
    mtools("mcopy", "-o", "-i", image, kernel, "::/KEEL/KERNEL.ELF")
    return image


def missing_copy(esp, tmpdir):
    image = os.path.join(tmpdir, "missing.img")
    shutil.copyfile(esp, image)
    mtools("mdel", "-i", image, "::/KEEL/KERNEL.ELF")
    return image


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
    parser.add_argument("--esp", required=True, help="raw FAT image of an EFI System Partition")
    parser.add_argument("--iso", help="GRUB ISO to time beside Keel's loader")
    parser.add_argument("--memory", default="512M,1G,4G")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    tally = Tally()
    for machine in ("pc", "q35"):
        for memory in args.memory.split(","):
            scenario_boot(tally, args.esp, machine, memory)
    scenario_shutdown(tally, args.esp)
    tmpdir = tempfile.mkdtemp(prefix="uefi-scenarios-")
    try:
        stopped_loader(tally, "damaged kernel", damaged_copy(args.esp, tmpdir), "not an ELF file")
        stopped_loader(tally, "missing kernel", missing_copy(args.esp, tmpdir),
                       "cannot open \\KEEL\\KERNEL.ELF")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    if args.runs > 0:
        scenario_timing(tally, args.esp, args.iso, args.runs)
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
