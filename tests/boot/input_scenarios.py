"""input_scenarios: input arriving faster than the shell can echo it must never be lost.

The kernel queues input bytes in a ring between the interrupt handler and the shell; when the shell falls
behind and the ring fills, the drivers leave further bytes in the device (the UART's FIFO, the 8042's output
buffer) until the shell has made room, and QEMU holds back what the UART cannot take. Each scenario floods the
shell, then checks as session.Session.check does that the whole VGA screen, and the serial terminal's rendering
of the whole log, show every line the typist.Typist expects (a lost byte shows as a broken line, and the
kernel's own "input: N bytes dropped so far" report as a row nobody expected), and finally runs the `input`
command, whose first row must be exactly "input: 0 bytes dropped".
  boot/serial-paste-20-lines      20 lines `echo P<n>-<60 letters>` and Return each, written to COM1 in one
  boot/serial-paste-200-lines     write (as a terminal pastes), then 200 such lines: every command line and
                                  its echo on serial, the last ones on the screen
  boot/keyboard-160-keys-no-delay 160 key presses through QMP send-key back to back with the shortest hold:
                                  four `echo` lines arrive whole. No Shift: QEMU queues send-key's events itself
                                  and discards what does not fit before the guest sees it (QEMU 7.2, measured: of
                                  300 plain keys sent back to back about 225 arrive, of 160 with Shift about
                                  100); 160 plain keys all fit
"""

import string

from typist import BURST_HOLD_MS, PROMPT, SERIAL_ENTER, ShellScenario, chords

PASTE_LETTERS = (string.ascii_lowercase + string.ascii_uppercase)[:60]
PASTE_TIMEOUT = 60  # s: 200 lines take the kernel about 0.3 s alone; slack for a busy machine
KEYBOARD_LINES = 4
KEYS_PER_LINE = 40  # with its Enter: 160 keys in all
NOTHING_DROPPED = "input: 0 bytes dropped"


def paste_line(n):
    return f"echo P{n}-{PASTE_LETTERS}"


def keyboard_line(n):
    """`echo k<n>-` and letters: KEYS_PER_LINE keys with its Enter, none with Shift."""
    start = f"echo k{n}-"
    return start + (string.ascii_lowercase * 2)[:KEYS_PER_LINE - 1 - len(start)]


def nothing_dropped_problem(session, type_command):
    """Run `input` (type_command types it and lets the Typist know); None if it reports 0 bytes dropped."""
    type_command("input")
    problem = session.check()
    if problem:
        return problem
    screen = [row.rstrip() for row in session.vm.screen()]
    if PROMPT + "input" not in screen:
        return "screen: no row 'keel> input'"
    reply = screen[screen.index(PROMPT + "input") + 1]
    return None if reply == NOTHING_DROPPED else f"`input` says {reply!r}, expected {NOTHING_DROPPED!r}"


def paste(count):
    """A scenario: `count` echo lines written to COM1 at once, all of them echoed, nothing dropped."""
    def play(session):
        session.send("".join(paste_line(n) + SERIAL_ENTER for n in range(count)))
        return (session.check(timeout=PASTE_TIMEOUT)
                or nothing_dropped_problem(session, lambda line: session.send(line + SERIAL_ENTER)))
    return play


def type_160_keys(session):
    text = "".join(keyboard_line(n) + "\n" for n in range(KEYBOARD_LINES))
    assert len(text) == KEYBOARD_LINES * KEYS_PER_LINE
    session.press(chords(text), BURST_HOLD_MS)
    return (session.check(timeout=PASTE_TIMEOUT)
            or nothing_dropped_problem(session, lambda line: session.type(line + "\n")))


def input_scenarios(kernel):
    return [
        ShellScenario("boot/serial-paste-20-lines", kernel, paste(20), serial_input=True),
        ShellScenario("boot/serial-paste-200-lines", kernel, paste(200), serial_input=True),
        ShellScenario("boot/keyboard-160-keys-no-delay", kernel, type_160_keys),
    ]
