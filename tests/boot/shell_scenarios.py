"""shell_scenarios: Keel's shell driven like a person would, from the keyboard (QMP send-key) or COM1.

Every scenario boots the kernel ELF (-m 128M) to its first prompt (session.Session). Unless said otherwise the
whole VGA screen must equal the rows above the first prompt followed by what typist.Typist expects, the serial
terminal must show the same rows (and bells), and the two devices must agree (Session.check); the literal rows
named below are checked on top of that, so a mistake in the model cannot hide a wrong screen.
  boot/shell-help             `help`: one row per command, in the order help clear echo mem input uptime cpu
                              color ttt int3 panic reboot shutdown ps spawn kill sleep run, each as
                              "  NAME [usage]  description"; then, those rows told to the Typist
                              (Typist.learn), the whole screen and serial once more
  boot/shell-echo             `echo hello "big  world"` prints "hello big  world" (quotes group, spaces kept)
  boot/shell-unknown-command  `frobnicate` prints "unknown command: frobnicate (try help)"; `color pink` ends
                              with the row "usage: color <fg> <bg>" and a new prompt
  boot/shell-history          Up Up Enter runs `echo one` again; `eho x` Home Right `c` runs `echo x`;
                              Ctrl+C leaves "^C" and a fresh prompt; Home, Right, End and Delete edit in
                              the middle; Up then Down brings back the empty line, another Down rings
  boot/shell-line-limit       210 characters typed fast: the line shows exactly the first 200 after the
                              prompt (three rows), ten bells on serial; Enter runs it, `echo` works after
  boot/shell-panic            `panic test`: "KERNEL PANIC", the row "panic on CPU 0: test", "backtrace:" and
                              a frame naming cmd_panic, on screen and serial; a second later QEMU still
                              runs (halted, not reset) and the report is still there
  boot/shell-reboot           `reboot` prints "Rebooting..." and QEMU (-no-reboot) exits within 10 s with a
                              SHUTDOWN event of reason guest-reset
  boot/shell-shutdown-pc      `shutdown` prints "Powering off..." and QEMU exits within 10 s with reason
  boot/shell-shutdown-q35     guest-shutdown (ACPI S5), on the pc and the q35 machine
  boot/shell-serial-session   everything over COM1: `echo`, an unknown command, then ESC [ A twice and
                              Return runs the echo again, then `help` (as in shell-help)
  boot/uefi-shell-help        shell-help on keel.img under OVMF (pc, -m 512M): the same checks on the decoded
                              framebuffer, at its 160x50 grid
"""

import re
import time

from session import ECHO_TIMEOUT, contains, last_text_row, poll
from typist import (BURST_HOLD_MS, COMMANDS, CTRL_C, DELETE, DOWN, END, ENTER, HOME, LEFT, LINE_LIMIT, PROMPT,
                    RIGHT, SERIAL_ENTER, SERIAL_UP, UP, ShellScenario)

# "  NAME", its arguments as <...> or [...], two or more blanks, a description.
HELP_ROW = re.compile(r"^  ([a-z0-9]+)((?: (?:<[^>]+>|\[[^\]]+\]))*) {2,}(\S.*?)\s*$")
EXIT_TIMEOUT = 10  # s: reboot and shutdown take well under a second
STILL_HALTED_DELAY = 1  # s: how long a panicked machine must stay up with its report


def block_problem(screen, block):
    """None if the rows of `block` appear one after another on the screen (ignoring trailing blanks)."""
    return None if contains(screen, block) else f"screen: no rows {block!r} one after another"


def help_problem(screen):
    """None if the rows after the last `keel> help` list every command, in order, each with a description."""
    starts = [i for i, row in enumerate(screen) if row.rstrip() == PROMPT + "help"]
    if not starts:
        return "screen: no row 'keel> help'"
    listed = []
    for row in screen[starts[-1] + 1:]:
        match = HELP_ROW.match(row)
        if match:
            listed.append(match.group(1))
            if not re.search(r"[a-z]{2}", match.group(3)):
                return f"help: no description for {match.group(1)}: {row.rstrip()!r}"
    if listed != list(COMMANDS):
        return f"help lists {' '.join(listed) or 'nothing'}, expected {' '.join(COMMANDS)}"
    return None


# --- keyboard ----------------------------------------------------------------------------------------------------


def play_help(session):
    session.type("help\n")
    problem = session.check() or help_problem(session.vm.screen())
    if problem:
        return problem
    # The rows help_problem has read are what `help` printed: once the model knows them, the whole screen is
    # compared again, the rows above the first prompt included.
    screen = [row.rstrip() for row in session.vm.screen()]
    command = max(i for i, row in enumerate(screen) if row == PROMPT + "help")
    session.typist.learn(screen[command + 1:last_text_row(screen)])
    return session.check()


def play_echo(session):
    session.type('echo hello "big  world"\n')
    return session.check() or block_problem(session.vm.screen(), ['keel> echo hello "big  world"',
                                                                  "hello big  world", PROMPT])


def play_unknown_command(session):
    session.type("frobnicate\n")
    problem = session.check() or block_problem(session.vm.screen(), [
        "keel> frobnicate", "unknown command: frobnicate (try help)", PROMPT])
    if problem:
        return problem
    session.type("color pink\n")
    return session.check() or block_problem(session.vm.screen(), ["usage: color <fg> <bg>", PROMPT])


def play_history(session):
    session.type("echo one\necho two\n")
    session.press([UP, UP, ENTER])
    session.type("eho x")
    session.press([HOME, RIGHT])
    session.type("c\n")
    session.type("echo never")
    session.press([CTRL_C])
    session.type("echo wrld")
    session.press([HOME] + [RIGHT] * len("echo w"))
    session.type("o")
    session.press([END])
    session.type("!\necho abc")
    session.press([LEFT, LEFT, DELETE, ENTER])
    session.press([UP, DOWN, DOWN])  # back to the empty line; the second Down has nowhere to go: a bell
    session.type("echo done\n")
    return session.check() or block_problem(session.vm.screen(), [
        "keel> echo one", "one", "keel> echo x", "x", "keel> echo never^C", "keel> echo world!", "world!",
        "keel> echo ac", "ac", "keel> echo done", "done", PROMPT])


def play_line_limit(session):
    # Fourteen words of fifteen characters: within the shell's 16 arguments, and the 200th character
    # falls inside the fourteenth word, so the line on screen ends in a cut word.
    text = "".join(f"w{i:02d}abcdefghijk " for i in range(1, 15))
    assert len(text) == LINE_LIMIT + 10
    session.type(text, BURST_HOLD_MS, paced=True)  # what is tested is the limit, not the key rate
    problem = session.check()
    if problem:
        return problem
    screen = [row.rstrip() for row in session.vm.screen()]
    first = [i for i, row in enumerate(screen) if row.startswith(PROMPT + "w01")]
    shown = "".join(session.vm.screen()[first[-1]:first[-1] + 3]).rstrip() if first else "(no such row)"
    if shown != (PROMPT + text[:LINE_LIMIT]).rstrip():
        return f"the long line shows {shown!r}, expected the prompt and the first {LINE_LIMIT} characters"
    session.type("\necho still here\n")
    return session.check() or block_problem(session.vm.screen(), [
        "unknown command: w01abcdefghijk (try help)", "keel> echo still here", "still here", PROMPT])


PANIC_MESSAGE_ROW = "panic on CPU 0: test"  # one CPU: the boot CPU reports


def panic_report_problem(vm):
    """None if the screen shows the panic report for `panic test` below the typed line."""
    screen = [row.strip() for row in vm.screen()]
    if "keel> panic test" not in screen:
        return "screen: no row 'keel> panic test'"
    after = screen[screen.index("keel> panic test") + 1:]
    if "KERNEL PANIC" not in after:
        return "screen: no 'KERNEL PANIC' row below the typed line"
    after = after[after.index("KERNEL PANIC") + 1:]
    if PANIC_MESSAGE_ROW not in after:
        return f"screen: no row {PANIC_MESSAGE_ROW!r} (the CPU and the message) in the panic report"
    if "backtrace:" not in after:
        return "screen: no 'backtrace:' row in the panic report"
    if not any("cmd_panic" in row for row in after[after.index("backtrace:") + 1:]):
        return "screen: the backtrace does not name cmd_panic"
    return None


def play_panic(session):
    vm = session.vm
    session.type("panic test\n")
    problem = poll(lambda: panic_report_problem(vm), ECHO_TIMEOUT)
    if problem:
        return problem
    serial = vm.serial_text()
    if "KERNEL PANIC" not in serial or "cmd_panic" not in serial:
        return "serial: no 'KERNEL PANIC' report naming cmd_panic"
    time.sleep(STILL_HALTED_DELAY)
    if not vm.is_running():
        return f"QEMU stopped after the panic (exit status {vm.wait_exit(2)}; reset or triple fault?)"
    return panic_report_problem(vm)


def exit_problem(session, command, message, reason):
    """Type `command`; QEMU must print `message` after it and exit with a SHUTDOWN event of `reason`."""
    vm = session.vm
    session.type(command + "\n")
    status = vm.wait_exit(EXIT_TIMEOUT)
    if status is None:
        return f"QEMU still runs {EXIT_TIMEOUT} s after `{command}`"
    after = vm.serial_text().split(PROMPT + command + "\n", 1)
    if len(after) < 2 or message not in after[1]:
        return f"serial: no '{message}' after the `{command}` line"
    shown = vm.shutdown_reason()
    if shown != reason:
        return f"QEMU exited (status {status}) with SHUTDOWN reason {shown}, expected {reason}"
    return None


def play_reboot(session):
    return exit_problem(session, "reboot", "Rebooting...", "guest-reset")


def play_shutdown(session):
    return exit_problem(session, "shutdown", "Powering off...", "guest-shutdown")


# --- serial ------------------------------------------------------------------------------------------------------


def play_serial_session(session):
    session.send('echo "over serial"  works' + SERIAL_ENTER + "frobnicate" + SERIAL_ENTER)
    session.send(SERIAL_UP * 2 + SERIAL_ENTER)  # Up: frobnicate, Up again: the echo
    problem = session.check() or block_problem(session.vm.screen(), [
        'keel> echo "over serial"  works', "over serial works", "keel> frobnicate",
        "unknown command: frobnicate (try help)", 'keel> echo "over serial"  works', "over serial works",
        PROMPT])
    if problem:
        return problem
    # help last: its long output would scroll the rows above out of sight
    session.send("help" + SERIAL_ENTER)
    return session.check() or help_problem(session.vm.screen())


def shell_scenarios(kernel):
    return [
        ShellScenario("boot/shell-help", kernel, play_help),
        ShellScenario("boot/shell-echo", kernel, play_echo),
        ShellScenario("boot/shell-unknown-command", kernel, play_unknown_command),
        ShellScenario("boot/shell-history", kernel, play_history),
        ShellScenario("boot/shell-line-limit", kernel, play_line_limit),
        ShellScenario("boot/shell-panic", kernel, play_panic),
        ShellScenario("boot/shell-reboot", kernel, play_reboot, stays_up=False),
        ShellScenario("boot/shell-shutdown-pc", kernel, play_shutdown, stays_up=False),
        ShellScenario("boot/shell-shutdown-q35", kernel, play_shutdown, machine=["-machine", "q35"],
                      stays_up=False),
        ShellScenario("boot/shell-serial-session", kernel, play_serial_session, serial_input=True),
    ]


def uefi_shell_scenarios(image, font):
    """The scenarios that run on the UEFI framebuffer: `image` under OVMF, decoded against `font`."""
    return [ShellScenario("boot/uefi-shell-help", image, play_help, font=font)]
