"""smp_scenarios: Keel on machines with 1, 2, 4 and 8 CPUs, pc and q35, under multi-threaded TCG.

Each scenario boots the kernel ELF with the ramdisk and `-smp N -accel tcg,thread=multi` to the prompt and checks:
  - the boot's interrupts line on serial reports "N of N CPUs online", with the I/O APIC bringing the lines;
  - `hello a b`, a ring-3 program, prints its greeting and arguments;
  - the shell still echoes afterwards (the model of the whole screen checks every row).
On 8 CPUs (pc) the user-space game is also played to a win. N is the machine's; what must appear is known here
from N, never read from Keel.
  boot/smp<N>-<machine>   for N in 1, 2, 4, 8 on pc and 2, 8 on q35
"""

import re

from program_scenarios import play_hello, play_ttt_win
from typist import ShellScenario

CONFIGS = [("pc", 1), ("pc", 2), ("pc", 4), ("pc", 8), ("q35", 2), ("q35", 8)]
ONLINE = re.compile(r"interrupts: x?APIC \+ I/O APIC \(PICs masked\), IST for #DF/NMI/#MC; (\d+) of (\d+) CPUs online")


def online_problem(session, cpus):
    """None when serial reports every one of `cpus` CPUs online, else what it says."""
    match = ONLINE.search(session.vm.serial_text())
    if not match:
        return "serial: no interrupts line with the CPUs online"
    if (int(match.group(1)), int(match.group(2))) != (cpus, cpus):
        return f"serial: {match.group(0)!r}, expected {cpus} of {cpus} CPUs online"
    return None


def play(cpus, game):
    def run(session):
        return online_problem(session, cpus) or play_hello(session) or (game and play_ttt_win(session))
    return run


def smp_scenarios(kernel, initrd):
    return [ShellScenario(f"boot/smp{cpus}-{machine}", kernel, play(cpus, machine == "pc" and cpus == 8),
                          machine=["-machine", machine, "-smp", str(cpus), "-accel", "tcg,thread=multi",
                                   "-initrd", initrd])
            for machine, cpus in CONFIGS]
