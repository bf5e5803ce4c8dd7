"""program_scenarios: the ramdisk's programs run from the shell, in ring 3, read back off the screen and serial.

Every scenario boots the kernel ELF with the ramdisk (build/initrd.tar, QEMU -initrd, a Multiboot 1 module) to
the prompt (session.Session) and types as a person would (QMP send-key, or COM1). What the programs must print
comes from the README and from the archive itself (read here with Python's tarfile), never from the kernel.
  boot/program-hello        `hello big world`: "Hello from user space", its pid, and each argument on screen
                            and serial; `echo after` still works (the model checks every row after it)
  boot/program-readline     `readline`, then "hi there" typed with a Backspace and Left/Right edits on the
                            keyboard: the kernel's line editor echoes and edits it, and the program gets the
                            whole line, '\n' included, over several 7-byte reads
  boot/program-ls-cat       `ls` lists every file of build/initrd.tar with its size; `cat README` shows the
                            archive's README, line by line; `cat nothing` says why it cannot
  boot/program-crash-kinds  `crash null`, `kwrite`, `kexec`, `priv`, `div0`, `ud`, `stack`: each ends with the
                            kernel's line "crash[PID]: <what happened>, rip 0x...: killed" naming the right
                            fault, and `echo` answers after each
  boot/program-ctrl-c       `crash loop` spins in ring 3 without a system call: Ctrl+C on the keyboard ends it
                            ("crash[PID]: killed"), and again Ctrl+C on the serial line
  boot/program-sysfuzz      `sysfuzz 1 100000`: 100,000 random system calls end with its summary line and no
                            panic; `mem` shows the same number of free frames before and after
  boot/program-spawnloop    `spawnloop 1000`: a thousand children spawned and waited for, all exit 0; the
                            free frames are back where they were
  boot/program-ttt-win      `run ttt 2`: the user-space game, played to a win and to a draw with the board read
  boot/program-ttt-draw     off the screen as for the built-in game (ttt_scenarios.py); leaving gives the
                            shell its screen back exactly
"""

import os
import re
import tarfile
import time

from session import ECHO_TIMEOUT, poll
from ttt_scenarios import ESCAPE, Game, leave_game, open_game, play_digits, press, rows_problem, wait_game
from typist import BACKSPACE, CTRL_C, ENTER, LEFT, SERIAL_ENTER, TYPING_HOLD_MS, ShellScenario, chords

PROGRAM_TIMEOUT = 60  # s: sysfuzz and spawnloop run for a while under TCG
FREE_FRAMES = re.compile(r"frames: \d+ total \(\d+ MiB\), (\d+) free")
KILLED = r"crash\[\d+\]: {}, rip 0x[0-9a-f]+: killed"
CRASH_KINDS = [
    ("null", r"page fault at 0x0 \(read, not present\)"),
    ("kwrite", r"page fault at 0xffff[0-9a-f]+ \(write, (protection|not present)\)"),
    ("kexec", r"page fault at 0xffff[0-9a-f]+ \(execute, (protection|not present)\)"),
    ("priv", r"general protection fault"),
    ("div0", r"divide error"),
    ("ud", r"invalid opcode"),
    ("stack", r"page fault at 0x7fff[0-9a-f]+ \(write, not present; below the stack: stack overflow\)"),
]


def initrd_files(initrd):
    """{name: bytes} of the archive's regular files."""
    with tarfile.open(initrd, format=tarfile.USTAR_FORMAT) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def serial_after(vm, marker):
    """The serial text after the last occurrence of marker ('' if none)."""
    text = vm.serial_text().replace("\r", "")
    at = text.rfind(marker)
    return text[at + len(marker):] if at >= 0 else ""


def wait_serial_after(vm, marker, pattern, timeout=ECHO_TIMEOUT):
    """None once `pattern` (a regex) appears on serial after marker, else the problem."""
    def check():
        return None if re.search(pattern, serial_after(vm, marker), re.MULTILINE) else \
            f"serial: no {pattern!r} after {marker!r}"
    return poll(check, timeout)


def run_command(session, command, pattern, timeout=ECHO_TIMEOUT):
    """Type command and wait for pattern on serial after it, then for the prompt after that."""
    session.type(command + "\n")
    marker = "keel> " + command + "\n"
    return (wait_serial_after(session.vm, marker, pattern, timeout)
            or wait_serial_after(session.vm, marker, pattern + r"[\s\S]*^keel> ", timeout))


def free_frames(session):
    """Run `mem`; the free-frame count it prints, or a problem string."""
    problem = run_command(session, "mem", FREE_FRAMES.pattern)
    if problem:
        return None, problem
    return int(FREE_FRAMES.findall(serial_after(session.vm, "keel> mem\n"))[-1]), None


def echo_problem(session, text):
    session.type(f"echo {text}\n")
    return session.check()


def play_hello(session):
    problem = run_command(session, "hello big world", r"^Hello from user space")
    if problem:
        return problem
    out = serial_after(session.vm, "keel> hello big world\n")
    for word in ("hello", "big", "world"):
        if not re.search(rf"\b{word}\b", out.split("keel> ")[0]):
            return f"serial: hello's output {out[:200]!r} lacks its argument {word!r}"
    screen = "\n".join(session.vm.screen())
    if "Hello from user space" not in screen:
        return "screen: no 'Hello from user space'"
    return echo_problem(session, "after")


def play_readline(session):
    vm = session.vm
    session.type("readline\n")
    problem = wait_serial_after(vm, "keel> readline\n", r"line\? ")
    if problem:
        return problem
    press(vm, *chords("hi therx"), BACKSPACE, *chords("e"), *[LEFT] * 7,
          *chords("o"), ENTER)  # "hi there", then "o" after "h": "hoi there"
    problem = wait_serial_after(vm, "keel> readline\n", r'read 10 bytes in 2 reads: "hoi there"')
    if problem:
        return problem
    screen = "\n".join(row.rstrip() for row in vm.screen())
    if 'read 10 bytes in 2 reads: "hoi there"' not in screen:
        return "screen: no 'read 10 bytes in 2 reads' line"
    return run_command(session, "echo next", r"^next$")


def play_ls_cat(session, initrd):
    files = initrd_files(initrd)
    problem = run_command(session, "ls", r"README")
    if problem:
        return problem
    listing = serial_after(session.vm, "keel> ls\n").split("keel> ")[0]
    for name, data in files.items():
        if not any(re.search(rf"\b{re.escape(name)}\b", row) and re.search(rf"\b{len(data)}\b", row)
                   for row in listing.split("\n")):
            return f"ls: no line naming {name} with its size {len(data)}: {listing[:300]!r}"
    readme = files["README"].decode().rstrip("\n").split("\n")
    problem = run_command(session, "cat README", re.escape(readme[-1]))
    if problem:
        return problem
    out = serial_after(session.vm, "keel> cat README\n")
    shown = out[:out.rfind("\nkeel> ")].split("\n")  # up to the next prompt (the README names it too)
    if [row.rstrip() for row in shown] != [row.rstrip() for row in readme]:
        return f"cat README shows {shown[:3]!r}..., the archive's README begins {readme[:3]!r}"
    return run_command(session, "cat nothing", r"cat: nothing: ")


def play_crash_kinds(session):
    for kind, what in CRASH_KINDS:
        problem = run_command(session, f"crash {kind}", KILLED.format(what))
        if problem:
            return f"crash {kind}: {problem}"
        screen = "".join(session.vm.screen())  # full rows run on: a wrapped line reads as one
        if not re.search(KILLED.format(what), screen):
            return f"crash {kind}: the screen lacks the kill line"
        problem = run_command(session, f"echo ok {kind}", rf"^ok {kind}$")
        if problem:
            return problem
    return None


def play_ctrl_c(session):
    vm = session.vm
    session.type("crash loop\n")
    time.sleep(1)  # it spins in ring 3 meanwhile
    vm.send_key(*CTRL_C, hold_time=TYPING_HOLD_MS)  # to the program: not a key the shell's model sees
    problem = wait_serial_after(vm, "keel> crash loop\n", r"crash\[\d+\]: killed")
    if problem:
        return f"keyboard Ctrl+C: {problem}"
    problem = run_command(session, "echo back", r"^back$")
    if problem:
        return problem
    vm.serial_write("crash loop" + SERIAL_ENTER)
    time.sleep(1)
    vm.serial_write("\x03")
    problem = wait_serial_after(vm, "keel> crash loop\n", r"crash\[\d+\]: killed")
    if problem:
        return f"serial Ctrl+C: {problem}"
    return run_command(session, "echo back again", r"^back again$")


def leak_problem(session, command, pattern):
    before, problem = free_frames(session)
    problem = problem or run_command(session, command, pattern, PROGRAM_TIMEOUT)
    if problem:
        return problem
    after, problem = free_frames(session)
    if problem:
        return problem
    return None if after == before else f"{command}: {before} free frames before, {after} after"


def play_sysfuzz(session):
    return leak_problem(session, "sysfuzz 1 100000", r"^sysfuzz: 100000 calls.*done")


def play_spawnloop(session):
    return leak_problem(session, "spawnloop 1000", r"^spawnloop: 1000 children, all exited 0")


def play_ttt_win(session):
    vm = session.vm
    snapshot, problem = open_game(session, "run ttt 2")
    game = Game(two_players=True)
    problem = problem or wait_game(vm, game) or play_digits(vm, game, [0, 3, 1, 4, 2])
    return problem or rows_problem(vm, "after X's top row", "X wins!  Press R for a new round, Q to leave.",
                                   "Score  X: 1   O: 0   Draws: 0") or leave_game(session, snapshot, chords("q")[0])


def play_ttt_draw(session):
    vm = session.vm
    snapshot, problem = open_game(session, "run ttt 2")
    game = Game(two_players=True)
    problem = problem or wait_game(vm, game) or play_digits(vm, game, [0, 1, 2, 4, 3, 5, 7, 6, 8])
    return problem or rows_problem(vm, "after a full board without a line",
                                   "Draw!  Press R for a new round, Q to leave.",
                                   "Score  X: 0   O: 0   Draws: 1") or leave_game(session, snapshot, ESCAPE)


def program_scenarios(kernel, initrd):
    ramdisk = ["-initrd", initrd]
    return [
        ShellScenario("boot/program-hello", kernel, play_hello, machine=ramdisk),
        ShellScenario("boot/program-readline", kernel, play_readline, machine=ramdisk),
        ShellScenario("boot/program-ls-cat", kernel, lambda s: play_ls_cat(s, initrd), machine=ramdisk),
        ShellScenario("boot/program-crash-kinds", kernel, play_crash_kinds, machine=ramdisk),
        ShellScenario("boot/program-ctrl-c", kernel, play_ctrl_c, serial_input=True, machine=ramdisk),
        ShellScenario("boot/program-sysfuzz", kernel, play_sysfuzz, machine=ramdisk),
        ShellScenario("boot/program-spawnloop", kernel, play_spawnloop, machine=ramdisk),
        ShellScenario("boot/program-ttt-win", kernel, play_ttt_win, machine=ramdisk),
        ShellScenario("boot/program-ttt-draw", kernel, play_ttt_draw, machine=ramdisk),
    ]
