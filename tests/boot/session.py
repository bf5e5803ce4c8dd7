"""session: one boot of Keel to its shell, driven like a person would, and the shared checks.

A boot is the kernel ELF with QEMU's -kernel (-m 128M), its screen the VGA text buffer (80x25), or keel.img
under OVMF (pc, -m 512M) through Keel's UEFI loader, its screen the GOP framebuffer decoded cell by cell
against the build's font (fbscreen.FramebufferMachine: 160x50 at OVMF's 1280x800). Everything below holds
for both, at the screen's own size.

Session.start waits for the serial line containing "ready" followed by the prompt, then waits for the prompt
to be the last row on the screen and keeps the rows above it. From then on every key a scenario presses
(QMP send-key) or byte it writes to COM1 goes both to the machine and to a typist.Typist, and Session.check
polls until all of this holds (or a generous timeout passes):
  - the screen is the rows above the first prompt followed by the Typist's rows, scrolled as a screen of
    that size scrolls. Once the Typist has run a command whose output it cannot predict, only the rows after
    that output are compared, and they must end at the last non-blank row of the screen;
  - the serial log after the ready line, rendered by a terminal emulator (terminal.SerialTerminal), shows
    the same rows, with no control sequence a terminal would not understand and as many bells as the
    Typist expects;
  - the bottom rows of that terminal (fed the kernel's whole log: from its banner on, without what firmware
    and loader wrote before it) equal the screen: both devices agree.
Full-screen programs are checked with snapshot() / restored_problem(): the screen's cells (characters and
colours) above the prompt row are the same as before, after any scrolling the Typist's rows explain.
"""

import os
import re
import time

from fbscreen import FramebufferMachine
from keelqemu import OVMF, Machine, QemuError, tail
from terminal import SerialTerminal
from typist import PROMPT, TYPING_HOLD_MS, Typist, chords, press_all

SHELL_MEMORY = "128M"
KERNEL_READY_TIMEOUT = 20  # s: -kernel boots straight into the kernel
UEFI_SHELL_MEMORY = "512M"
UEFI_READY_TIMEOUT = 60  # s: OVMF's start (about 3 s unloaded under TCG) + the loader + the kernel
SCREEN_SETTLE_TIMEOUT = 3  # s: the screen may lag the serial line by a few writes
ECHO_TIMEOUT = 10  # s: for everything typed, and the commands' output, to reach the screen and serial
MACHINE_TIMEOUT = 90  # s: the watchdog kills QEMU after this, whatever the scenario is doing
POLL_INTERVAL = 0.1  # s between two looks at the screen
READY = "ready"
READY_LINE = re.compile(rf"^.*{READY}.*\n", re.MULTILINE)  # whole: typing must not start mid-line
PROMPT_AFTER_READY = re.compile(rf"^.*{READY}.*\n{re.escape(PROMPT)}", re.MULTILINE)
# The kernel's first line, "Keel 0.1.0 - a small x86_64 kernel" (kernel/main.c, kernel_print_boot_summary):
# on serial, OVMF and the UEFI loader write before it; on the screen, the kernel's console starts with it.
KERNEL_BANNER = re.compile(r"^Keel \S+ - ", re.MULTILINE)


# --- reporting ---------------------------------------------------------------------------------------------------


def one_line(lines, limit):
    """Join the last `limit` non-blank lines with ' | ' so a failure stays on one line."""
    return " | ".join(tail(lines, limit)) or "(empty)"


def context(vm):
    """Serial tail and screen text (if QEMU can still be asked) to append to a failure reason."""
    parts = [f"serial: {one_line(vm.serial_lines(), 6)}"]
    try:
        parts.append(f"screen: {one_line(vm.screen(), 12)}")
    except (QemuError, OSError):
        parts.append(vm.exit_report().replace("\n", " | "))
    return "; ".join(parts)


def rows_differ(shown, expected, first_row, where):
    """None if the rows are equal (ignoring trailing blanks), else the first three that differ."""
    wrong = [i for i, (a, b) in enumerate(zip(shown, expected)) if a.rstrip() != b.rstrip()]
    if len(shown) != len(expected):
        wrong.append(min(len(shown), len(expected)))
    if not wrong:
        return None
    detail = "; ".join(f"row {first_row + i}: {_row(shown, i)}, expected {_row(expected, i)}" for i in wrong[:3])
    return f"{where}: {detail}"


def _row(rows, i):
    return repr(rows[i].rstrip()) if i < len(rows) else "(none)"


# --- waiting -----------------------------------------------------------------------------------------------------


def poll(check, timeout):
    """Call check() (None when satisfied, else a problem) until it is satisfied or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while True:
        problem = check()
        if problem is None or time.monotonic() >= deadline:
            return problem
        time.sleep(POLL_INTERVAL)


def contains(rows, block):
    """True if the rows of `block` appear one after another in `rows` (trailing blanks ignored)."""
    rows = [row.rstrip() for row in rows]
    block = [row.rstrip() for row in block]
    return any(rows[i:i + len(block)] == block for i in range(len(rows) - len(block) + 1))


def last_text_row(screen):
    """Index of the last row with something on it, or None for a blank screen."""
    filled = [i for i, row in enumerate(screen) if row.strip()]
    return filled[-1] if filled else None


# --- the session -------------------------------------------------------------------------------------------------


class Session:
    """A booted machine at the shell, the Typist at its keyboard, and the checks of what both show."""

    def __init__(self, vm, ready_timeout=KERNEL_READY_TIMEOUT):
        self.vm = vm
        self.ready_timeout = ready_timeout  # s from QEMU's start to the prompt on serial
        self.rows, self.columns = vm.rows, vm.columns  # 25x80 in VGA text; a framebuffer's grid: after start()
        self.typist = None  # start() makes it, as wide as the screen
        self.ready_line = None  # the serial line containing "ready", with its '\n'
        self.above = None  # the screen rows above the first prompt

    def start(self):
        """Wait for the ready line, the prompt after it on serial and the prompt as the last screen row."""
        if not self.vm.wait_serial(PROMPT_AFTER_READY, self.ready_timeout):
            status = self.vm.exit_status()
            if status is not None:
                return f"QEMU exited with status {status} before the prompt"
            return f"no '{READY}' line followed by the prompt {PROMPT!r} on serial within {self.ready_timeout} s"
        self.ready_line = READY_LINE.search(self.vm.serial_text()).group(0)

        def prompt_is_last_row():
            screen = self.vm.screen()
            row = last_text_row(screen)
            if row is None or screen[row].rstrip() != PROMPT.rstrip():
                return f"screen: the last row is not the prompt {PROMPT!r} (serial has it)"
            self.above = screen[:row]
            return None

        problem = poll(prompt_is_last_row, SCREEN_SETTLE_TIMEOUT)
        self.rows, self.columns = self.vm.rows, self.vm.columns  # a framebuffer's grid, once it has been read
        self.typist = Typist(self.columns)
        return problem

    # -- input -------------------------------------------------------------------------------------------------

    def press(self, keys, hold_ms=TYPING_HOLD_MS, paced=False):
        """Press each chord (QMP send-key), and let the Typist press it (paced: see press_all)."""
        press_all(self.vm, self.typist, keys, hold_ms, paced)

    def type(self, text, hold_ms=TYPING_HOLD_MS, paced=False):
        """Type ASCII text on the keyboard ('\\n' is Enter)."""
        self.press(chords(text), hold_ms, paced)

    def send(self, text):
        """Write text to COM1 as a serial terminal would send it."""
        self.vm.serial_write(text)
        self.typist.receive(text)

    # -- expectations -----------------------------------------------------------------------------------------

    def scrolled_rows(self):
        """How many rows the screen has scrolled since start, as far as the Typist knows (complete only)."""
        return max(0, len(self.above) + len(self.typist.rows()) - self.rows)

    def expected_screen(self):
        """The rows the screen should show (when the Typist knows every line)."""
        rows = (self.above + self.typist.rows())[-self.rows:]
        return rows + [""] * (self.rows - len(rows))

    def screen_problem(self):
        """None if the screen shows what the Typist expects, else the rows that differ."""
        screen = self.vm.screen()
        if self.typist.complete:
            return rows_differ(screen, self.expected_screen(), 0, "screen")
        known = self.typist.rows()
        last = last_text_row(screen)
        if last is None:
            return "screen: blank"
        first = last + 1 - len(known)
        if not contains(screen[:max(first, 0)], self.typist.command_rows()):
            return f"screen: no {self.typist.command_rows()} above the rows expected after its output"
        return rows_differ(screen[first:last + 1], known, first, "screen (after the last command's output)")

    def kernel_log(self):
        """The serial log from the kernel's banner on (all of it if there is no banner)."""
        log = self.vm.serial_text()
        banner = KERNEL_BANNER.search(log)
        return log[banner.start():] if banner else log

    def serial_problem(self):
        """None if a serial terminal shows the Typist's rows after the ready line and agrees with the screen."""
        log = self.vm.serial_text()
        terminal = self.terminal().feed(log.split(self.ready_line, 1)[-1])
        if terminal.unknown:
            return f"serial: sequences no terminal understands: {', '.join(terminal.unknown[:5])}"
        if terminal.alternate:
            return "serial: the terminal is still on its alternate screen"
        known = self.typist.rows()
        rows = terminal.main.text_rows()
        if not self.typist.complete:
            if not contains(rows[:-len(known)], self.typist.command_rows()):
                return f"serial terminal: no {self.typist.command_rows()} above the rows expected after its output"
            rows = rows[-len(known):]
        problem = rows_differ(rows, known, 0, "serial terminal after the ready line")
        if problem:
            return problem
        if terminal.bells != self.typist.bells:
            return f"serial: {terminal.bells} bells, expected {self.typist.bells}"
        whole = self.terminal().feed(self.kernel_log()).visible_rows(self.rows)
        return rows_differ(self.vm.screen(), whole, 0, "screen against the serial terminal's")

    def terminal(self):
        """A serial terminal as wide as the screen, whose alternate screen is as tall."""
        return SerialTerminal(self.columns, self.rows)

    def check(self, timeout=ECHO_TIMEOUT):
        """Wait until screen and serial show what the Typist expects; None, or what is still wrong."""
        return poll(lambda: self.screen_problem() or self.serial_problem(), timeout)

    # -- full-screen programs ---------------------------------------------------------------------------------

    def snapshot(self):
        """The screen's cells now, with the prompt row and the scroll count (after a passing check())."""
        cells = self.vm.screen_cells()
        return cells, last_text_row(self.vm.screen()), self.scrolled_rows()

    def restored_problem(self, snapshot):
        """None if every cell above the snapshot's prompt row is back (characters and colours)."""
        cells, prompt_row, scrolled = snapshot
        shift = self.scrolled_rows() - scrolled
        now = self.vm.screen_cells()
        for row in range(shift, prompt_row):
            for col, (was, is_now) in enumerate(zip(cells[row], now[row - shift])):
                if was != is_now:
                    return (f"screen row {row - shift} column {col}: (char, attribute) {is_now}, "
                            f"before the program {was}")
        return None


def shell_machine(scenario):
    """(the machine the scenario boots, seconds it may take to the prompt): the kernel ELF with -kernel, or
    (scenario.font set) the disk image under OVMF, its framebuffer decoded against that font."""
    if scenario.font is None:
        args = ["-kernel", scenario.path, "-m", SHELL_MEMORY, *scenario.machine]
        return Machine(args, timeout=MACHINE_TIMEOUT, serial_input=scenario.serial_input), KERNEL_READY_TIMEOUT
    # snapshot=on: writes go to a temporary overlay, so the image is never changed and machines can share it.
    args = ["-bios", OVMF, "-drive", f"file={scenario.path},format=raw,snapshot=on", "-m", UEFI_SHELL_MEMORY,
            *scenario.machine]
    vm = FramebufferMachine(args, scenario.font, timeout=UEFI_READY_TIMEOUT + MACHINE_TIMEOUT,
                            serial_input=scenario.serial_input)
    return vm, UEFI_READY_TIMEOUT


def run_shell_scenario(scenario):
    """Boot, start the session, play the scenario; the PASS:/FAIL: line."""
    if not os.path.exists(scenario.path):
        return f"FAIL: {scenario.name}: {scenario.path}: no such file"
    try:
        vm, ready_timeout = shell_machine(scenario)
        with vm:
            session = Session(vm, ready_timeout)
            try:
                problem = session.start() or scenario.play(session)
            except QemuError as err:  # QEMU went away under send-key or pmemsave: is_running() tells
                problem = str(err)
            if scenario.stays_up and not vm.is_running():
                status = vm.wait_exit(timeout=2)
                problem = f"QEMU stopped (exit status {status}; reset or triple fault?)"
            if problem:
                problem = f"{problem}; {context(vm)}"
    except QemuError as err:
        problem = str(err)
    problem = problem and problem.replace("\n", " | ")
    return f"FAIL: {scenario.name}: {problem}" if problem else f"PASS: {scenario.name}"
