#!/usr/bin/env python3
"""Boot Keel in QEMU and save what its screen shows as a PNG (used by `make screenshot` and the README).

Boots the ISO (`--iso build/keel.iso`, through SeaBIOS and GRUB) or the kernel (`--kernel build/kernel.elf`,
QEMU's Multiboot 1 loader), waits for the line containing "ready" on serial, lets the screen settle, takes a
QMP `screendump` (a PPM of the rendered 720x400 text mode) and converts it with tools/ppm2png.py.

Usage: tools/screenshot.py (--iso build/keel.iso | --kernel build/kernel.elf) [-o|--out build/screenshot.png]
                           [-m 512M] [--timeout 60] [--ready ready] [--settle 0.5]
"""

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))

import keelqemu  # noqa: E402  (found through the path above)
import ppm2png  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Boot Keel in QEMU and save a PNG screenshot.")
    image = parser.add_mutually_exclusive_group(required=True)
    image.add_argument("--iso", help="boot this CD image through GRUB")
    image.add_argument("--kernel", help="boot this kernel ELF with QEMU -kernel")
    parser.add_argument("-o", "--output", "--out", default="build/screenshot.png", help="PNG to write")
    parser.add_argument("-m", "--memory", default="512M", help="guest RAM (QEMU -m)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the ready line")
    parser.add_argument("--ready", default="ready", help="serial text that means the screen is complete")
    parser.add_argument("--settle", type=float, default=0.5, help="seconds to wait after the ready line")
    return parser.parse_args(argv)


def qemu_args(args):
    boot = ["-cdrom", args.iso, "-boot", "d"] if args.iso else ["-kernel", args.kernel]
    return boot + ["-m", args.memory]


def take_screenshot(args):
    """Boot, wait, dump, convert; return an error message or None."""
    image = args.iso or args.kernel
    if not os.path.exists(image):
        return f"{image}: no such file (build it first)"
    with keelqemu.Machine(qemu_args(args), timeout=args.timeout + 30) as vm:
        if not vm.wait_serial(args.ready, args.timeout):
            serial = " / ".join(keelqemu.tail(vm.serial_lines()))
            return f"no {args.ready!r} on serial within {args.timeout:.0f} s; serial: {serial}; " \
                   f"{vm.exit_report()}"
        time.sleep(args.settle)
        with tempfile.TemporaryDirectory(prefix="keel-screenshot-") as tmp:
            ppm = os.path.join(tmp, "screen.ppm")
            vm.screendump(ppm)
            os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
            ppm2png.convert_file(ppm, args.output)
    return None


def main(argv):
    args = parse_args(argv)
    try:
        error = take_screenshot(args)
    except keelqemu.QemuError as err:
        error = str(err)
    if error:
        print(f"screenshot: {error}", file=sys.stderr)
        return 1
    print(f"screenshot: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
