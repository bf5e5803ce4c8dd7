#!/usr/bin/env python3
"""Measure how much host CPU QEMU burns while Keel idles at the shell's prompt, beside two floors: the same
QEMU running a kernel that only halts (tests/bench/halt_kernel.S).

An idle Keel has nothing armed on its one-shot timer, so it takes no timer interrupt at all: the CPU sleeps
in `hlt` until a key comes, and QEMU's vCPU thread sleeps with it. What is left is QEMU's own work (its main
loop, device timers). The floor (`cli; hlt` forever, as issue 10 measured it) also leaves the BIOS's 18.2 Hz
PIT running, which QEMU emulates period by period; the quiet floor stops that PIT first, so it is the least
this QEMU can spend. Goal (issue 10): idle at most 1.5 times the floor.

Method, per run: boot the kernel with QEMU's -kernel (-display none, COM1 on a socket: keelqemu.Machine),
wait for Keel's "ready" line (the floor kernel prints nothing, so it is given FLOOR_BOOT_SECONDS to boot),
let it settle for SETTLE_SECONDS, then read QEMU's CPU time at the start and at the end of a --seconds
window. The CPU time is the process's CPU-time clock (clock_getcpuclockid: every thread of
QEMU, in nanoseconds), or utime + stime from /proc/<pid>/stat (clock ticks, usually 10 ms) where that clock is
missing. CPU time over wall time is the share of one host core. Keel and the floor take turns, --runs times
each (Keel, floor, quiet floor, Keel, ...), and the medians are reported, so a burst of other work on the
host moves one run, not the figure.
Keel's `uptime` command, typed before and after its window, gives the timer interrupts taken meanwhile.

stdout holds only `name: value` lines:
    idle_cpu_percent: <median over the runs of CPU time / wall time * 100, percent of one core: Keel>
    idle_cpu_floor_percent: <the same for the kernel that only halts (cli; hlt)>
    idle_cpu_quiet_floor_percent: <the same for the kernel that stops the PIT, then halts>
    idle_cpu_ratio_to_floor: <idle_cpu_percent / idle_cpu_floor_percent; the goal is at most 1.5>
    idle_cpu_ratio_to_quiet_floor: <idle_cpu_percent / idle_cpu_quiet_floor_percent>
    idle_timer_interrupts_per_second: <Keel's timer interrupts during its windows, per second (median)>
    idle_runs: <runs of each kernel>
    idle_window_seconds: <the length of each measured window>
    idle_cpu_clock: <"cpuclock" (nanoseconds) or "proc-stat" (clock ticks): where the CPU time came from>
Progress and errors go to stderr; the exit status is 1 if a kernel did not boot or QEMU failed.

Usage: tools/bench_idle.py [--kernel build/kernel.elf] [--floor-kernel build/bench/halt_kernel.elf]
                           [--quiet-floor-kernel build/bench/halt_kernel_quiet.elf]
                           [--runs 3] [--seconds 5] [--memory 256M]
"""

import argparse
import ctypes
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))

from keelqemu import Machine, QemuError  # noqa: E402  (found through the path above)

READY = "ready"
READY_TIMEOUT = 30  # s: -kernel boots in well under a second; slack for a loaded machine
FLOOR_BOOT_SECONDS = 1  # s: the floor kernel says nothing; the firmware and its jump take well under this
SETTLE_SECONDS = 1  # s: let the last boot output and QMP's connection die down before measuring
UPTIME_TIMEOUT = 10  # s: for the answer to a typed `uptime`
UPTIME_LINE = re.compile(r"up \d+:\d\d:\d\d\.\d{3} \((\d+) timer interrupts\)")
GOAL_RATIO = 1.5  # issue 10: idle at most 1.5 times the floor
CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")  # the unit of utime and stime in /proc/<pid>/stat
STAT_UTIME_FIELD = 14  # proc(5): 1-based field numbers in /proc/<pid>/stat
STAT_STIME_FIELD = 15


def proc_stat_seconds(pid):
    """utime + stime of process `pid` (all its threads), in seconds, at clock-tick resolution."""
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    # Field 2, the command name, is in parentheses and may hold spaces: split after its closing one.
    fields = text[text.rindex(")") + 2:].split()
    first = 3  # the field number of fields[0]
    ticks = int(fields[STAT_UTIME_FIELD - first]) + int(fields[STAT_STIME_FIELD - first])
    return ticks / CLOCK_TICKS_PER_SECOND


def cpu_clock_reader(pid):
    """(name, function returning the CPU seconds of process `pid`): its CPU-time clock if libc has one."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        clock = ctypes.c_int()
        if libc.clock_getcpuclockid(pid, ctypes.byref(clock)) == 0:
            time.clock_gettime_ns(clock.value)  # raises OSError where the kernel will not read it
            return "cpuclock", lambda: time.clock_gettime_ns(clock.value) / 1e9
    except (OSError, AttributeError):
        pass
    return "proc-stat", lambda: proc_stat_seconds(pid)


def measure(read_cpu, seconds):
    """CPU seconds used over a window of about `seconds`, and the window's wall seconds."""
    start_cpu, start = read_cpu(), time.monotonic()
    time.sleep(seconds)
    end_cpu, end = read_cpu(), time.monotonic()
    return end_cpu - start_cpu, end - start


def timer_interrupts(vm):
    """Type `uptime` on COM1 and return the timer interrupts it reports (None if no answer)."""
    before = len(UPTIME_LINE.findall(vm.serial_text()))
    vm.serial_write("uptime\r")
    deadline = time.monotonic() + UPTIME_TIMEOUT
    while time.monotonic() < deadline:
        answers = UPTIME_LINE.findall(vm.serial_text())
        if len(answers) > before:
            return int(answers[-1])
        time.sleep(0.05)
    return None


def idle_run(kernel, is_keel, args):
    """One boot: (CPU percent of one core, clock name, Keel's timer interrupts per second or None)."""
    timeout = READY_TIMEOUT + 2 * UPTIME_TIMEOUT + 2 * SETTLE_SECONDS + args.seconds + 30
    with Machine(["-kernel", kernel, "-m", args.memory], timeout=timeout, debug_exit=False,
                 serial_input=True) as vm:
        if is_keel and not vm.wait_serial(READY, READY_TIMEOUT):
            raise QemuError(f"{kernel}: no '{READY}' on serial within {READY_TIMEOUT} s; {vm.exit_report()}")
        time.sleep(SETTLE_SECONDS if is_keel else FLOOR_BOOT_SECONDS + SETTLE_SECONDS)
        first = timer_interrupts(vm) if is_keel else None
        if is_keel:
            time.sleep(SETTLE_SECONDS)  # the shell's answer, then quiet again
        clock, read_cpu = cpu_clock_reader(vm.proc.pid)
        cpu, wall = measure(read_cpu, args.seconds)
        if vm.exit_status() is not None:
            raise QemuError(f"{kernel}: QEMU exited during the window; {vm.exit_report()}")
        last = timer_interrupts(vm) if first is not None else None
    rate = (last - first) / wall if first is not None and last is not None else None
    return cpu / wall * 100, clock, rate


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Host CPU use of QEMU while Keel idles, beside a kernel "
                                                 "that only halts.")
    parser.add_argument("--kernel", default="build/kernel.elf", help="Keel's kernel ELF for QEMU -kernel")
    parser.add_argument("--floor-kernel", default="build/bench/halt_kernel.elf",
                        help="the kernel that only halts (Multiboot 1)")
    parser.add_argument("--quiet-floor-kernel", default="build/bench/halt_kernel_quiet.elf",
                        help="the kernel that stops the PIT, then halts")
    parser.add_argument("--runs", type=int, default=3, help="boots of each kernel; medians are reported")
    parser.add_argument("--seconds", type=float, default=5, help="length of each measured window")
    parser.add_argument("--memory", default="256M", help="QEMU -m (like `make run`)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.runs < 1:
        parser.error("--seconds must be positive and --runs at least 1")
    for path in (args.kernel, args.floor_kernel, args.quiet_floor_kernel):
        if not os.path.exists(path):
            parser.error(f"{path}: no such file")
    return args


def ratio(value, floor):
    return value / floor if floor > 0 else float("inf")


def main(argv):
    args = parse_args(argv)
    kernels = ((args.kernel, True), (args.floor_kernel, False), (args.quiet_floor_kernel, False))
    percents = {kernel: [] for kernel, _ in kernels}
    rates, clocks = [], set()
    try:
        for run in range(args.runs):
            for kernel, is_keel in kernels:
                percent, clock, rate = idle_run(kernel, is_keel, args)
                percents[kernel].append(percent)
                clocks.add(clock)
                if rate is not None:
                    rates.append(rate)
                print(f"run {run + 1}/{args.runs}: {kernel}: {percent:.3f}% of a core"
                      + (f", {rate:.1f} timer interrupts/s" if rate is not None else ""),
                      file=sys.stderr, flush=True)
    except (QemuError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    idle, floor, quiet = (statistics.median(percents[kernel]) for kernel, _ in kernels)
    print(f"idle_cpu_percent: {idle:.3f}")
    print(f"idle_cpu_floor_percent: {floor:.3f}")
    print(f"idle_cpu_quiet_floor_percent: {quiet:.3f}")
    print(f"idle_cpu_ratio_to_floor: {ratio(idle, floor):.2f}")
    print(f"idle_cpu_ratio_to_quiet_floor: {ratio(idle, quiet):.2f}")
    if rates:
        print(f"idle_timer_interrupts_per_second: {statistics.median(rates):.1f}")
    print(f"idle_runs: {args.runs}")
    print(f"idle_window_seconds: {args.seconds:g}")
    print(f"idle_cpu_clock: {'+'.join(sorted(clocks))}")
    verdict = "met" if ratio(idle, floor) <= GOAL_RATIO else "not met"
    print(f"goal (issue 10): idle at most {GOAL_RATIO:g} x the floor: {verdict}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
