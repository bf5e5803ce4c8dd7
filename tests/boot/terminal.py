"""terminal: what a serial terminal shows for the bytes Keel sends to COM1, modelled without the kernel.

TextScreen is an 80-column text grid that behaves like xterm (and like Keel's VGA writer, drivers/vga/vga.c):
characters go at the cursor; a character written in the last column leaves a "pending wrap", so the next
character starts a new row but a newline does not add an empty one (80 characters and '\\n' take one row).
A screen with a height scrolls up when a row is needed below its last one; without a height it only grows,
like a terminal's scrollback.

SerialTerminal reads the serial log the way a terminal emulator does (ECMA-48 / xterm control functions):
  printable text (UTF-8 decoded by the caller)    written at the cursor
  '\\n'                                            new line (the log has its '\\r' removed: LF acts as CR LF)
  '\\r'  '\\b'  '\\t'                                column 0, one column left, next multiple of 8
  BEL ('\\a')                                      counted in `bells`, shows nothing
  CSI n D / CSI n C                               cursor left / right by n, stopping at the row's ends
  CSI row ; col H (CSI H = top left)              cursor to a position, counted from 1
  CSI 2 J                                         erase the screen (always followed by CSI H from Keel)
  CSI K                                           erase from the cursor to the end of the row
  CSI ? 1049 h / CSI ? 1049 l                     xterm's alternate screen (80x25, cleared) and back to the
                                                  main screen exactly as it was
  CSI n ; ... m   CSI ? 25 l / h                  colours (SGR) and hiding or showing the cursor: understood,
                                                  and they change no text
Anything else is recorded, in `unknown` on the main screen and in `unknown_alternate` on the alternate one, so
a test can report a sequence no terminal would understand.
"""

import re

COLUMNS = 80
ALT_SCREEN_ROWS = 25
TAB_WIDTH = 8
CSI = re.compile(r"\x1b\[([0-9;?]*)([@-~])")  # ESC [ parameters final-byte
CSI_CUT_SHORT = re.compile(r"\x1b\[[0-9;?]*")  # a sequence without its final byte: a terminal drops it


class TextScreen:
    """Rows of characters with a cursor; `height` None means unbounded (the terminal's scrollback)."""

    def __init__(self, width=COLUMNS, height=None):
        self.width = width
        self.height = height
        self.rows = [self._blank() for _ in range(height or 1)]
        self.row = 0
        self.col = 0  # == width: pending wrap after writing the last column

    def _blank(self):
        return [" "] * self.width

    def _next_row(self):
        self.row += 1
        if self.height is not None and self.row >= self.height:
            del self.rows[0]
            self.rows.append(self._blank())
            self.row = self.height - 1
        while self.row >= len(self.rows):
            self.rows.append(self._blank())

    def put(self, ch):
        if self.col >= self.width:
            self.col = 0
            self._next_row()
        self.rows[self.row][self.col] = ch
        self.col += 1

    def newline(self):
        self.col = 0
        self._next_row()

    def left(self, count):
        self.col = max(0, min(self.col, self.width - 1) - count)

    def right(self, count):
        self.col = min(self.width - 1, self.col + count)

    def tab(self):
        self.col = min(self.width - 1, (self.col // TAB_WIDTH + 1) * TAB_WIDTH)

    def move_to(self, row, col):
        self.row = max(0, row if self.height is None else min(row, self.height - 1))
        while self.row >= len(self.rows):
            self.rows.append(self._blank())
        self.col = max(0, min(col, self.width - 1))

    def erase_screen(self):
        self.rows = [self._blank() for _ in range(self.height or 1)]
        self.row = self.col = 0

    def erase_to_end_of_row(self):
        start = min(self.col, self.width)
        self.rows[self.row][start:] = [" "] * (self.width - start)

    def text_rows(self):
        """The rows as strings, up to the cursor's row at least (an unbounded screen: exactly that far)."""
        rows = ["".join(row) for row in self.rows]
        return rows if self.height is not None else rows[:self.row + 1]


class SerialTerminal:
    """A terminal emulator fed with the serial log: a main screen (unbounded) and xterm's alternate screen."""

    def __init__(self, width=COLUMNS, alternate_rows=ALT_SCREEN_ROWS):
        self.width = width  # the screen the kernel draws on: 80x25 in VGA text, larger on a framebuffer
        self.alternate_rows = alternate_rows
        self.main = TextScreen(width=width)
        self.alternate = None  # the alternate screen while a full-screen program has it
        self.bells = 0
        self.unknown = []  # control sequences or characters not understood on the main screen
        self.unknown_alternate = []  # the same on the alternate screen

    @property
    def screen(self):
        return self.alternate or self.main

    def feed(self, text):
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b":
                match = CSI.match(text, i)
                if match:
                    self._control_sequence(match.group(1), match.group(2))
                    i = match.end()
                    continue
                cut = CSI_CUT_SHORT.match(text, i)
                end = cut.end() if cut else i + 1
                self._not_understood(repr(text[i:end + 1]))
                i = end
                continue
            elif ch == "\n":
                self.screen.newline()
            elif ch == "\r":
                self.screen.col = 0
            elif ch == "\b":
                self.screen.left(1)
            elif ch == "\t":
                self.screen.tab()
            elif ch == "\a":
                self.bells += 1
            elif ch < " " or ch == "\x7f":
                self._not_understood(repr(ch))
            else:
                self.screen.put(ch)
            i += 1
        return self

    def _control_sequence(self, parameters, final):
        numbers = [int(p) if p.isdigit() else 0 for p in parameters.split(";")] if parameters else []
        count = max(1, numbers[0]) if numbers else 1
        if final == "D" and not parameters.startswith("?"):
            self.screen.left(count)
        elif final == "C" and not parameters.startswith("?"):
            self.screen.right(count)
        elif final == "H":
            row, col = (numbers + [1, 1])[:2]
            self.screen.move_to(max(row, 1) - 1, max(col, 1) - 1)
        elif final == "J" and parameters == "2":
            self.screen.erase_screen()
        elif final == "K" and parameters in ("", "0"):
            self.screen.erase_to_end_of_row()
        elif final == "m" and re.fullmatch(r"[0-9;]*", parameters):
            pass  # SGR: colours and intensity change no text
        elif final in "hl" and parameters == "?25":
            pass  # cursor hidden / shown: no text either
        elif final == "h" and parameters == "?1049":
            self.alternate = TextScreen(width=self.width, height=self.alternate_rows)
        elif final == "l" and parameters == "?1049":
            self.alternate = None
        else:
            self._not_understood(f"ESC[{parameters}{final}")

    def _not_understood(self, what):
        (self.unknown_alternate if self.alternate else self.unknown).append(what)

    def visible_rows(self, height):
        """The bottom `height` rows up to the cursor (what a window that tall shows), padded with blanks."""
        rows = self.screen.text_rows()[-height:]
        return rows + [" " * self.width] * (height - len(rows))
