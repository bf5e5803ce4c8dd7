#!/usr/bin/env python3
"""Measure how much host CPU QEMU burns while Keel idles at the shell's prompt, waiting for keys.

An idle kernel should sleep in `hlt` between interrupts, so QEMU's vCPU thread sleeps too and only wakes for
the timer (1000 Hz) and the odd device. A kernel that busy-polls instead keeps one host core at ~100%.

Method: boot --kernel with QEMU's -kernel (-display none, COM1 to a file: keelqemu.Machine), wait for the
serial line containing "ready", let it settle for SETTLE_SECONDS, then read QEMU's utime + stime from
/proc/<pid>/stat at the start and at the end of a --seconds window. That file sums every thread of the
process (vCPU, main loop, I/O), and the pid is QEMU's own (Machine starts it without a shell). CPU time over
wall time is the share of one host core; the clock-tick resolution (usually 10 ms) limits the precision to
about 0.2 percentage points over the default 5 s.

stdout holds only `name: value` lines:
    idle_cpu_percent: <CPU time / wall time * 100, percent of one core>
    idle_cpu_ticks_per_second: <clock ticks of CPU time per wall second (at CLK_TCK = 100: the same figure)>
    idle_window_seconds: <the measured window>
Progress and errors go to stderr; the exit status is 1 if the kernel never said "ready" or QEMU failed.

Usage: tools/bench_idle.py [--kernel build/kernel.elf] [--seconds 5] [--memory 256M]
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))

from keelqemu import Machine, QemuError  # noqa: E402  (found through the path above)

READY = "ready"
READY_TIMEOUT = 30  # s: -kernel boots in well under a second; slack for a loaded machine
SETTLE_SECONDS = 1  # s: let the last boot output and QMP's connection die down before measuring
CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")  # the unit of utime and stime in /proc/<pid>/stat
STAT_UTIME_FIELD = 14  # proc(5): 1-based field numbers in /proc/<pid>/stat
STAT_STIME_FIELD = 15


def cpu_ticks(pid):
    """utime + stime of process `pid` (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    # Field 2, the command name, is in parentheses and may hold spaces: split after its closing one.
    fields = text[text.rindex(")") + 2:].split()
    first = 3  # the field number of fields[0]
    return int(fields[STAT_UTIME_FIELD - first]) + int(fields[STAT_STIME_FIELD - first])


def measure(pid, seconds):
    """(CPU ticks used, wall seconds) by `pid` over a window of about `seconds`."""
    start_ticks, start = cpu_ticks(pid), time.monotonic()
    time.sleep(seconds)
    end_ticks, end = cpu_ticks(pid), time.monotonic()
    return end_ticks - start_ticks, end - start


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Host CPU use of QEMU while Keel idles after 'ready'.")
    parser.add_argument("--kernel", default="build/kernel.elf", help="kernel ELF for QEMU -kernel")
    parser.add_argument("--seconds", type=float, default=5, help="length of the measured window")
    parser.add_argument("--memory", default="256M", help="QEMU -m (like `make run`)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    if not os.path.exists(args.kernel):
        parser.error(f"{args.kernel}: no such file")
    return args


def main(argv):
    args = parse_args(argv)
    timeout = READY_TIMEOUT + SETTLE_SECONDS + args.seconds + 30
    try:
        with Machine(["-kernel", args.kernel, "-m", args.memory], timeout=timeout, debug_exit=False) as vm:
            if not vm.wait_serial(READY, READY_TIMEOUT):
                print(f"no '{READY}' on serial within {READY_TIMEOUT} s; {vm.exit_report()}", file=sys.stderr)
                return 1
            time.sleep(SETTLE_SECONDS)
            print(f"measuring QEMU (pid {vm.proc.pid}) for {args.seconds:g} s", file=sys.stderr, flush=True)
            ticks, wall = measure(vm.proc.pid, args.seconds)
            if vm.exit_status() is not None:
                print(f"QEMU exited during the window; {vm.exit_report()}", file=sys.stderr)
                return 1
    except (QemuError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"idle_cpu_percent: {ticks / CLOCK_TICKS_PER_SECOND / wall * 100:.1f}")
    print(f"idle_cpu_ticks_per_second: {ticks / wall:.1f}")
    print(f"idle_window_seconds: {wall:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
