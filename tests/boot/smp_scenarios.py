"""smp_scenarios: Keel on machines with 1, 2, 4 and 8 CPUs, pc and q35, under multi-threaded TCG.

Each scenario boots the kernel ELF with the ramdisk and `-smp N -accel tcg,thread=multi` to the prompt and checks:
  - the boot's interrupts line on serial reports "N of N CPUs online", with the I/O APIC bringing the lines;
  - `hello big world`, a ring-3 program, prints its greeting and arguments;
  - `cpus` lists CPUs 0 to N-1, each online with a distinct APIC id, and ends with "N CPUs online";
  - `spawn spin N-1` pins a spinning thread to the last CPU: `cpus` shows it running there (N > 1), and `kill`
    ends it;
  - the shell still echoes afterwards (the model of the whole screen checks every row).
On 8 CPUs (pc and q35) the user-space game is also played to a win. N is the machine's; what must appear is known here
from N, never read from Keel.
  boot/smp<N>-<machine>   for N in 1, 2, 4, 8 on pc and on q35
"""

import re

from program_scenarios import play_hello, play_ttt_win, run_command, serial_after
from session import ECHO_TIMEOUT, poll
from typist import ShellScenario

CONFIGS = [("pc", 1), ("pc", 2), ("pc", 4), ("pc", 8), ("q35", 1), ("q35", 2), ("q35", 4), ("q35", 8)]
ONLINE = re.compile(r"interrupts: x?APIC \+ I/O APIC \(PICs masked\), IST for #DF/NMI/#MC; (\d+) of (\d+) CPUs online")


def online_problem(session, cpus):
    """None when serial reports every one of `cpus` CPUs online, else what it says."""
    match = ONLINE.search(session.vm.serial_text())
    if not match:
        return "serial: no interrupts line with the CPUs online"
    if (int(match.group(1)), int(match.group(2))) != (cpus, cpus):
        return f"serial: {match.group(0)!r}, expected {cpus} of {cpus} CPUs online"
    return None


CPU_ROW = re.compile(r"^(\d+)\s+(\d+)\s+(\S+)\s+(\d+) (\S+)\s+(\d+)%\s+(\d+)\s*$", re.MULTILINE)
STARTED = re.compile(r"started spin as thread (\d+) on CPU (\d+)")


def cpus_rows(session):
    """Run `cpus`; ({cpu: (apic id, state, thread name)}, None) or (None, problem)."""
    typed_before = session.vm.serial_text().replace("\r", "").count("keel> cpus\n")
    session.type("cpus\n")

    def echoed():  # the output is read after this command's own echo, not an earlier one's
        text = session.vm.serial_text().replace("\r", "")
        return None if text.count("keel> cpus\n") > typed_before and re.search(
            r"^\d+ CPUs online$", serial_after(session.vm, "keel> cpus\n"), re.MULTILINE) \
            else "serial: no 'N CPUs online' after `cpus`"
    problem = poll(echoed, ECHO_TIMEOUT)
    if problem:
        return None, problem
    out = serial_after(session.vm, "keel> cpus\n").split("keel> ")[0]
    rows = {int(m.group(1)): (int(m.group(2)), m.group(3), m.group(5)) for m in CPU_ROW.finditer(out)}
    return rows, None


def cpus_problem(session, cpus):
    rows, problem = cpus_rows(session)
    if problem:
        return problem
    if sorted(rows) != list(range(cpus)):
        return f"cpus: rows for CPUs {sorted(rows)}, expected 0 to {cpus - 1}"
    if any(state != "online" for _, state, _ in rows.values()):
        return f"cpus: not every CPU online: {rows}"
    if len({apic for apic, _, _ in rows.values()}) != cpus:
        return f"cpus: APIC ids not distinct: {rows}"
    if not re.search(rf"^{cpus} CPUs online$", serial_after(session.vm, "keel> cpus\n"), re.MULTILINE):
        return f"cpus: no last line '{cpus} CPUs online'"
    return None


def pinned_spin_problem(session, cpus):
    last = cpus - 1
    problem = run_command(session, f"spawn spin {last}", r"started spin as thread \d+ on CPU \d+")
    if problem:
        return problem
    match = STARTED.search(serial_after(session.vm, f"keel> spawn spin {last}\n"))
    if int(match.group(2)) != last:
        return f"spawn: {match.group(0)!r}, expected CPU {last}"
    rows, problem = cpus_rows(session)
    if problem:
        return problem
    # With one CPU, the shell itself runs `cpus` there; with more, the spinner has its CPU to itself.
    if cpus > 1 and rows.get(last, (0, "", ""))[2] != "spin":
        return f"cpus: CPU {last} runs {rows.get(last)}, expected the pinned spin"
    return run_command(session, f"kill {match.group(1)}", rf"^killed thread {match.group(1)}$")


def play(cpus, game):
    def run(session):
        return (online_problem(session, cpus) or play_hello(session) or cpus_problem(session, cpus)
                or pinned_spin_problem(session, cpus) or (game and play_ttt_win(session)))
    return run


def smp_scenarios(kernel, initrd):
    return [ShellScenario(f"boot/smp{cpus}-{machine}", kernel, play(cpus, cpus == 8),
                          machine=["-machine", machine, "-smp", str(cpus), "-accel", "tcg,thread=multi",
                                   "-initrd", initrd])
            for machine, cpus in CONFIGS]
