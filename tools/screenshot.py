#!/usr/bin/env python3
"""Boot Keel in QEMU and save what its screen shows as a PNG (used by `make screenshot` and the README).

Boots the disk image (`--img build/keel.img`, Keel's own BIOS loader, what `make run` boots), the ISO
(`--iso build/keel.iso`, through SeaBIOS and GRUB) or the kernel (`--kernel build/kernel.elf`, QEMU's
Multiboot 1 loader), waits for the line containing "ready" on serial, optionally types a command on the
keyboard (`--type help`: the keys go through QMP send-key, as a person's would) and waits for the prompt to
come back, lets the screen settle, takes a QMP `screendump` (a PPM of the rendered 720x400 text mode) and
converts it with tools/ppm2png.py. With `--uefi` the firmware is OVMF instead of SeaBIOS: the disk image boots
through Keel's UEFI loader, the ISO through GRUB-EFI, and the PPM is the framebuffer console (1280x800).

Usage: tools/screenshot.py (--img build/keel.img | --iso build/keel.iso | --kernel build/kernel.elf)
                           [--uefi] [-o|--out build/screenshot.png] [--type COMMAND] [-m 512M] [--timeout 60]
                           [--ready ready] [--settle 0.5]
"""

import argparse
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))

import keelqemu  # noqa: E402  (found through the path above)
import ppm2png  # noqa: E402

OVMF = "/usr/share/ovmf/OVMF.fd"  # Debian's ovmf package

def parse_args(argv):
    parser = argparse.ArgumentParser(description="Boot Keel in QEMU and save a PNG screenshot.")
    image = parser.add_mutually_exclusive_group(required=True)
    image.add_argument("--img", help="boot this disk image through Keel's BIOS loader")
    image.add_argument("--iso", help="boot this CD image through GRUB")
    image.add_argument("--kernel", help="boot this kernel ELF with QEMU -kernel")
    parser.add_argument("--uefi", action="store_true", help=f"boot with UEFI firmware ({OVMF})")
    parser.add_argument("-o", "--output", "--out", default="build/screenshot.png", help="PNG to write")
    parser.add_argument("-m", "--memory", default="512M", help="guest RAM (QEMU -m)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the ready line")
    parser.add_argument("--ready", default="ready", help="serial text that means the screen is complete")
    parser.add_argument("--type", dest="command", help="a shell command to type (Enter is added)")
    parser.add_argument("--prompt", default="keel> ", help="what the shell shows when it waits for a line")
    parser.add_argument("--settle", type=float, default=0.5, help="seconds to wait after the ready line")
    return parser.parse_args(argv)


def qemu_args(args):
    if args.img:
        boot = ["-drive", f"file={args.img},format=raw,snapshot=on"]  # the image stays as built
    elif args.iso:
        boot = ["-cdrom", args.iso, "-boot", "d"]
    else:
        boot = ["-kernel", args.kernel]
    firmware = ["-bios", OVMF] if args.uefi else []
    return firmware + boot + ["-m", args.memory]


def type_command(vm, args):
    """Type args.command and Enter; return an error message or None once the prompt is back."""
    if not vm.wait_serial(args.prompt, args.timeout):
        return f"no prompt {args.prompt!r} on serial"
    vm.type_text(args.command + "\n")
    # On serial (which keeps everything) the next prompt follows the command's output.
    done = re.compile(re.escape(args.prompt + args.command) + r"[\s\S]*" + re.escape(args.prompt))
    if not vm.wait_serial(done, args.timeout):
        return f"the prompt {args.prompt!r} did not come back after {args.command!r}"
    return None


def take_screenshot(args):
    """Boot, wait, dump, convert; return an error message or None."""
    image = args.img or args.iso or args.kernel
    if not os.path.exists(image):
        return f"{image}: no such file (build it first)"
    if args.uefi and not os.path.exists(OVMF):
        return f"{OVMF}: no such file (Debian's ovmf package; `tools/deps.sh run-uefi` installs it)"
    with keelqemu.Machine(qemu_args(args), timeout=args.timeout + 30) as vm:
        # As a word: the BIOS loader prints "A20: already enabled" long before the kernel is ready.
        if not vm.wait_serial(re.compile(r"\b" + re.escape(args.ready) + r"\b"), args.timeout):
            serial = " / ".join(keelqemu.tail(vm.serial_lines()))
            return f"no {args.ready!r} on serial within {args.timeout:.0f} s; serial: {serial}; " \
                   f"{vm.exit_report()}"
        if args.command:
            error = type_command(vm, args)
            if error:
                return error
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
