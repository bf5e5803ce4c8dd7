#!/usr/bin/env python3
"""Run the in-kernel tests: boot the test kernel in QEMU and turn its serial protocol into result lines.

Protocol of the test kernel (build/kernel-test.elf), booted with QEMU -kernel, isa-debug-exit on port 0xf4:
  no command line    runs every ordinary case, printing one line per case
                         ktest: PASS <name>            or   ktest: FAIL <name>: <reason>
                     then one line per should-panic case (these are not run in this boot)
                         ktest: should-panic <name>
                     and one per benchmark case (never run here: tools/bench_sched.py boots them)
                         ktest: bench <name>
                     then
                         ktest: done <p> passed, <f> failed
                     and exits QEMU with status 33 (all passed) or 35 (some failed).
  ktest=<name>       runs only that case. A should-panic case that panics prints its panic report, then
                     `ktest: PASS <name>` and exits 33; if it returns, `ktest: FAIL <name>: did not panic`, 35.

Exit statuses: the guest writes v to port 0xf4 and QEMU exits with (v << 1) | 1, so 0x10 -> 33, 0x11 -> 35.
Status 0 means QEMU shut down by itself: with -no-reboot, a triple fault or reset.

The runner boots once for the ordinary cases, then once per should-panic case (two machines at a time), and
prints `PASS: kernel/<name>` or `FAIL: kernel/<name>: <reason>` per case. A broken run itself (hang, no done
line, wrong exit status, counts that disagree) is reported as `FAIL: kernel/all-cases: <reason>`.
Exit status 1 on any failure.

The ramdisk (--initrd, by default initrd.tar beside the kernel) is passed with -initrd to every boot. The
process cases (process_*) run a second time on `-cpu max`, which has SMEP and SMAP, as one more boot with
ktest=process_* (reported as kernel/cpu-max/<name>); should-panic cases named smap_* boot on `-cpu max`.
The SMP cases (smp_*), which the one-CPU run leaves out, run in a boot with -smp 8 under multi-threaded TCG
as ktest=smp_* (reported as kernel/smp8/<name>); should-panic cases named smp_* boot with -smp 8 as well.

Usage: tests/kernel/run_kernel_tests.py [--kernel build/kernel-test.elf] [--initrd FILE] [--timeout 90] [-j 2]
"""

import argparse
import concurrent.futures
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "boot"))

from keelqemu import EXIT_FAILURE, EXIT_SUCCESS, Machine, QemuError, tail  # noqa: E402

# Searched, not anchored, so a prefix on the line (a timestamp, a colour escape) does not hide it.
PASS_LINE = re.compile(r"ktest: PASS (\S+)\s*$")
FAIL_LINE = re.compile(r"ktest: FAIL (\S+?)(?:: (.*))?\s*$")
SHOULD_PANIC_LINE = re.compile(r"ktest: should-panic (\S+)\s*$")
DONE_LINE = re.compile(r"ktest: done (\d+) passed, (\d+) failed")

SUITE = "all-cases"  # the name under which a broken first boot is reported
# QEMU's default CPU (qemu64) has neither SMEP nor SMAP; `-cpu max` has both. The process cases run on
# both, the second time as the group "cpu-max/"; should-panic cases named smap_* boot on it alone.
CPU_WITH_SMAP = "max"
PROCESS_CASES = "process_"
SMAP_CASES = "smap_"
SMP_CASES = "smp_"
SMP_CPUS = 8  # tests/kernel/test_smp.c's TEST_CPUS
# The SMP group holds a minute of mixed traffic, and 8 vCPUs share this machine's 2 cores.
SMP_TIMEOUT = 400


class Boot:
    """The outcome of one boot of the test kernel: its serial lines and how QEMU ended."""

    def __init__(self, kernel, append, timeout, initrd=None, cpu=None, smp=None):
        args = ["-kernel", kernel]
        if smp:
            args += ["-smp", str(smp), "-accel", "tcg,thread=multi"]
        if append:
            args += ["-append", append]
        if initrd:
            args += ["-initrd", initrd]
        if cpu:
            args += ["-cpu", cpu]
        self.timeout = timeout
        self.error = None  # QEMU could not start
        self.status = None  # QEMU exit status; None = still running at the timeout (a hang)
        self.lines = []
        try:
            with Machine(args, timeout=timeout + 10, debug_exit=True) as vm:
                self.status = vm.wait_exit(timeout)
                vm.close()
                self.lines = vm.serial_lines()
        except QemuError as err:
            self.error = str(err).replace("\n", " | ")

    def exit_problem(self, expected):
        """None if QEMU exited with `expected`, else a reason naming what happened instead."""
        if self.error:
            return self.error
        if self.status is None:
            return f"hang: QEMU still running after {self.timeout:.0f} s"
        if self.status == 0:
            return "QEMU exited with status 0 (triple fault or reset; -no-reboot)"
        if self.status != expected:
            return f"QEMU exit status {self.status}, expected {expected}"
        return None

    def serial_tail(self):
        return "serial: " + (" | ".join(tail(self.lines, 6)) or "(empty)")


# --- the boot with all ordinary cases ----------------------------------------------------------------------------


def parse_suite(lines):
    """Return (results {name: reason or None}, should-panic names, done (p, f) or None), in serial order."""
    results, should_panic, done = {}, [], None
    for line in lines:
        if match := PASS_LINE.search(line):
            results.setdefault(match.group(1), None)
        elif match := FAIL_LINE.search(line):
            results.setdefault(match.group(1), match.group(2) or "failed")
        elif match := SHOULD_PANIC_LINE.search(line):
            should_panic.append(match.group(1))
        elif match := DONE_LINE.search(line):
            done = (int(match.group(1)), int(match.group(2)))
    return results, should_panic, done


def suite_problem(boot, results, done):
    """What is wrong with the first boot as a whole (None if nothing), beyond the individual cases."""
    failed = sum(reason is not None for reason in results.values())
    expected_status = EXIT_FAILURE if failed else EXIT_SUCCESS
    if done is None:
        problem = boot.exit_problem(expected_status) or "no 'ktest: done' line"
        return f"{problem} (after {len(results)} case lines)"
    if done != (len(results) - failed, failed):
        return f"done line says {done[0]} passed, {done[1]} failed; serial had {len(results) - failed} " \
               f"PASS and {failed} FAIL lines"
    return boot.exit_problem(expected_status)


def suite_lines(boot, group=""):
    """Result lines for the ordinary cases; also returns the should-panic case names."""
    results, should_panic, done = parse_suite(boot.lines)
    lines = [f"PASS: kernel/{group}{name}" if reason is None else f"FAIL: kernel/{group}{name}: {reason}"
             for name, reason in results.items()]
    problem = suite_problem(boot, results, done)
    if problem:
        lines.append(f"FAIL: kernel/{group}{SUITE}: {problem}; {boot.serial_tail()}")
    return lines, should_panic


# --- one boot per should-panic case ------------------------------------------------------------------------------


def reported(lines, pattern, name):
    """The matches of `pattern` (group 1 = case name) on the serial lines about case `name`."""
    matches = (pattern.search(line) for line in lines)
    return [match for match in matches if match and match.group(1) == name]


def should_panic_line(kernel, name, timeout, initrd):
    """Boot with ktest=<name>; PASS only with the PASS line on serial and exit status 33."""
    boot = Boot(kernel, f"ktest={name}", timeout, initrd, cpu=CPU_WITH_SMAP if name.startswith(SMAP_CASES) else None,
                smp=SMP_CPUS if name.startswith(SMP_CASES) else None)
    failures = reported(boot.lines, FAIL_LINE, name)
    problems = [failures[0].group(2) or "failed"] if failures else []
    exit_problem = boot.exit_problem(EXIT_SUCCESS)
    if exit_problem:
        problems.append(exit_problem)
    elif not failures and not reported(boot.lines, PASS_LINE, name):
        problems.append(f"exit status {EXIT_SUCCESS} but no 'ktest: PASS {name}' line")
    if not problems:
        return f"PASS: kernel/{name}"
    return f"FAIL: kernel/{name}: {'; '.join(problems)}; {boot.serial_tail()}"


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Run Keel's in-kernel tests in QEMU.")
    parser.add_argument("--kernel", default="build/kernel-test.elf", help="the test kernel ELF")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per boot before calling it a hang")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="should-panic boots to run at once")
    parser.add_argument("--initrd", help="the ramdisk for the process cases (default: initrd.tar beside "
                        "the kernel, if it is there)")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if not os.path.exists(args.kernel):
        print(f"FAIL: kernel/{SUITE}: {args.kernel}: no such file", flush=True)
        return 1
    initrd = args.initrd or os.path.join(os.path.dirname(args.kernel), "initrd.tar")
    initrd = initrd if os.path.exists(initrd) else None
    lines, should_panic = suite_lines(Boot(args.kernel, None, args.timeout, initrd))
    cpu_max, _ = suite_lines(Boot(args.kernel, f"ktest={PROCESS_CASES}*", args.timeout, initrd, CPU_WITH_SMAP),
                             group="cpu-max/")
    lines += cpu_max
    smp, _ = suite_lines(Boot(args.kernel, f"ktest={SMP_CASES}*", max(args.timeout, SMP_TIMEOUT), initrd,
                              smp=SMP_CPUS),
                         group=f"smp{SMP_CPUS}/")
    lines += smp
    failed = 0
    for line in lines:
        print(line, flush=True)
        failed += line.startswith("FAIL")
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = pool.map(lambda name: should_panic_line(args.kernel, name, args.timeout, initrd), should_panic)
        for line in runs:
            print(line, flush=True)
            failed += line.startswith("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
