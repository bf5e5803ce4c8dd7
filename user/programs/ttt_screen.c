/*
 * ttt_screen.c - drawing the tic-tac-toe screen with ANSI sequences (see
 * ttt_screen.h). Rows, columns, colours and texts are those of
 * apps/ttt/game.c, so both games look the same.
 */
#include <lib/format.h>
#include <lib/string.h>
#include <user/programs/ttt_screen.h>

/* Rows and columns of the 80x25 layout, shifted by the origin on a larger screen. */
#define TITLE_ROW   1
#define SCORE_ROW   3
#define BOARD_TOP   5
#define BOARD_LEFT  27
#define CELL_WIDTH  7 /* between the lines: "   X   " */
#define CELL_HEIGHT 3
#define STATUS_ROW  19
#define HELP_ROW    21

/* SGR colours (ECMA-48 8.3.117: 30-37 foreground, 40-47 background; 90-97
 * the bright foregrounds, an xterm extension) for the VGA colours that
 * apps/ttt/game.c uses. */
enum sgr_color {
    FG_LIGHT_GREY = 37,
    FG_DARK_GREY = 90,
    FG_LIGHT_CYAN = 96,
    FG_YELLOW = 93,
    FG_WHITE = 97,
    BG_BLACK = 40,
    BG_BLUE = 44,
    BG_GREEN = 42,
};

#define COLOR_TEXT    FG_LIGHT_GREY
#define COLOR_TITLE   FG_WHITE
#define COLOR_X       FG_LIGHT_CYAN
#define COLOR_O       FG_YELLOW
#define COLOR_NUMBER  FG_DARK_GREY
#define COLOR_BG      BG_BLACK
#define COLOR_CURSOR  BG_BLUE
#define COLOR_WINNING BG_GREEN

/* The box-drawing characters, in UTF-8 (code page 437's 0xC4, 0xB3, ...). */
#define BOX_HORIZONTAL   "\u2500" /* ─ */
#define BOX_VERTICAL     "\u2502" /* │ */
#define BOX_CROSS        "\u253c" /* ┼ */
#define BOX_TOP_LEFT     "\u250c" /* ┌ */
#define BOX_TOP_RIGHT    "\u2510" /* ┐ */
#define BOX_BOTTOM_LEFT  "\u2514" /* └ */
#define BOX_BOTTOM_RIGHT "\u2518" /* ┘ */
#define BOX_T_DOWN       "\u252c" /* ┬ */
#define BOX_T_UP         "\u2534" /* ┴ */
#define BOX_T_RIGHT      "\u251c" /* ├ */
#define BOX_T_LEFT       "\u2524" /* ┤ */

struct frame {
    struct outbuf *out;
    unsigned origin_row, origin_col; /* where the layout's top left lands */
};

static void emit(struct frame *f, const char *text)
{
    outbuf_puts(f->out, text);
}

static void emitf(struct frame *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emitf(struct frame *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_v(outbuf_putc, f->out, fmt, ap);
    va_end(ap);
}

/* Put the cursor at (row, col) of the layout: CSI row ; col H counts from 1. */
static void move_to(struct frame *f, unsigned row, unsigned col)
{
    emitf(f, ANSI_CSI "%u;%uH", f->origin_row + row + 1, f->origin_col + col + 1);
}

static void set_color(struct frame *f, enum sgr_color fg, enum sgr_color bg)
{
    emitf(f, ANSI_CSI "%u;%um", (unsigned)fg, (unsigned)bg);
}

static void write_at(struct frame *f, unsigned row, unsigned col, enum sgr_color fg,
                     const char *text)
{
    move_to(f, row, col);
    set_color(f, fg, COLOR_BG);
    emit(f, text);
}

/* A whole layout row: the text, then the rest of the line erased (CSI K, in
 * the current colours) so older text disappears. */
static void write_row(struct frame *f, unsigned row, enum sgr_color fg, const char *text)
{
    write_at(f, row, 0, fg, text);
    emit(f, ANSI_CSI "K");
}

/* One horizontal line of the board: left, 3 x 7 horizontals split by mid, right. */
static void draw_rule(struct frame *f, unsigned row, const char *left, const char *mid,
                      const char *right)
{
    write_at(f, row, BOARD_LEFT, COLOR_TEXT, left);
    for (unsigned c = 0; c < 3; c++) {
        for (unsigned k = 0; k < CELL_WIDTH; k++)
            emit(f, BOX_HORIZONTAL);
        emit(f, c < 2 ? mid : right);
    }
}

static bool on_winning_line(const struct ttt_game *g, unsigned cell)
{
    if (g->state != TTT_X_WINS && g->state != TTT_O_WINS)
        return false;
    return g->win_line[0] == cell || g->win_line[1] == cell || g->win_line[2] == cell;
}

/* Line `line` (0..2) of cell `cell`: the mark (or the cell's number, dimmed)
 * in the middle line, on the highlight or winning colour. */
static void draw_cell_line(struct frame *f, const struct ttt_session *s, unsigned cell,
                           unsigned line)
{
    enum sgr_color bg = COLOR_BG;
    if (on_winning_line(&s->game, cell))
        bg = COLOR_WINNING;
    else if (cell == s->selected && s->game.state == TTT_PLAYING)
        bg = COLOR_CURSOR;
    char text[CELL_WIDTH + 1];
    memset(text, ' ', CELL_WIDTH);
    text[CELL_WIDTH] = '\0';
    enum sgr_color fg = COLOR_NUMBER;
    if (line == CELL_HEIGHT / 2) {
        uint8_t mark = s->game.cells[cell];
        text[CELL_WIDTH / 2] = mark == TTT_X ? 'X' : mark == TTT_O ? 'O' : (char)('1' + cell);
        fg = mark == TTT_X ? COLOR_X : mark == TTT_O ? COLOR_O : COLOR_NUMBER;
    }
    set_color(f, fg, bg);
    emit(f, text);
}

static void draw_board(struct frame *f, const struct ttt_session *s)
{
    unsigned row = BOARD_TOP;
    draw_rule(f, row++, BOX_TOP_LEFT, BOX_T_DOWN, BOX_TOP_RIGHT);
    for (unsigned r = 0; r < 3; r++) {
        for (unsigned line = 0; line < CELL_HEIGHT; line++, row++) {
            write_at(f, row, BOARD_LEFT, COLOR_TEXT, BOX_VERTICAL);
            for (unsigned c = 0; c < 3; c++) {
                draw_cell_line(f, s, r * 3 + c, line);
                set_color(f, COLOR_TEXT, COLOR_BG);
                emit(f, BOX_VERTICAL);
            }
        }
        if (r < 2)
            draw_rule(f, row++, BOX_T_RIGHT, BOX_CROSS, BOX_T_LEFT);
    }
    draw_rule(f, row, BOX_BOTTOM_LEFT, BOX_T_UP, BOX_BOTTOM_RIGHT);
}

static const char *turn_text(const struct ttt_session *s)
{
    if (s->two_players)
        return s->game.turn == TTT_X ? "X to play." : "O to play.";
    return s->game.turn == TTT_X ? "Your turn (X)." : "The computer (O) is thinking...";
}

static void draw_text(struct frame *f, const struct ttt_session *s)
{
    char line[TTT_LAYOUT_WIDTH];
    write_row(f, TITLE_ROW, COLOR_TITLE,
              s->two_players ? "  Tic-tac-toe: two players, X starts"
                             : "  Tic-tac-toe: you (X) against the computer (O)");
    if (s->two_players)
        ksnprintf(line, sizeof(line), "  Score  X: %u   O: %u   Draws: %u", s->wins_x, s->wins_o,
                  s->draws);
    else
        ksnprintf(line, sizeof(line), "  Score  You (X): %u   Computer (O): %u   Draws: %u",
                  s->wins_x, s->wins_o, s->draws);
    write_row(f, SCORE_ROW, COLOR_TEXT, line);
    if (s->game.state != TTT_PLAYING)
        ksnprintf(line, sizeof(line), "  %s  Press R for a new round, Q to leave.",
                  ttt_state_message(s->game.state));
    else
        ksnprintf(line, sizeof(line), "  %s", s->message ? s->message : turn_text(s));
    write_row(f, STATUS_ROW, s->game.state == TTT_PLAYING ? COLOR_TEXT : COLOR_TITLE, line);
    write_row(f, HELP_ROW, COLOR_NUMBER,
              "  Keys 1-9 or arrows + Enter: play   R: new round   Q or Esc: back to the shell");
}

void ttt_draw(struct outbuf *out, const struct ttt_session *s, unsigned cols, unsigned rows)
{
    struct frame f = {
        out,
        rows > TTT_LAYOUT_HEIGHT ? (rows - TTT_LAYOUT_HEIGHT) / 2 : 0,
        cols > TTT_LAYOUT_WIDTH ? (cols - TTT_LAYOUT_WIDTH) / 2 : 0,
    };
    emit(&f, ANSI_CURSOR_HIDE); /* no cursor racing across the screen while drawing */
    draw_text(&f, s);
    draw_board(&f, s);
    unsigned row = BOARD_TOP + 1 + (s->selected / 3) * (CELL_HEIGHT + 1) + CELL_HEIGHT / 2;
    unsigned col = BOARD_LEFT + 1 + (s->selected % 3) * (CELL_WIDTH + 1) + CELL_WIDTH / 2;
    set_color(&f, COLOR_TEXT, COLOR_BG);
    move_to(&f, row, col);
    emit(&f, ANSI_CURSOR_SHOW);
}
