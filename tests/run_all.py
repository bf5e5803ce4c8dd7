#!/usr/bin/env python3
"""Run every layer of Keel's tests and end with one line: `N passed, N failed`.

Layers, in order:
  style   tools/check_format.py (clang-format would change no C file), tools/check_paths.py (every path
          a comment or the README names exists), tools/check_layering.py (the #include lines keep the
          layering rules), and their own self-tests (tests/style/test_checks.py)
  build   the kernel, the test kernel, the BIOS loader image and the ramdisk of user programs built
          warning-free (-Werror) by gcc and by clang, each in its own build directory; grub-file
          accepts kernel.elf as Multiboot 1 and Multiboot 2
  host    the cmocka unit tests in build/host/ (AddressSanitizer + UBSan), read as TAP, and the Python
          tools' own tests, tests/host/test_*.py (tools/mkfont.py)
  fuzz    each libFuzzer target in build/fuzz/ for a few seconds (longer: make fuzz)
  kernel  the in-kernel tests (tests/kernel/run_kernel_tests.py), for the gcc and the clang build
  boot    the boot scenarios (tests/boot/run_boot_tests.py, BIOS and UEFI), the UEFI loader's own
          scenarios (tests/boot/uefi_scenarios.py), and the clang-built disk image

Every result is one line `PASS: layer/name` or `FAIL: layer/name: reason`. A program that dies
without reporting (a crash, a sanitizer abort) is a failure too, never silently skipped.
Exit status 1 if anything failed.

Usage: tests/run_all.py [--build build] [--only style,build,host,fuzz,kernel,boot]
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAP_RESULT = re.compile(r"^(ok|not ok) \d+ - (.*?)\s*$")
TAP_SKIP = re.compile(r"^(?:ok|not ok) \d+ # SKIP\s*(.*?)\s*$")
RESULT = re.compile(r"^(PASS|FAIL): (\S+)(?:: (.*))?$")
COMPILERS = ("gcc", "clang")


class Tally:
    """Counts results and prints each as it arrives."""

    def __init__(self):
        self.passed = 0
        self.failed = []

    def record(self, name, reason=None):
        if reason is None:
            self.passed += 1
            print(f"PASS: {name}", flush=True)
        else:
            self.failed.append(name)
            print(f"FAIL: {name}: {reason}", flush=True)


def run(cmd, env=None):
    """Run cmd from the repository root; return (exit status, combined output)."""
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace")
    return proc.returncode, proc.stdout


def last_lines(text, count=8):
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:])


def build_dir(build, compiler):
    return os.path.join(build, f"cc-{compiler}")


STYLE_CHECKS = (("clang-format", "tools/check_format.py"), ("paths", "tools/check_paths.py"),
                ("layering", "tools/check_layering.py"))
STYLE_PROBLEMS_SHOWN = 20


def layer_style(tally, build):
    del build  # the checks read the sources, not the build
    for name, script in STYLE_CHECKS:
        status, output = run([sys.executable, script])
        problems = [line for line in output.splitlines() if line.strip()]
        reason = " | ".join(problems[:STYLE_PROBLEMS_SHOWN]) or f"exited with {status}"
        if len(problems) > STYLE_PROBLEMS_SHOWN:
            reason += f" | and {len(problems) - STYLE_PROBLEMS_SHOWN} more ({script})"
        tally.record(f"style/{name}", None if status == 0 else reason)
    relay(tally, [sys.executable, "tests/style/test_checks.py"])


def layer_build(tally, build):
    for compiler in COMPILERS:
        out_dir = build_dir(build, compiler)
        status, output = run(["make", "--no-print-directory", "-s", f"BUILD={out_dir}",
                              f"CC={compiler}", f"{out_dir}/kernel.elf", f"{out_dir}/kernel-test.elf",
                              f"{out_dir}/keel.img", f"{out_dir}/initrd.tar"])
        reason = None if status == 0 else f"make exited with {status}: {last_lines(output)}"
        if reason is None and re.search(r"warning:", output):
            reason = f"warnings: {last_lines(output)}"
        tally.record(f"build/{compiler}-warning-free", reason)
    kernel = os.path.join(build, "kernel.elf")
    for flag in ("--is-x86-multiboot", "--is-x86-multiboot2"):
        status, output = run(["grub-file", flag, kernel])
        tally.record(f"build/grub-file{flag[4:]}",
                     None if status == 0 else f"grub-file {flag} {kernel} exited with {status} {output}")


def layer_host(tally, build):
    binaries = sorted(glob.glob(os.path.join(ROOT, build, "host", "test_*")))
    if not binaries:
        tally.record("host/binaries", f"no test programs in {build}/host (run make host-tests)")
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP",
               KEEL_KERNEL_ELF=os.path.join(ROOT, build, "kernel.elf"),
               MKIMAGE=os.path.join(ROOT, build, "host", "mkimage"))
    for binary in binaries:
        program = os.path.basename(binary)
        status, output = run([binary], env=env)
        seen_failure = False
        for line in output.splitlines():
            skip = TAP_SKIP.match(line)
            if skip:  # in `make test` every input exists: a skipped test is a failure
                seen_failure = True
                tally.record(f"host/{program}/{skip.group(1)}", "skipped")
                continue
            match = TAP_RESULT.match(line)
            if not match:
                continue
            ok = match.group(1) == "ok"
            seen_failure |= not ok
            tally.record(f"host/{program}/{match.group(2)}",
                         None if ok else last_lines(output[:output.find(line) + len(line)], 6))
        if status != 0 and not seen_failure:
            tally.record(f"host/{program}", f"exited with status {status}: {last_lines(output)}")
    for script in sorted(glob.glob(os.path.join(ROOT, "tests", "host", "test_*.py"))):
        relay(tally, [sys.executable, os.path.relpath(script, ROOT)])


FUZZ_SECONDS = 5


def layer_fuzz(tally, build):
    targets = sorted(glob.glob(os.path.join(ROOT, build, "fuzz", "fuzz_*")))
    if not targets:
        tally.record("fuzz/targets", f"no fuzz targets in {build}/fuzz (run make fuzz-targets)")
    for target in targets:
        status, output = run([target, f"-max_total_time={FUZZ_SECONDS}", "-print_final_stats=1"])
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
        name = f"fuzz/{os.path.basename(target)}"
        if status != 0:
            tally.record(name, f"exited with {status}: {last_lines(output)}")
        elif not runs or int(runs.group(1)) == 0:
            tally.record(name, "ran no inputs")
        else:
            tally.record(name)


def relay(tally, cmd, rename=None):
    """Run a runner that prints PASS:/FAIL: lines and record them (optionally renamed)."""
    status, output = run(cmd)
    seen_failure = False
    for line in output.splitlines():
        match = RESULT.match(line)
        if not match:
            continue
        name = rename(match.group(2)) if rename else match.group(2)
        ok = match.group(1) == "PASS"
        seen_failure |= not ok
        tally.record(name, None if ok else (match.group(3) or "failed"))
    if status != 0 and not seen_failure:
        tally.record(" ".join(cmd[1:2]), f"exited with status {status}: {last_lines(output)}")


def layer_kernel(tally, build):
    for compiler in COMPILERS:
        kernel = os.path.join(build_dir(build, compiler), "kernel-test.elf")
        relay(tally, [sys.executable, "tests/kernel/run_kernel_tests.py", "--kernel", kernel],
              rename=lambda name, c=compiler: name.replace("kernel/", f"kernel-{c}/", 1))


def layer_boot(tally, build):
    relay(tally, [sys.executable, "tests/boot/run_boot_tests.py",
                  "--kernel", os.path.join(build, "kernel.elf"),
                  "--iso", os.path.join(build, "keel.iso"),
                  "--img", os.path.join(build, "keel.img")])
    # Under OVMF: shutdown through the loader's RSDP, a damaged and a missing kernel on the ESP.
    relay(tally, [sys.executable, "tests/boot/uefi_scenarios.py", "--img", os.path.join(build, "keel.img")])
    # The clang-built loader and kernel must boot too (the gcc build is the main one).
    clang_dir = build_dir(build, "clang")
    relay(tally, [sys.executable, "tests/boot/run_boot_tests.py", "-k", "img-512M",
                  "--img", os.path.join(clang_dir, "keel.img")],
          rename=lambda name: name.replace("boot/", "boot-clang/", 1))


LAYERS = {"style": layer_style, "build": layer_build, "host": layer_host, "fuzz": layer_fuzz,
          "kernel": layer_kernel, "boot": layer_boot}


def main(argv):
    parser = argparse.ArgumentParser(description="Run all of Keel's tests.")
    parser.add_argument("--build", default="build", help="build directory of the main build")
    parser.add_argument("--only", default=",".join(LAYERS), help="comma-separated layers to run")
    args = parser.parse_args(argv)
    tally = Tally()
    for layer in args.only.split(","):
        if layer not in LAYERS:
            parser.error(f"unknown layer {layer!r}; choose from {', '.join(LAYERS)}")
        started = time.monotonic()
        print(f"== {layer} ==", flush=True)
        LAYERS[layer](tally, args.build)
        print(f"== {layer}: {time.monotonic() - started:.1f} s ==", flush=True)
    if tally.failed:
        print("failed: " + ", ".join(tally.failed), flush=True)
    print(f"{tally.passed} passed, {len(tally.failed)} failed", flush=True)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
