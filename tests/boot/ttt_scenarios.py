"""ttt_scenarios: the shell's tic-tac-toe (`ttt 2` for two players, `ttt` against the computer), played like a
person would: keys through QMP send-key (or COM1), the board read back off the VGA screen.

A person reads the game from the screen: the three rows of the box-drawn board that hold a mark each cell shows
(its number 1-9 until X or O takes it), the highlighted cell (the one cell whose background differs from the
board's), the first text row below the board (the status) and the row with "Score". Game is what the person
knows of the rules: whose turn it is, when a line of three wins, what the status row then says ("X to play.",
"Cell N is taken: choose another one.", "X wins!  Press R for a new round, Q to leave.", "Draw!  ...") and the
two-player score row ("Score  X: 1   O: 0   Draws: 0"). After every key the screen must come to show exactly
that board, status and score.

Every scenario first captures the shell's screen (Session.snapshot) and leaves the game with Q or Esc; then the
screen must be that capture (every cell, characters and colours) with the typed command and the next prompt
below it, and nothing else (Session.check, Session.restored_problem).
  boot/ttt-two-player-win             digits 1 4 2 5 3: X wins along the top row, score X: 1; R starts a new
                                      round (empty board, X to play, score kept); Q leaves
  boot/ttt-two-player-draw            digits 1 2 3 5 4 6 8 7 9: "Draw!", Draws: 1; Esc leaves
  boot/ttt-illegal-move               arrows + Enter: X takes 5; O presses Enter on 5: "Cell 5 is taken" and
                                      the board unchanged; O moves to 1 and plays it (so O was still to move);
                                      X presses 1: taken again, then plays 9: X was still to move
  boot/ttt-computer-never-loses-simple  X plays 1, then 9, then a winning cell, a block or a corner; after
                                      each move the computer answers with exactly one O; the round must end in
                                      "O wins!" or "Draw!", never "X wins!"
  boot/ttt-serial-terminal            `ttt 2` and a move over COM1: a serial terminal (terminal.SerialTerminal)
                                      shows on its alternate screen exactly the VGA screen, with no control
                                      sequence it does not understand; after Q its main screen is back
On keel.img under OVMF (pc, -m 512M), the board read off the decoded framebuffer (160x50 cells):
  boot/uefi-ttt-computer              as ttt-computer-never-loses-simple
  boot/uefi-ttt-two-player-win        as ttt-two-player-win
"""

import re
from dataclasses import dataclass

from keelqemu import CP437
from session import ECHO_TIMEOUT, poll
from terminal import SerialTerminal
from typist import DOWN, ENTER, LEFT, RIGHT, SERIAL_ENTER, TYPING_HOLD_MS, UP, ShellScenario, chords

MARK_ROW = re.compile(r"│   (\S)   │   (\S)   │   (\S)   │")
BOTTOM_EDGE = "└"
LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
ESCAPE = ("esc",)
GAME_OVER = ("X wins!", "O wins!", "Draw!")
YOUR_TURN = "Your turn (X)."


@dataclass
class View:
    """What the screen shows of the game."""
    board: str  # nine characters: X, O or the cell's number
    highlight: tuple  # cells (0-8) with the highlight's background
    status: str
    score: str


def read_view(vm):
    """The game as the screen shows it, or None when there is no board on the screen."""
    cells = vm.screen_cells()
    rows = ["".join(CP437[ch] for ch, _attr in row) for row in cells]
    board, spots, board_background = "", [], None
    for r, text in enumerate(rows):
        match = MARK_ROW.search(text)
        if match:
            board_background = cells[r][match.start()][1] >> 4  # the background behind the frame
            for k in (1, 2, 3):
                board += match.group(k)
                spots.append((r, match.start(k)))
    bottom = [r for r, text in enumerate(rows) if BOTTOM_EDGE in text]
    if len(board) != 9 or not bottom:
        return None
    below = [text.strip() for text in rows[bottom[-1] + 1:] if text.strip()]
    highlight = tuple(i for i, (r, c) in enumerate(spots) if cells[r][c][1] >> 4 != board_background)
    score = [text.strip() for text in rows if "Score" in text]
    return View(board, highlight, below[0] if below else "", score[0] if score else "")


def winner(board):
    """'X' or 'O' for a line of three, 'draw' for a full board without one, else None."""
    for line in LINES:
        marks = {board[i] for i in line}
        if len(marks) == 1 and marks <= {"X", "O"}:
            return marks.pop()
    return "draw" if all(ch in "XO" for ch in board) else None


class Game:
    """The rules as a person knows them, and the status and score rows they expect to read."""

    def __init__(self, two_players):
        self.two_players = two_players
        self.wins = {"X": 0, "O": 0, "draw": 0}
        self.new_round()

    def new_round(self):
        self.board = "123456789"
        self.turn = "X"
        self.message = None

    def play(self, cell):
        if self.board[cell] in "XO":
            self.message = f"Cell {cell + 1} is taken: choose another one."
            return
        self.board = self.board[:cell] + self.turn + self.board[cell + 1:]
        self.turn = "O" if self.turn == "X" else "X"
        self.message = None
        if winner(self.board):
            self.wins[winner(self.board)] += 1

    def status(self):
        result = winner(self.board)
        if result:
            return ("Draw!" if result == "draw" else f"{result} wins!") + "  Press R for a new round, Q to leave."
        if self.message:
            return self.message
        return f"{self.turn} to play." if self.two_players else YOUR_TURN

    def score(self):
        return f"Score  X: {self.wins['X']}   O: {self.wins['O']}   Draws: {self.wins['draw']}"


def view_problem(view, game):
    """None if the screen shows the game's board, status and (two players) score."""
    if view is None:
        return "screen: no tic-tac-toe board"
    expected = View(game.board, view.highlight, game.status(), game.score() if game.two_players else view.score)
    if view != expected:
        return (f"game shows board {view.board}, status {view.status!r}, {view.score!r}; expected board "
                f"{expected.board}, status {expected.status!r}, {expected.score!r}")
    return None


def rows_problem(vm, when, status, score=None):
    """None if the status row (and the score row, if given) read exactly as the spec words them."""
    view = read_view(vm)
    if view is None:
        return f"{when}: no tic-tac-toe board on screen"
    if view.status != status or (score is not None and view.score != score):
        shown = f"{view.status!r}" + (f", {view.score!r}" if score is not None else "")
        wanted = f"{status!r}" + (f", {score!r}" if score is not None else "")
        return f"{when}: the screen reads {shown}, expected {wanted}"
    return None


def wait_game(vm, game):
    return poll(lambda: view_problem(read_view(vm), game), ECHO_TIMEOUT)


def press(vm, *keys):
    """Keys for the game: they go to the machine only (the Typist models the shell, not the game)."""
    for chord in keys:
        vm.send_key(*chord, hold_time=TYPING_HOLD_MS)


def play_digits(vm, game, cells):
    """Each cell (0-8) by its digit key; after each, the screen must show the game's new state."""
    for cell in cells:
        press(vm, *chords(str(cell + 1)))
        game.play(cell)
        problem = wait_game(vm, game)
        if problem:
            return f"after key {cell + 1}: {problem}"
    return None


def move_highlight(vm, target):
    """Read where the highlight is, press the arrows that bring it to `target`, wait until it is there."""
    view = read_view(vm)
    if view is None or len(view.highlight) != 1:
        return f"screen: not exactly one highlighted cell ({view and view.highlight})"
    (at,) = view.highlight
    rows, cols = target // 3 - at // 3, target % 3 - at % 3
    press(vm, *([DOWN] * rows + [UP] * -rows + [RIGHT] * cols + [LEFT] * -cols))

    def arrived():
        shown = read_view(vm)
        return None if shown and shown.highlight == (target,) else f"highlight on {shown and shown.highlight}"
    problem = poll(arrived, ECHO_TIMEOUT)
    return problem and f"arrows from cell {at + 1} to {target + 1}: {problem}, expected ({target},)"


def open_game(session, command):
    """Settle the shell's screen, capture it, start the game; (snapshot, problem)."""
    session.type(f"echo before {command}\n")
    problem = session.check()
    if problem:
        return None, problem
    snapshot = session.snapshot()
    session.type(command + "\n")
    return snapshot, None


def leave_game(session, snapshot, key):
    """Leave with `key`: the shell's screen must be back exactly, the next prompt below the command."""
    press(session.vm, key)
    return session.check() or session.restored_problem(snapshot)


# --- scenarios ---------------------------------------------------------------------------------------------------


def play_two_player_win(session):
    vm = session.vm
    snapshot, problem = open_game(session, "ttt 2")
    game = Game(two_players=True)
    problem = problem or wait_game(vm, game) or play_digits(vm, game, [0, 3, 1, 4, 2])
    if problem:
        return problem
    problem = rows_problem(vm, "after X's top row", "X wins!  Press R for a new round, Q to leave.",
                           "Score  X: 1   O: 0   Draws: 0")
    if problem:
        return problem
    press(vm, *chords("r"))
    game.new_round()
    problem = wait_game(vm, game)
    return f"after R: {problem}" if problem else leave_game(session, snapshot, *chords("q"))


def play_two_player_draw(session):
    vm = session.vm
    snapshot, problem = open_game(session, "ttt 2")
    game = Game(two_players=True)
    problem = problem or wait_game(vm, game) or play_digits(vm, game, [0, 1, 2, 4, 3, 5, 7, 6, 8])
    if problem:
        return problem
    return (rows_problem(vm, "after a full board without a line", "Draw!  Press R for a new round, Q to leave.",
                         "Score  X: 0   O: 0   Draws: 1")
            or leave_game(session, snapshot, ESCAPE))


def play_with_arrows(vm, game, cell):
    """Bring the highlight to `cell` and press Enter; the screen must then show the game's new state."""
    problem = move_highlight(vm, cell)
    if problem:
        return problem
    press(vm, ENTER)
    game.play(cell)
    problem = wait_game(vm, game)
    return problem and f"after Enter on cell {cell + 1}: {problem}"


def play_illegal_move(session):
    vm = session.vm
    snapshot, problem = open_game(session, "ttt 2")
    game = Game(two_players=True)
    problem = (problem or wait_game(vm, game)
               or play_with_arrows(vm, game, 4)  # X in the centre
               or play_with_arrows(vm, game, 4))  # O tries it too
    if problem:
        return problem
    problem = (rows_problem(vm, "O on the taken centre", "Cell 5 is taken: choose another one.")
               or play_with_arrows(vm, game, 0)  # still O's move: O takes 1
               or play_digits(vm, game, [0])  # X tries 1
               or rows_problem(vm, "X on the taken cell 1", "Cell 1 is taken: choose another one.")
               or play_digits(vm, game, [8]))  # still X's move: X takes 9
    if problem:
        return problem
    if read_view(vm).board != "O234X678X":
        return f"board {read_view(vm).board}, expected O234X678X"
    return leave_game(session, snapshot, *chords("q"))


def x_move(board):
    """X's choice: win, else block O, else 1, 9 and the other corners (the corner trap), else any open cell."""
    open_cells = [i for i in range(9) if board[i] not in "XO"]
    for mark in "XO":
        for line in LINES:
            free = [i for i in line if i in open_cells]
            if [board[i] for i in line].count(mark) == 2 and free:
                return free[0]
    return next((i for i in (0, 8, 2, 6) if i in open_cells), open_cells[0])


def computer_replied(vm, before):
    """None once the computer has answered X's move (or the round is over), else what the screen shows."""
    view = read_view(vm)
    if view is None:
        return "screen: no tic-tac-toe board"
    if view.status.startswith(GAME_OVER) or (view.status == YOUR_TURN and view.board.count("O") == before + 1):
        return None
    return f"waiting for the computer: board {view.board}, status {view.status!r}"


def play_computer(session):
    vm = session.vm
    snapshot, problem = open_game(session, "ttt")
    game = Game(two_players=False)
    problem = problem or wait_game(vm, game)
    while not problem and not winner(game.board):
        cell = x_move(game.board)
        press(vm, *chords(str(cell + 1)))
        game.play(cell)
        problem = poll(lambda: computer_replied(vm, game.board.count("O")), ECHO_TIMEOUT)
        if problem:
            break
        shown = read_view(vm)
        replies = [i for i in range(9) if shown.board[i] != game.board[i]]
        if winner(game.board) is None and (len(replies) != 1 or shown.board[replies[0]] != "O"):
            return f"after X on {cell + 1}: board {shown.board}, expected {game.board} and one O more"
        for i in replies:
            game.play(i)
        problem = wait_game(vm, game)
    if problem:
        return problem
    view = read_view(vm)
    if view.status.startswith("X wins!") or not view.status.startswith(("O wins!", "Draw!")):
        return f"the round against the computer ended with {view.status!r}, board {view.board}"
    if not re.search(r"You \(X\): 0\b", view.score):
        return f"score row {view.score!r}: X must not have won"
    return leave_game(session, snapshot, *chords("q"))


def serial_board_problem(vm):
    """None if a serial terminal's alternate screen (the screen's size) shows what the screen shows."""
    terminal = SerialTerminal(vm.columns, vm.rows).feed(vm.serial_text())
    if terminal.unknown_alternate:
        return (f"serial: the game sends sequences no terminal understands: "
                f"{', '.join(terminal.unknown_alternate[:3])}")
    if terminal.alternate is None:
        return "serial: the terminal is not on its alternate screen during the game"
    shown = [row.rstrip() for row in terminal.alternate.text_rows()]
    screen = [row.rstrip() for row in vm.screen()]
    wrong = [r for r in range(len(screen)) if shown[r] != screen[r]]
    if wrong:
        r = wrong[0]
        return f"serial terminal row {r}: {shown[r]!r}, the screen has {screen[r]!r}"
    return None


def play_serial_terminal(session):
    vm = session.vm
    session.send(f"echo before ttt 2{SERIAL_ENTER}")
    problem = session.check()
    if problem:
        return problem
    session.send("ttt 2" + SERIAL_ENTER)
    game = Game(two_players=True)
    vm.serial_write("5")
    game.play(4)
    problem = wait_game(vm, game) or poll(lambda: serial_board_problem(vm), ECHO_TIMEOUT)
    if problem:
        return problem
    vm.serial_write("q")
    return session.check()


def ttt_scenarios(kernel):
    return [
        ShellScenario("boot/ttt-two-player-win", kernel, play_two_player_win),
        ShellScenario("boot/ttt-two-player-draw", kernel, play_two_player_draw),
        ShellScenario("boot/ttt-illegal-move", kernel, play_illegal_move),
        ShellScenario("boot/ttt-computer-never-loses-simple", kernel, play_computer),
        ShellScenario("boot/ttt-serial-terminal", kernel, play_serial_terminal, serial_input=True),
    ]


def uefi_ttt_scenarios(image, font):
    """The games on the UEFI framebuffer: `image` under OVMF, decoded against `font`."""
    return [
        ShellScenario("boot/uefi-ttt-computer", image, play_computer, font=font),
        ShellScenario("boot/uefi-ttt-two-player-win", image, play_two_player_win, font=font),
    ]
