"""thread_scenarios: Keel's threads seen from the shell: `ps`, `spawn`, `kill`, and the shell, the game and the
clock staying usable while CPU-bound threads run.

Every scenario boots the kernel ELF (-m 128M) to its first prompt, types with QMP send-key and checks the
screen and serial as session.Session.check does. The Typist knows `ps`, `spawn` and `kill` only by name (their
output is not predicted), so each command's reply is read here, from the rows a serial terminal shows between
the command line and the next prompt, and checked word for word where the issue words it; then the Typist is
told those rows (Typist.learn), so the whole screen is compared again from there on.
  boot/threads-ps                  `ps`: the header `ID NAME STATE PRIO CPU CPU(ms) STACK(KiB) WAITS` and a row
                                   per thread, the shell and the idle thread among them; ids distinct, each
                                   stack's used KiB within its size, each thread on CPU 0 (the machine has
                                   one CPU)
  boot/threads-spin-kill           `spawn spin` three times: `started spin as thread <id>`, three new ids;
                                   `echo hi` typed key by key: each key is on the screen before the next is
                                   pressed, and the reply comes; `ps` lists the three spinners at background
                                   priority with CPU time that grows from one `ps` to the next; `kill <id>`
                                   prints `killed thread <id>` for each and `ps` no longer lists them;
                                   `kill 9999` prints `kill: no thread 9999`; `kill <the shell's id>` is
                                   refused with a message and the shell still answers
  boot/threads-clock               `spawn clock`: HH:MM:SS in the top-right corner of the screen, within a
                                   minute of the host's UTC time (QEMU's CMOS clock follows it), and later a
                                   later time; the shell works beside it; after `kill <id>` the time stops
  boot/threads-clock-beside-ttt    the clock keeps advancing while `ttt 2` has the screen and a move is
                                   played; Q gives the shell's screen back
  boot/threads-ttt-with-spinners   three spinners, then a game against the computer played as
                                   ttt_scenarios.play_computer plays it (one reply per move, never a loss,
                                   the shell's screen given back exactly), then each spinner killed
While the clock runs, its eight cells are left out of every comparison: it draws on the VGA screen only,
never on serial (kernel/console.h, console_draw_top_right).
"""

import re
import time

from session import ECHO_TIMEOUT, poll
from terminal import SerialTerminal
from ttt_scenarios import Game, press, read_view, play_computer, wait_game
from typist import PROMPT, ShellScenario, chords

PS_HEADER = ["ID", "NAME", "STATE", "PRIO", "CPU", "CPU(ms)", "STACK(KiB)", "WAITS"]
PS_ROW = re.compile(r"^(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)/(\d+)\s*(.*?)\s*$")
MACHINE_CPUS = 1  # QEMU's default: every thread runs on CPU 0
STARTED = re.compile(r"^started (\S+) as thread (\d+)$")
SPINNERS = 3
NO_SUCH_ID = 9999
CLOCK_TEXT = re.compile(r"^(\d\d):([0-5]\d):([0-5]\d)$")
CLOCK_COLUMNS = len("HH:MM:SS")
CLOCK_SLACK_S = 60  # the guest's CMOS clock against the host's: QEMU starts it from the host's UTC time
CLOCK_TIMEOUT = 5  # s for the clock to show a later time (it redraws once a second)
CLOCK_STOPPED_S = 2.5  # s the clock must keep its time after its thread is killed
DAY_S = 24 * 3600


# --- reading replies off the screen ------------------------------------------------------------------------------


def terminal_rows(vm):
    """Every row a serial terminal as wide as the screen shows for the whole log, scrolled-off ones included."""
    terminal = SerialTerminal(vm.columns, vm.rows).feed(vm.serial_text())
    return [row.rstrip() for row in terminal.main.text_rows()]


def reply_after(rows, line, count):
    """The rows after the `count`-th row equal to `line` up to the next prompt, or None if there is no such
    row yet or no prompt after it (the reply is not complete)."""
    starts = [i for i, row in enumerate(rows) if row == line]
    if len(starts) < count:
        return None
    reply = []
    for row in rows[starts[count - 1] + 1:]:
        if row.startswith(PROMPT.rstrip()):
            return reply
        reply.append(row)
    return None


def run(session, command):
    """Type `command` and Enter; (its reply rows, None) once screen and serial show it, or (None, problem).
    The reply is read from the serial terminal, where the same command typed twice gives two rows to count
    (the Typist cannot tell such replies apart: it predicts neither)."""
    line = PROMPT + command
    count = terminal_rows(session.vm).count(line) + 1
    session.type(command + "\n")
    problem = poll(lambda: None if reply_after(terminal_rows(session.vm), line, count) is not None
                   else f"serial: no complete reply to `{command}`", ECHO_TIMEOUT)
    problem = problem or session.check()
    if problem:
        return None, f"after `{command}`: {problem}"
    reply = reply_after(terminal_rows(session.vm), line, count)
    session.typist.learn(reply)  # the callers check it; the screen checks can then cover it too
    return reply, None


def one_line_reply(session, command):
    """(the single row `command` printed, None) or (None, problem)."""
    reply, problem = run(session, command)
    if problem:
        return None, problem
    if len(reply) != 1:
        return None, f"`{command}` printed {reply!r}, expected one row"
    return reply[0], None


def ps(session):
    """Run `ps`: ({name: [row dicts]}, {id: row dict}, None) or (None, None, problem)."""
    reply, problem = run(session, "ps")
    if problem:
        return None, None, problem
    if not reply or reply[0].split() != PS_HEADER:
        return None, None, f"`ps` header {reply[:1]!r}, expected the words {' '.join(PS_HEADER)}"
    by_name, by_id = {}, {}
    for row in reply[1:]:
        match = PS_ROW.match(row)
        if not match:
            return None, None, f"`ps` row {row!r} is not ID NAME STATE PRIO CPU CPU(ms) USED/SIZE [WAITS]"
        tid, name, state, prio, on_cpu, cpu, used, size, waits = match.groups()
        thread = {"id": int(tid), "name": name, "state": state, "prio": prio, "cpu": int(on_cpu),
                  "cpu_ms": int(cpu), "used_kib": int(used), "size_kib": int(size), "waits": waits}
        if thread["id"] in by_id:
            return None, None, f"`ps` lists thread id {tid} twice"
        if not 0 < thread["used_kib"] <= thread["size_kib"]:
            return None, None, f"`ps` row {row!r}: stack use not within its size"
        if thread["cpu"] >= MACHINE_CPUS:
            return None, None, f"`ps` row {row!r}: CPU {thread['cpu']}, but the machine has {MACHINE_CPUS}"
        by_id[thread["id"]] = thread
        by_name.setdefault(name, []).append(thread)
    return by_name, by_id, None


def spawn(session, demo):
    """`spawn demo`: (the new thread's id, None) or (None, problem)."""
    row, problem = one_line_reply(session, f"spawn {demo}")
    if problem:
        return None, problem
    match = STARTED.match(row)
    if not match or match.group(1) != demo:
        return None, f"`spawn {demo}` printed {row!r}, expected 'started {demo} as thread <id>'"
    return int(match.group(2)), None


def spawn_spinners(session):
    """SPINNERS times `spawn spin`: (their ids, None) or (None, problem)."""
    ids = []
    for _ in range(SPINNERS):
        tid, problem = spawn(session, "spin")
        if problem:
            return None, problem
        if tid in ids:
            return None, f"`spawn spin` gave thread id {tid} twice"
        ids.append(tid)
    return ids, None


def kill(session, tid):
    """`kill <tid>` of a thread that exists and may be killed: None, or what went wrong."""
    row, problem = one_line_reply(session, f"kill {tid}")
    if problem:
        return problem
    return None if row == f"killed thread {tid}" else f"`kill {tid}` printed {row!r}"


def kill_all(session, ids):
    for tid in ids:
        problem = kill(session, tid)
        if problem:
            return problem
    return None


# --- the scenarios -----------------------------------------------------------------------------------------------


def play_ps(session):
    by_name, _, problem = ps(session)
    if problem:
        return problem
    missing = [name for name in ("shell", "idle") if name not in by_name]
    if missing:
        return f"`ps` lists no {' and no '.join(missing)} thread (it lists {sorted(by_name)})"
    return None


def type_watching_each_key(session, text):
    """Type `text` a key at a time; each must be on the screen's last row before the next is pressed."""
    for ch in text:
        session.type(ch)
        expected = (PROMPT + session.typist.line).rstrip()

        def echoed():
            shown = [row.rstrip() for row in session.vm.screen() if row.strip()]
            return None if shown and shown[-1] == expected else f"last row {shown[-1:]!r}, expected {expected!r}"
        problem = poll(echoed, ECHO_TIMEOUT)
        if problem:
            return f"typing {ch!r} with {SPINNERS} spinners running: {problem}"
    return None


def spinners_problem(by_name, ids, before=None):
    """None if `ps` lists exactly the spinners `ids`, at background priority, with CPU time (more than before)."""
    listed = sorted(t["id"] for t in by_name.get("spin", []))
    if listed != sorted(ids):
        return f"`ps` lists spin threads {listed}, expected {sorted(ids)}"
    for t in by_name["spin"]:
        if t["prio"] != "bg":
            return f"`ps`: spinner {t['id']} has priority {t['prio']!r}, expected bg"
        if t["cpu_ms"] <= (before[t["id"]]["cpu_ms"] if before else 0):
            had = f" (it had {before[t['id']]['cpu_ms']} ms before)" if before else ""
            return f"`ps`: spinner {t['id']} shows {t['cpu_ms']} ms of CPU{had}"
    return None


def refused_kill_problem(session, by_name):
    """`kill <the shell's id>` prints a refusal and the shell still runs its commands."""
    shell_id = by_name["shell"][0]["id"]
    row, problem = one_line_reply(session, f"kill {shell_id}")
    if problem:
        return problem
    if not row.startswith(f"kill: thread {shell_id} "):
        return f"`kill {shell_id}` (the shell) printed {row!r}, expected a refusal"
    row, problem = one_line_reply(session, "echo still here")
    return problem or (None if row == "still here" else f"`echo still here` printed {row!r}")


def play_spin_kill(session):
    ids, problem = spawn_spinners(session)
    problem = problem or type_watching_each_key(session, "echo hi")
    if problem:
        return problem
    session.type("\n")
    problem = session.check()
    first, _, problem = (None, None, problem) if problem else ps(session)
    problem = problem or spinners_problem(first, ids)
    second, _, problem = (None, None, problem) if problem else ps(session)
    problem = problem or spinners_problem(second, ids, {t["id"]: t for t in first["spin"]})
    problem = problem or kill_all(session, ids)
    if problem:
        return problem
    after, _, problem = ps(session)
    if problem:
        return problem
    if "spin" in after:
        return f"`ps` still lists spinners {[t['id'] for t in after['spin']]} after `kill`"
    row, problem = one_line_reply(session, f"kill {NO_SUCH_ID}")
    if problem:
        return problem
    if row != f"kill: no thread {NO_SUCH_ID}":
        return f"`kill {NO_SUCH_ID}` printed {row!r}, expected 'kill: no thread {NO_SUCH_ID}'"
    return refused_kill_problem(session, after)


class ClockHidden:
    """The machine with the clock's cells (the top row's last eight) blanked in what the checks read."""

    def __init__(self, vm):
        self._vm = vm

    def __getattr__(self, name):
        return getattr(self._vm, name)

    def screen(self):
        rows = self._vm.screen()
        return [rows[0][:-CLOCK_COLUMNS] + " " * CLOCK_COLUMNS] + rows[1:]

    def screen_cells(self):
        cells = self._vm.screen_cells()
        top = cells[0][:-CLOCK_COLUMNS] + [(0x20, 0x07)] * CLOCK_COLUMNS
        return [top] + cells[1:]

    def clock(self):
        """The top-right corner's text."""
        return self._vm.screen()[0][-CLOCK_COLUMNS:]


def seconds_of(text):
    match = CLOCK_TEXT.match(text)
    if not match or int(match.group(1)) > 23:
        return None
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def ahead(later, earlier):
    """Seconds from `earlier` to `later` on a 24-hour dial (0 to DAY_S - 1)."""
    return (later - earlier) % DAY_S


def wait_clock(vm, after=None):
    """(seconds the clock shows, None) once it shows a time (later than `after`), or (None, problem)."""
    seen = {}

    def shows():
        seen["text"] = vm.clock()
        value = seconds_of(seen["text"])
        if value is None:
            return f"top-right corner {seen['text']!r}, expected HH:MM:SS"
        if after is not None and not 0 < ahead(value, after) < CLOCK_TIMEOUT + 2:
            return f"the clock still shows {seen['text']!r}"
        seen["value"] = value
        return None
    problem = poll(shows, ECHO_TIMEOUT if after is None else CLOCK_TIMEOUT)
    return seen.get("value"), problem


def clock_plausible(value):
    host = time.gmtime()
    now = host.tm_hour * 3600 + host.tm_min * 60 + host.tm_sec
    off = min(ahead(value, now), ahead(now, value))
    return None if off <= CLOCK_SLACK_S else f"the clock shows a time {off} s away from the host's UTC time"


def play_clock(session):
    clock_vm = session.vm = ClockHidden(session.vm)
    tid, problem = spawn(session, "clock")
    if problem:
        return problem
    first, problem = wait_clock(clock_vm)
    problem = problem or clock_plausible(first)
    if problem:
        return problem
    row, problem = one_line_reply(session, "echo beside the clock")
    if problem or row != "beside the clock":
        return problem or f"`echo beside the clock` printed {row!r}"
    _, problem = wait_clock(clock_vm, after=first)
    problem = problem or kill(session, tid)
    if problem:
        return problem
    stopped = clock_vm.clock()
    time.sleep(CLOCK_STOPPED_S)
    if clock_vm.clock() != stopped:
        return f"the clock went on from {stopped!r} to {clock_vm.clock()!r} after `kill {tid}`"
    return session.check()


def play_clock_beside_ttt(session):
    clock_vm = session.vm = ClockHidden(session.vm)
    tid, problem = spawn(session, "clock")
    _, problem = (None, problem) if problem else wait_clock(clock_vm)
    if problem:
        return problem
    snapshot = session.snapshot()
    session.type("ttt 2\n")
    game = Game(two_players=True)
    problem = wait_game(clock_vm, game)
    if problem:
        return problem
    press(clock_vm, *chords("5"))
    game.play(4)
    problem = wait_game(clock_vm, game)
    during, problem = (None, problem) if problem else wait_clock(clock_vm)
    _, problem = (None, problem) if problem else wait_clock(clock_vm, after=during)
    if problem:
        return f"during the game: {problem}"
    if read_view(clock_vm) is None:
        return "the board left the screen while the clock ticked"
    press(clock_vm, *chords("q"))
    return session.check() or session.restored_problem(snapshot) or kill(session, tid)


def play_ttt_with_spinners(session):
    ids, problem = spawn_spinners(session)
    if problem:
        return problem
    problem = play_computer(session)
    if problem:
        return f"with {SPINNERS} spinners running: {problem}"
    return kill_all(session, ids)


def thread_scenarios(kernel):
    return [
        ShellScenario("boot/threads-ps", kernel, play_ps),
        ShellScenario("boot/threads-spin-kill", kernel, play_spin_kill),
        ShellScenario("boot/threads-clock", kernel, play_clock),
        ShellScenario("boot/threads-clock-beside-ttt", kernel, play_clock_beside_ttt),
        ShellScenario("boot/threads-ttt-with-spinners", kernel, play_ttt_with_spinners),
    ]
