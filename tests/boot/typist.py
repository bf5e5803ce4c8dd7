"""typist: a model of a person at Keel's shell, and the typing scenarios that hold the kernel to it.

The model knows the keyboard (which QEMU key codes type which character on a US layout, Shift and Caps Lock)
and what the shell promises (README, kernel/shell/line_edit.h): the prompt `keel> `, insertion at the cursor,
Backspace, Delete, Left/Right, Home/End, Up/Down through the lines entered before, Ctrl+C ("^C" and a new
prompt), a line of at most 200 characters (a key past the limit rings the bell and shows nothing), a bell for
every key that cannot act. After Enter it expects what the command prints when that is known from the
documentation alone: nothing for an empty line, the arguments of `echo` (split on spaces, double quotes
group), nothing for `ttt` (the game gives the shell its screen back), `unknown command: NAME (try help)` for
anything else that is not a command. Other commands print text the model does not predict; it marks the spot
(UNKNOWN) and the checks then compare only what came after it, until a scenario that has read and checked
that text itself hands it to the model (Typist.learn).

Typing scenarios (kernel ELF, -m 128M; keys through QMP send-key with Shift held for capitals and symbols,
or bytes through COM1). Each compares the whole VGA screen with the rows above the first prompt followed by
the model's rows, the serial terminal's rendering of the log after the ready line with the same rows (and its
bell count), and the last 25 rows of the serial terminal with the VGA screen; QEMU must still run after:
  boot/keyboard-hello-world           "Hello, World" and Enter: the line, then "unknown command: Hello, ..."
  boot/keyboard-backspace-capslock    Backspace on an empty line (bell, the prompt stays), Backspace after
                                      text, Enter, Caps Lock with and without Shift, digits under Caps Lock
  boot/serial-echo                    "serial ok\\r" written to COM1 (Machine(serial_input=True))
  boot/keyboard-typing-does-not-reset 200 presses (four lines and Enters) as fast as QMP takes them
"""

import string
import time
from dataclasses import dataclass, field
from typing import Callable

from keelqemu import VGA_COLUMNS, qcodes_for_char

PROMPT = "keel> "
LINE_LIMIT = 200  # characters in a line (line_edit.h, LINE_EDIT_MAX)
HISTORY_SIZE = 32  # lines Up/Down can bring back (line_edit.h, LINE_HISTORY_SIZE)
UNKNOWN = None  # in Typist.lines: output the model cannot predict
TYPING_HOLD_MS = 20  # send-key hold time when typing like a person
BURST_HOLD_MS = 1  # the shortest hold send-key honours (0 means QEMU's default of 10 ms)
BURST_KEYS = 200

SHIFT_KEYS = {"shift", "shift_r"}
CTRL_KEYS = {"ctrl", "ctrl_r"}
LETTER_KEYS = set(string.ascii_lowercase)
ENTER, BACKSPACE, CAPS_LOCK, DELETE = ("ret",), ("backspace",), ("caps_lock",), ("delete",)
UP, DOWN, LEFT, RIGHT, HOME, END = ("up",), ("down",), ("left",), ("right",), ("home",), ("end",)
CTRL_C = ("ctrl", "c")
SERIAL_ENTER, SERIAL_BACKSPACE, SERIAL_CTRL_C = "\r", "\x7f", "\x03"  # what a serial terminal sends
SERIAL_UP, SERIAL_DOWN = "\x1b[A", "\x1b[B"
# Terminal sequences (ESC [ final) for the keys without a character.
SERIAL_KEYS = {"A": UP, "B": DOWN, "C": RIGHT, "D": LEFT, "H": HOME, "F": END}

# What each key (QEMU qcode) types on a US layout: (without Shift, with Shift).
KEY_CHARACTERS = {letter: (letter, letter.upper()) for letter in string.ascii_lowercase}
KEY_CHARACTERS.update({digit: (digit, symbol) for digit, symbol in zip("1234567890", "!@#$%^&*()")})
KEY_CHARACTERS.update({
    "spc": (" ", " "), "minus": ("-", "_"), "equal": ("=", "+"), "bracket_left": ("[", "{"),
    "bracket_right": ("]", "}"), "backslash": ("\\", "|"), "semicolon": (";", ":"), "apostrophe": ("'", '"'),
    "grave_accent": ("`", "~"), "comma": (",", "<"), "dot": (".", ">"), "slash": ("/", "?"),
})

# The commands `help` lists (README), in its order; output the model does not predict.
COMMANDS = ("help", "clear", "echo", "mem", "input", "uptime", "cpu", "color", "ttt", "int3", "panic",
            "reboot", "shutdown", "ps", "cpus", "spawn", "kill", "sleep", "run")
# The programs on the ramdisk (README, "Programs in ring 3"): typed as a command, each runs; its output is
# not predicted.
PROGRAMS = ("hello", "true", "ls", "cat", "crash", "sysfuzz", "spawnloop", "heaptest", "sysbench", "readline")


def split_arguments(line):
    """The shell's words: split on spaces, double quotes group (and are removed); None if a quote is open."""
    words, word, in_word, quoted = [], "", False, False
    for ch in line:
        if ch == '"':
            quoted, in_word = not quoted, True
        elif ch == " " and not quoted:
            if in_word:
                words.append(word)
            word, in_word = "", False
        else:
            word, in_word = word + ch, True
    if quoted:
        return None
    if in_word:
        words.append(word)
    return words


def shell_reply(line):
    """The lines the shell prints for `line`, or UNKNOWN when the documentation does not say exactly."""
    words = split_arguments(line)
    if words is None:
        return UNKNOWN
    if not words:
        return []
    if words[0] == "echo":
        return [" ".join(words[1:])]
    if words in (["ttt"], ["ttt", "2"], ["run", "ttt"], ["run", "ttt", "2"]):
        return []  # the game (built in, or the program) runs on its own screen and puts the shell's back
    if words[0] in COMMANDS or words[0] in PROGRAMS:
        return UNKNOWN
    return [f"unknown command: {words[0]} (try help)"]


def wrap(line, columns=VGA_COLUMNS):
    """The screen rows a logical line fills, `columns` each; an empty line still takes a row."""
    return [line[i:i + columns] for i in range(0, len(line), columns)] or [""]


class Typist:
    """A person at the shell: the keys they press and what those keys should show."""

    def __init__(self, columns=VGA_COLUMNS):
        self.columns = columns  # the screen's width: 80 in VGA text, more on a large framebuffer
        self.lines = []  # finished lines since the first prompt (prompt + text, replies, UNKNOWN)
        self.line = ""  # the line being edited
        self.cursor = 0  # insertion point in self.line
        self.history = []  # lines entered, oldest first
        self.browse = 0  # 0: editing a new line; k: showing the k-th newest history entry
        self.saved = ""  # the new line while browsing the history
        self.caps_lock = False
        self.bells = 0
        self.entered = []  # every line run with Enter, in order

    # -- what the person sees ------------------------------------------------------------------------------------

    @property
    def complete(self):
        """True while every line is known (no command with unpredicted output was run)."""
        return UNKNOWN not in self.lines

    def rows(self):
        """Screen rows from the first prompt (or from after the last UNKNOWN output) to the current line."""
        known = self.lines
        if not self.complete:
            known = known[self._last_unknown() + 1:]
        return [row for line in known + [PROMPT + self.line] for row in wrap(line, self.columns)]

    def command_rows(self):
        """The rows of the command line whose output is the last UNKNOWN (it must be on screen above rows())."""
        return wrap(self.lines[self._last_unknown() - 1], self.columns)

    def _last_unknown(self):
        return len(self.lines) - 1 - self.lines[::-1].index(UNKNOWN)

    def learn(self, reply):
        """The rows the last command printed, when the model did not predict them, once a scenario has read
        and checked them itself: the model knows them from now on (complete again if no other is UNKNOWN)."""
        if self.lines and self.lines[-1] is UNKNOWN:
            self.lines[-1:] = list(reply)

    # -- keys ----------------------------------------------------------------------------------------------------

    def press(self, chord):
        """Keys pressed together (qcodes), e.g. ('shift', 'h'): at most one besides Shift or Ctrl."""
        shift = any(key in SHIFT_KEYS for key in chord)
        ctrl = any(key in CTRL_KEYS for key in chord)
        (key,) = [key for key in chord if key not in SHIFT_KEYS | CTRL_KEYS]
        if ctrl:
            if key != "c":
                raise ValueError(f"the model does not know Ctrl+{key}")
            self.cancel()
        elif (key,) == CAPS_LOCK:
            self.caps_lock = not self.caps_lock
        elif key in KEY_CHARACTERS:
            capital = shift != (self.caps_lock and key in LETTER_KEYS)
            self.insert(KEY_CHARACTERS[key][capital])
        else:
            self.edit((key,))

    def receive(self, text):
        """Characters arriving on COM1 from a serial terminal."""
        i = 0
        while i < len(text):
            if text.startswith("\x1b[", i) and text[i + 2:i + 3] in SERIAL_KEYS:
                self.edit(SERIAL_KEYS[text[i + 2]])
                i += 3
                continue
            ch = text[i]
            if ch == SERIAL_ENTER:
                self.edit(ENTER)
            elif ch == SERIAL_BACKSPACE:
                self.edit(BACKSPACE)
            elif ch == SERIAL_CTRL_C:
                self.cancel()
            else:
                self.insert(ch)
            i += 1

    def insert(self, ch):
        if len(self.line) >= LINE_LIMIT:
            self.bells += 1
            return
        self.line = self.line[:self.cursor] + ch + self.line[self.cursor:]
        self.cursor += 1

    def edit(self, chord):
        """A key without a character: Enter, Backspace, Delete, arrows, Home, End."""
        at_start, at_end = self.cursor == 0, self.cursor == len(self.line)
        if chord == ENTER:
            self.enter()
        elif chord == BACKSPACE and not at_start:
            self.line = self.line[:self.cursor - 1] + self.line[self.cursor:]
            self.cursor -= 1
        elif chord == DELETE and not at_end:
            self.line = self.line[:self.cursor] + self.line[self.cursor + 1:]
        elif chord == LEFT and not at_start:
            self.cursor -= 1
        elif chord == RIGHT and not at_end:
            self.cursor += 1
        elif chord == HOME:
            self.cursor = 0
        elif chord == END:
            self.cursor = len(self.line)
        elif chord == UP and self.browse < len(self.history):
            if self.browse == 0:
                self.saved = self.line
            self.browse += 1
            self._show(self.history[-self.browse])
        elif chord == DOWN and self.browse > 0:
            self.browse -= 1
            self._show(self.history[-self.browse] if self.browse else self.saved)
        elif chord in (BACKSPACE, DELETE, LEFT, RIGHT, UP, DOWN):
            self.bells += 1  # nothing to delete, nowhere to move, no older or newer line
        else:
            raise ValueError(f"the model does not know the key {chord}")

    def _show(self, text):
        self.line, self.cursor = text, len(text)

    def enter(self):
        line = self.line
        self.lines.append(PROMPT + line)
        if line.strip(" ") and (not self.history or self.history[-1] != line):
            self.history = (self.history + [line])[-HISTORY_SIZE:]
        self.entered.append(line)
        reply = shell_reply(line)
        self.lines += [UNKNOWN] if reply is UNKNOWN else reply
        self._new_line()

    def cancel(self):
        self.lines.append(PROMPT + self.line + "^C")
        self._new_line()

    def _new_line(self):
        self.line, self.cursor, self.browse, self.saved = "", 0, 0, ""


def chords(text):
    """The key chords that type ASCII `text` (shift-h for 'H', shift-1 for '!'; '\\n' is Enter)."""
    return [tuple(qcodes_for_char(ch)) for ch in text]


def press_all(vm, typist, keys, hold_ms=TYPING_HOLD_MS, paced=False):
    """Press each chord through QMP send-key, in order, and let `typist` press the same.

    paced: no faster than QEMU plays them. QEMU plays a key's press and release hold_ms apart each, from an
    input queue that drops events once too many wait, and QMP answers faster than that queue drains when
    the guest is idle; pacing keeps QEMU from losing keys before the guest ever sees them."""
    for chord in keys:
        vm.send_key(*chord, hold_time=hold_ms)
        typist.press(chord)
        if paced:
            time.sleep(2 * len(chord) * hold_ms / 1000)


# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ShellScenario:
    """Boot Keel to the shell's first prompt and let `play` drive it (session.Session): the kernel ELF with
    QEMU's -kernel on VGA text, or (with `font`) a disk image under OVMF on the UEFI GOP framebuffer."""
    name: str
    path: str  # the kernel ELF; with `font`, the disk image (keel.img) OVMF boots through Keel's UEFI loader
    play: Callable  # play(session) -> None if all was as expected, else what was wrong
    serial_input: bool = False  # COM1 must be writable
    machine: list = field(default_factory=list)  # more QEMU arguments, e.g. ["-machine", "q35"]
    stays_up: bool = True  # QEMU must still run when play returns
    font: str = None  # UEFI: the font file the framebuffer is decoded against (fbscreen.FramebufferMachine)


def type_hello_world(session):
    session.type("Hello, World\n")
    return session.check()


def type_backspace_capslock(session):
    keys = ([BACKSPACE] + chords("Keel") + [BACKSPACE] * 2 + chords("ys") + [ENTER]  # "Keys"
            + [CAPS_LOCK] + chords("abc") + [("shift", "d")] + chords("1") + [CAPS_LOCK] + chords("e")
            + [ENTER])  # "ABCd1e": Shift undoes Caps Lock; digits ignore it
    session.press(keys)
    return session.check()


def type_on_serial(session):
    session.send("serial ok" + SERIAL_ENTER)
    return session.check()


def type_burst(session):
    # 200 presses without Shift, sent back to back with the shortest hold: QMP's round trip (well under a
    # millisecond) paces them. A byte QEMU cannot fit into its own 16-byte PS/2 queue is lost without a
    # trace, and a lost Shift release would garble everything after it; plain keys keep such a loss (only
    # if the vCPU stalls for many milliseconds) to a missing character, which fails the comparison.
    line = "the quick brown fox jumps over the lazy dog 12345\n"
    text = line * (BURST_KEYS // len(line))
    assert len(text) == BURST_KEYS
    session.press(chords(text), BURST_HOLD_MS)
    return session.check()


def typing_scenarios(kernel):
    return [
        ShellScenario("boot/keyboard-hello-world", kernel, type_hello_world),
        ShellScenario("boot/keyboard-backspace-capslock", kernel, type_backspace_capslock),
        ShellScenario("boot/serial-echo", kernel, type_on_serial, serial_input=True),
        ShellScenario("boot/keyboard-typing-does-not-reset", kernel, type_burst),
    ]
