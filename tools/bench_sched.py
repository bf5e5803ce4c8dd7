#!/usr/bin/env python3
"""Count the guest instructions of a thread switch, a key's wake-up and a scrolled line, exactly, in QEMU; and
what a second CPU gives and what crossing between CPUs costs.

Method, one CPU: boot the test kernel (--kernel, QEMU -kernel) once per benchmark case of tests/kernel/bench_sched.c,
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

Several CPUs (tests/kernel/bench_smp.c says what each case does):
    smp_primes        the primes below 10^7 by trial division, one pinned thread per CPU, under multi-threaded
                      TCG (-accel tcg,thread=multi: each guest CPU a host thread of its own), booted with -smp 1
                      and -smp 2 in turn, SPEEDUP_ROUNDS rounds, the order swapped each round, so that a change
                      in the host's load hits both boots of a round. A round's speed-up is its 1-CPU wall time
                      over its 2-CPU wall time; the median round is reported with its two times, and with the
                      host cores each of its QEMUs had (its CPU time over the boot's wall time, the single-CPU
                      start-up included: about 1.75 for -smp 2 on an idle 2-core host; less means the host was
                      busy with other work, and no guest can then gain a full second CPU). Every boot must
                      count the same primes: a different count is an error.
    smp_ipi_wakeup    thread A on CPU 0 wakes thread B, blocked on CPU 1 (an IPI); both pinned
    smp_lock_handoff  a contended spinlock passes between two CPUs
The last two are booted with -smp 2 under -icount shift=0 and under multi-threaded TCG. With -icount, QEMU
runs the CPUs in turn on one host thread (multi-threaded TCG is off) and every CPU's TSC is QEMU's one
virtual clock, which advances by one for each instruction any CPU executes: a TSC difference between two
CPUs is the sum of both CPUs' instructions meanwhile, in the order QEMU ran them, and an IPI or a cache line
takes no time at all to cross. The cases make that sum the path itself: the waker halts as soon as B is
woken, so CPU 1 runs next; the releasing CPU pauses right after its release, and QEMU's TCG ends a CPU's
turn at PAUSE. So the `_instructions` figures are exact path lengths over both CPUs, not times. The `_ns`
figures are what QEMU takes on this host with each CPU on a host thread: the wake-up of a halted CPU's
thread, the host's cache traffic; the median of THREADED_BOOTS boots' medians, and a busy host moves them
a lot. The kernel prints TSC ticks and the TSC's rate; this tool names them after the way QEMU ran.

stdout holds only `name: value` lines, e.g.
    context_switch_instructions: <per switch, two decimals>
    context_switch_loop_instructions: <the yield loop's share: the same loop around a one-instruction call>
    wakeup_latency_instructions: <median>    wakeup_latency_min_instructions: ...    ..._max_instructions: ...
    vga_scroll_instructions_per_line: ...    fb_scroll_instructions_per_line: ...    fb_scroll_pixels_per_line
    syscall_instructions: <per getpid round trip>    spawn_wait_instructions: <median>
    smp_speedup_2cpu: <1-CPU time / 2-CPU time>    smp_speedup_1cpu_ms: ...    smp_speedup_2cpu_ms: ...
    smp_speedup_primes: <the primes counted, the same in every boot>
    smp_speedup_1cpu_host_cores: <the median round's -smp 1 boot>    smp_speedup_2cpu_host_cores: <its -smp 2 boot>
    ipi_wakeup_instructions: <A's semaphore_up to B running; median>    ipi_wakeup_sender_instructions:
    <semaphore_up>    ipi_wakeup_receiver_instructions: <from there to B running>
    lock_handoff_instructions: <the release and the waiter's last look at the lock; median>
    ipi_wakeup_ns: ...    ipi_wakeup_sender_ns: ...    lock_handoff_ns: ...
Progress and errors go to stderr; the exit status is 1 if a case failed, hung or printed no figures.

Usage: tools/bench_sched.py [--kernel build/kernel-test.elf] [--timeout 120]
"""

import argparse
import os
import re
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "boot"))

from keelqemu import EXIT_SUCCESS, Machine, QemuError, tail  # noqa: E402  (found through the path above)

ICOUNT = ["-icount", "shift=0"]
THREADED = ["-accel", "tcg,thread=multi"]
CASES = ["sched_context_switch", "sched_wakeup_latency", "console_scroll", "proc_syscall", "proc_spawn_wait"]
# Searched, not anchored, like the kernel test runner's patterns.
BENCH_LINE = re.compile(r"bench: ([a-z0-9_]+): (\S+)\s*$")
PASS_LINE = re.compile(r"ktest: PASS (\S+)\s*$")

SPEEDUP_CASE = "smp_primes"
SPEEDUP_ROUNDS = 5  # odd: the median is one round
CROSSING_CASES = ["smp_ipi_wakeup", "smp_lock_handoff"]
THREADED_BOOTS = 3  # odd: the median is one boot's
NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000
# The crossing cases' tick figures, named for what a tick is: an instruction under -icount, host time under
# multi-threaded TCG. The receiver's share is left out there: the two CPUs run at once, so it is no path.
ICOUNT_NAMES = {
    "ipi_wakeup_ticks": "ipi_wakeup_instructions",
    "ipi_wakeup_sender_ticks": "ipi_wakeup_sender_instructions",
    "ipi_wakeup_receiver_ticks": "ipi_wakeup_receiver_instructions",
    "lock_handoff_ticks": "lock_handoff_instructions",
}
THREADED_NAMES = {
    "ipi_wakeup_ticks": "ipi_wakeup_ns",
    "ipi_wakeup_sender_ticks": "ipi_wakeup_sender_ns",
    "lock_handoff_ticks": "lock_handoff_ns",
}


def run_case(kernel, case, timeout, initrd, machine=ICOUNT):
    """Boot with ktest=<case> and the `machine` options; return its [(name, value)] figures, or raise
    RuntimeError saying what went wrong."""
    args = ["-kernel", kernel, "-append", f"ktest={case}", *machine]
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


def progress(text):
    print(text, file=sys.stderr, flush=True)


def whole_numbers(case, figures, names):
    """The figures called `names` as ints; RuntimeError if one is missing or not a whole number."""
    found = dict(figures)
    for name in names:
        if not found.get(name, "").isdigit():
            raise RuntimeError(f"{case}: no whole number `{name}` among {sorted(found)}")
    return [int(found[name]) for name in names]


def children_cpu_seconds():
    """Host CPU time (user + system) of the child processes waited for so far: the QEMUs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def count_primes(args, cpus):
    """One smp_primes boot on `cpus` CPUs: (primes counted, wall time in ns, host cores QEMU had: its CPU
    time over the wall time of the whole boot)."""
    cpu_before, wall_before = children_cpu_seconds(), time.monotonic()
    figures = run_case(args.kernel, SPEEDUP_CASE, args.timeout, args.initrd, ["-smp", str(cpus), *THREADED])
    cores = (children_cpu_seconds() - cpu_before) / (time.monotonic() - wall_before)
    online, count, ns = whole_numbers(SPEEDUP_CASE, figures, ["primes_cpus", "primes_count", "primes_ns"])
    if online != cpus:
        raise RuntimeError(f"{SPEEDUP_CASE}: {online} CPUs online, {cpus} booted")
    return count, ns, cores


def speedup(args):
    """The speed-up figures (module comment) as [(name, value)]."""
    rounds, counts = [], set()
    for i in range(SPEEDUP_ROUNDS):
        ns, cores = {}, {}
        for cpus in (1, 2) if i % 2 == 0 else (2, 1):
            count, ns[cpus], cores[cpus] = count_primes(args, cpus)
            counts.add(count)
        rounds.append((ns[1] / ns[2], ns[1], ns[2], cores[1], cores[2]))
        progress(f"  round {i + 1}: 1 CPU {ns[1] / NS_PER_MS:.0f} ms ({cores[1]:.2f} host cores), "
                 f"2 CPUs {ns[2] / NS_PER_MS:.0f} ms ({cores[2]:.2f} host cores), speed-up {ns[1] / ns[2]:.3f}")
    if len(counts) != 1:
        raise RuntimeError(f"{SPEEDUP_CASE}: the boots counted different numbers of primes: {sorted(counts)}")
    ratio, one, two, one_cores, two_cores = sorted(rounds)[SPEEDUP_ROUNDS // 2]
    return [("smp_speedup_2cpu", f"{ratio:.2f}"), ("smp_speedup_1cpu_ms", f"{one / NS_PER_MS:.0f}"),
            ("smp_speedup_2cpu_ms", f"{two / NS_PER_MS:.0f}"), ("smp_speedup_primes", str(counts.pop())),
            ("smp_speedup_1cpu_host_cores", f"{one_cores:.2f}"), ("smp_speedup_2cpu_host_cores", f"{two_cores:.2f}")]


def crossing_icount(args, case):
    """The case's tick figures under -icount: instruction counts."""
    figures = run_case(args.kernel, case, args.timeout, args.initrd, ["-smp", "2", *ICOUNT])
    return [(ICOUNT_NAMES[name], value) for name, value in figures if name in ICOUNT_NAMES]


def crossing_threaded(args, case):
    """The case's tick figures under multi-threaded TCG, in ns: the median of THREADED_BOOTS boots."""
    boots = []
    for _ in range(THREADED_BOOTS):
        figures = run_case(args.kernel, case, args.timeout, args.initrd, ["-smp", "2", *THREADED])
        names = [name for name, _ in figures if name in THREADED_NAMES]
        hz, *ticks = whole_numbers(case, figures, ["tsc_hz", *names])
        boots.append({THREADED_NAMES[name]: t * NS_PER_S / hz for name, t in zip(names, ticks)})
    return [(name, f"{statistics.median(boot[name] for boot in boots):.0f}") for name in boots[0]]


def measurements(args):
    """(what is booted, a function giving its [(name, value)] figures), in the order they are printed."""
    yield from ((f"ktest={case} under -icount shift=0",
                 lambda case=case: run_case(args.kernel, case, args.timeout, args.initrd)) for case in CASES)
    yield (f"ktest={SPEEDUP_CASE} with -smp 1 and -smp 2 under multi-threaded TCG, {SPEEDUP_ROUNDS} rounds",
           lambda: speedup(args))
    for case in CROSSING_CASES:
        yield f"ktest={case} with -smp 2 under -icount shift=0", lambda case=case: crossing_icount(args, case)
    for case in CROSSING_CASES:
        yield (f"ktest={case} with -smp 2 under multi-threaded TCG, {THREADED_BOOTS} boots",
               lambda case=case: crossing_threaded(args, case))


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Instructions per thread switch and per wake-up, under -icount; "
                                     "the speed-up of a second CPU and the cost of crossing between CPUs.")
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
    for what, measure in measurements(args):
        progress(f"booting {args.kernel} with {what}")
        try:
            figures = measure()
        except (QemuError, OSError, RuntimeError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        for name, value in figures:
            print(f"{name}: {value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
