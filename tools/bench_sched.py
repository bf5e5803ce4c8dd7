#!/usr/bin/env python3
"""Count the guest instructions of a thread switch, a key's wake-up and a scrolled line, exactly, in QEMU.

Method: boot the test kernel (--kernel, QEMU -kernel) once per benchmark case of tests/kernel/bench_sched.c,
and of tests/kernel/bench_console.c, with -append ktest=<case> and -icount shift=0. Under -icount shift=0 QEMU advances the guest TSC by exactly one
per executed instruction, so the rdtsc differences the cases take are instruction counts: the same on every run
and on every host (the README's "Facts that bite"). The cases print `bench: <name>: <value>` on COM1, then
`ktest: PASS <case>`, and leave QEMU through isa-debug-exit (status 33). What each figure covers is explained
at the top of tests/kernel/bench_sched.c:
    sched_context_switch   a yield ping-pong between two threads of one priority, nothing else ready
    sched_wakeup_latency   a real IRQ 1 from the 8042 wakes an interactive thread in input_wait_press
                           while three background threads spin
    console_scroll         a line that scrolls a full screen of text: VGA text (80x25) and the framebuffer
                           console (1024x768x32 in RAM, 128x48 cells); see tests/kernel/bench_console.c
    proc_syscall           the ramdisk's sysbench times getpid round trips from ring 3 (tests/kernel/bench_proc.c)
    proc_spawn_wait        spawn, run and wait for hello, timed in the kernel; median of 9
The ramdisk (--initrd, by default initrd.tar beside the kernel) is passed to every boot.

stdout holds only `name: value` lines, the cases' own, e.g.
    context_switch_instructions: <per switch, two decimals>
    context_switch_loop_instructions: <the yield loop's share: the same loop around a one-instruction call>
    wakeup_latency_instructions: <median>    wakeup_latency_min_instructions: ...    ..._max_instructions: ...
    vga_scroll_instructions_per_line: ...    fb_scroll_instructions_per_line: ...    fb_scroll_pixels_per_line
    syscall_instructions: <per getpid round trip>    spawn_wait_instructions: <median>
Progress and errors go to stderr; the exit status is 1 if a case failed, hung or printed no figures.

Usage: tools/bench_sched.py [--kernel build/kernel-test.elf] [--timeout 120]
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))

from keelqemu import EXIT_SUCCESS, Machine, QemuError, tail  # noqa: E402  (found through the path above)

CASES = ["sched_context_switch", "sched_wakeup_latency", "console_scroll", "proc_syscall", "proc_spawn_wait"]
# Searched, not anchored, like the kernel test runner's patterns.
BENCH_LINE = re.compile(r"bench: ([a-z0-9_]+): (\S+)\s*$")
PASS_LINE = re.compile(r"ktest: PASS (\S+)\s*$")


def run_case(kernel, case, timeout, initrd):
    """Boot with ktest=<case>; return its [(name, value)] figures, or raise RuntimeError saying what went wrong."""
    args = ["-kernel", kernel, "-append", f"ktest={case}", "-icount", "shift=0"]
    if initrd:
        args += ["-initrd", initrd]
    with Machine(args, timeout=timeout + 10, debug_exit=True) as vm:
        status = vm.wait_exit(timeout)
        vm.close()
        lines = vm.serial_lines()
    figures = [(m.group(1), m.group(2)) for m in map(BENCH_LINE.search, lines) if m]
    passed = any(m and m.group(1) == case for m in map(PASS_LINE.search, lines))
    if status != EXIT_SUCCESS or not passed or not figures:
        state = "still running (hang)" if status is None else f"exit status {status}"
        raise RuntimeError(f"{case}: {state}; serial: {' | '.join(tail(lines, 6)) or '(empty)'}")
    return figures


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Instructions per thread switch and per wake-up, under -icount.")
    parser.add_argument("--kernel", default="build/kernel-test.elf", help="the test kernel ELF")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per boot before calling it a hang")
    parser.add_argument("--initrd", help="the ramdisk with the programs (default: initrd.tar beside the kernel)")
    args = parser.parse_args(argv)
    if not os.path.exists(args.kernel):
        parser.error(f"{args.kernel}: no such file")
    args.initrd = args.initrd or os.path.join(os.path.dirname(args.kernel), "initrd.tar")
    if not os.path.exists(args.initrd):
        parser.error(f"{args.initrd}: no such file (the process benchmarks run its programs)")
    return args


def main(argv):
    args = parse_args(argv)
    for case in CASES:
        print(f"booting {args.kernel} with ktest={case} under -icount shift=0", file=sys.stderr, flush=True)
        try:
            figures = run_case(args.kernel, case, args.timeout, args.initrd)
        except (QemuError, OSError, RuntimeError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        for name, value in figures:
            print(f"{name}: {value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
