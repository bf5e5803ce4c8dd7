/*
 * ttt.c - tic-tac-toe on the whole screen: the board in box-drawing
 * characters, cells numbered 1-9 from the top left, X and O in their own
 * colours, a highlight moved with the arrow keys, the score across rounds.
 *
 * The rules and the computer's minimax live in apps/ttt/ttt.c; this file only
 * draws and reads keys. Everything is drawn through the console, so a
 * serial terminal sees the same board (as UTF-8) with its cursor on the
 * highlighted cell. The layout is made for 80x25 and centred on a larger
 * screen (a framebuffer console has more columns and rows).
 */
#include <apps/ttt/game.h>
#include <apps/ttt/ttt.h>
#include <arch/x86_64/cpu.h>
#include <drivers/vga/cp437.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/sched/thread.h>
#include <kernel/timer.h>
#include <lib/format.h>
#include <lib/string.h>

/* Rows and columns of the 80x25 layout, shifted by origin() on a larger screen. */
#define LAYOUT_WIDTH      80
#define LAYOUT_HEIGHT     25
#define TITLE_ROW         1
#define SCORE_ROW         3
#define BOARD_TOP         5
#define BOARD_LEFT        27
#define CELL_WIDTH        7 /* between the lines: "   X   " */
#define CELL_HEIGHT       3
#define STATUS_ROW        19
#define HELP_ROW          21
#define COMPUTER_PAUSE_MS 300 /* so that a person sees the reply arrive */
#define ASCII_ESCAPE      0x1B

#define COLOR_TEXT    VGA_LIGHT_GREY
#define COLOR_TITLE   VGA_WHITE
#define COLOR_X       VGA_LIGHT_CYAN
#define COLOR_O       VGA_YELLOW
#define COLOR_NUMBER  VGA_DARK_GREY
#define COLOR_BG      VGA_BLACK
#define COLOR_CURSOR  VGA_BLUE
#define COLOR_WINNING VGA_GREEN

struct session {
    struct ttt_game game;
    bool two_players;
    unsigned selected; /* 0..8: the highlighted cell */
    unsigned wins_x, wins_o, draws;
    const char *message; /* status line text; NULL: say whose turn it is */
    uint64_t random_state;
};

/* xorshift64 (Marsaglia): enough to vary the computer among equal moves. */
static uint32_t next_random(struct session *s)
{
    s->random_state ^= s->random_state << 13;
    s->random_state ^= s->random_state >> 7;
    s->random_state ^= s->random_state << 17;
    return (uint32_t)(s->random_state >> 32);
}

/* Where the layout's top left lands: the centre of the screen. */
static unsigned origin_row(void)
{
    return (console_rows() - LAYOUT_HEIGHT) / 2;
}

static unsigned origin_col(void)
{
    return (console_cols() - LAYOUT_WIDTH) / 2;
}

/* Put the cursor at (row, col) of the layout. */
static void move_to(unsigned row, unsigned col)
{
    console_move_to(origin_row() + row, origin_col() + col);
}

/* Text at (row, col) of the layout in fg on the board's background. */
static void write_at(unsigned row, unsigned col, enum vga_color fg, const char *text)
{
    move_to(row, col);
    console_set_color(fg, COLOR_BG);
    console_write_cp437(text, strlen(text));
}

/* A whole layout row, padded with blanks so older text disappears. */
static void write_row(unsigned row, enum vga_color fg, const char *text)
{
    char line[LAYOUT_WIDTH];
    ksnprintf(line, sizeof(line), "%-*s", LAYOUT_WIDTH - 1, text);
    write_at(row, 0, fg, line);
}

/* One horizontal line of the board: left, 3 x 7 horizontals split by mid, right. */
static void draw_rule(unsigned row, char left, char mid, char right)
{
    char line[4 * 1 + 3 * CELL_WIDTH + 1];
    unsigned n = 0;
    line[n++] = left;
    for (unsigned c = 0; c < 3; c++) {
        for (unsigned k = 0; k < CELL_WIDTH; k++)
            line[n++] = (char)CP437_HORIZONTAL;
        line[n++] = c < 2 ? mid : right;
    }
    line[n] = '\0';
    write_at(row, BOARD_LEFT, COLOR_TEXT, line);
}

static bool on_winning_line(const struct ttt_game *g, unsigned cell)
{
    if (g->state != TTT_X_WINS && g->state != TTT_O_WINS)
        return false;
    return g->win_line[0] == cell || g->win_line[1] == cell || g->win_line[2] == cell;
}

/* Line `line` (0..2) of cell `cell`: the mark (or the cell's number, dimmed)
 * in the middle line, on the highlight or winning colour. */
static void draw_cell_line(const struct session *s, unsigned cell, unsigned line)
{
    enum vga_color bg = COLOR_BG;
    if (on_winning_line(&s->game, cell))
        bg = COLOR_WINNING;
    else if (cell == s->selected && s->game.state == TTT_PLAYING)
        bg = COLOR_CURSOR;
    char text[CELL_WIDTH + 1];
    memset(text, ' ', CELL_WIDTH);
    text[CELL_WIDTH] = '\0';
    enum vga_color fg = COLOR_NUMBER;
    if (line == CELL_HEIGHT / 2) {
        uint8_t mark = s->game.cells[cell];
        text[CELL_WIDTH / 2] = mark == TTT_X ? 'X' : mark == TTT_O ? 'O' : (char)('1' + cell);
        fg = mark == TTT_X ? COLOR_X : mark == TTT_O ? COLOR_O : COLOR_NUMBER;
    }
    console_set_color(fg, bg);
    console_write(text, CELL_WIDTH);
}

static void draw_board(const struct session *s)
{
    static const char vertical[] = {(char)CP437_VERTICAL, '\0'};
    unsigned row = BOARD_TOP;
    draw_rule(row++, (char)CP437_TOP_LEFT, (char)CP437_T_DOWN, (char)CP437_TOP_RIGHT);
    for (unsigned r = 0; r < 3; r++) {
        for (unsigned line = 0; line < CELL_HEIGHT; line++, row++) {
            write_at(row, BOARD_LEFT, COLOR_TEXT, vertical);
            for (unsigned c = 0; c < 3; c++) {
                draw_cell_line(s, r * 3 + c, line);
                console_set_color(COLOR_TEXT, COLOR_BG);
                console_write_cp437(vertical, 1);
            }
        }
        if (r < 2)
            draw_rule(row++, (char)CP437_T_RIGHT, (char)CP437_CROSS, (char)CP437_T_LEFT);
    }
    draw_rule(row, (char)CP437_BOTTOM_LEFT, (char)CP437_T_UP, (char)CP437_BOTTOM_RIGHT);
}

static const char *turn_text(const struct session *s)
{
    if (s->two_players)
        return s->game.turn == TTT_X ? "X to play." : "O to play.";
    return s->game.turn == TTT_X ? "Your turn (X)." : "The computer (O) is thinking...";
}

static void draw_text(const struct session *s)
{
    char line[LAYOUT_WIDTH];
    write_row(TITLE_ROW, COLOR_TITLE,
              s->two_players ? "  Tic-tac-toe: two players, X starts"
                             : "  Tic-tac-toe: you (X) against the computer (O)");
    if (s->two_players)
        ksnprintf(line, sizeof(line), "  Score  X: %u   O: %u   Draws: %u", s->wins_x, s->wins_o,
                  s->draws);
    else
        ksnprintf(line, sizeof(line), "  Score  You (X): %u   Computer (O): %u   Draws: %u",
                  s->wins_x, s->wins_o, s->draws);
    write_row(SCORE_ROW, COLOR_TEXT, line);
    if (s->game.state != TTT_PLAYING)
        ksnprintf(line, sizeof(line), "  %s  Press R for a new round, Q to leave.",
                  ttt_state_message(s->game.state));
    else
        ksnprintf(line, sizeof(line), "  %s", s->message ? s->message : turn_text(s));
    write_row(STATUS_ROW, s->game.state == TTT_PLAYING ? COLOR_TEXT : COLOR_TITLE, line);
    write_row(HELP_ROW, COLOR_NUMBER,
              "  Keys 1-9 or arrows + Enter: play   R: new round   Q or Esc: back to the shell");
}

/* Everything, then the cursor onto the highlighted cell's mark. */
static void draw(const struct session *s)
{
    draw_text(s);
    draw_board(s);
    unsigned row = BOARD_TOP + 1 + (s->selected / 3) * (CELL_HEIGHT + 1) + CELL_HEIGHT / 2;
    unsigned col = BOARD_LEFT + 1 + (s->selected % 3) * (CELL_WIDTH + 1) + CELL_WIDTH / 2;
    console_set_color(COLOR_TEXT, COLOR_BG);
    move_to(row, col);
}

static void count_result(struct session *s)
{
    if (s->game.state == TTT_X_WINS)
        s->wins_x++;
    else if (s->game.state == TTT_O_WINS)
        s->wins_o++;
    else if (s->game.state == TTT_DRAW)
        s->draws++;
}

static void computer_moves(struct session *s)
{
    draw(s);
    thread_sleep_ms(COMPUTER_PAUSE_MS);
    int cell = ttt_choose_move(&s->game, next_random(s));
    if (cell >= 0 && ttt_play(&s->game, (unsigned)cell) == TTT_MOVE_OK) {
        s->selected = (unsigned)cell;
        count_result(s);
    }
}

/* The person (or, with two players, whoever's turn it is) plays `cell`. */
static void play(struct session *s, unsigned cell)
{
    static char taken[48];
    switch (ttt_play(&s->game, cell)) {
    case TTT_MOVE_OK:
        s->selected = cell;
        s->message = NULL;
        count_result(s);
        if (!s->two_players && s->game.state == TTT_PLAYING)
            computer_moves(s);
        break;
    case TTT_MOVE_OCCUPIED:
        ksnprintf(taken, sizeof(taken), "Cell %u is taken: choose another one.", cell + 1);
        s->message = taken;
        break;
    default:
        break; /* out of range cannot come from the keys; game over: R or Q */
    }
}

/* Arrow keys move the highlight, wrapping around the board's edges. */
static void move_selection(struct session *s, enum keycode key)
{
    unsigned row = s->selected / 3, col = s->selected % 3;
    if (key == KEY_UP)
        row = (row + 2) % 3;
    else if (key == KEY_DOWN)
        row = (row + 1) % 3;
    else if (key == KEY_LEFT)
        col = (col + 2) % 3;
    else
        col = (col + 1) % 3;
    s->selected = row * 3 + col;
}

static void new_round(struct session *s)
{
    ttt_new_game(&s->game);
    s->selected = 4; /* the centre */
    s->message = NULL;
}

/* React to one key; false when the person wants to leave. */
static bool handle_key(struct session *s, const struct key_event *ev)
{
    char c = ev->ascii;
    if (c == 'q' || c == 'Q' || c == ASCII_ESCAPE)
        return false;
    if (c == 'r' || c == 'R') {
        if (s->game.state == TTT_PLAYING && s->game.moves > 0)
            s->message = "Finish this round first (or Q to leave).";
        else
            new_round(s);
    } else if (c >= '1' && c <= '9') {
        play(s, (unsigned)(c - '1'));
    } else if (ev->key == KEY_UP || ev->key == KEY_DOWN || ev->key == KEY_LEFT ||
               ev->key == KEY_RIGHT) {
        if (s->game.state == TTT_PLAYING)
            move_selection(s, ev->key);
    } else if (c == '\n' || c == ' ') {
        play(s, s->selected);
    }
    return true;
}

void ttt_app_run(bool two_players)
{
    static struct console_screen saved;
    static struct session s;
    if (console_save_screen(&saved) != 0) { /* the colour too */
        kprintf("ttt: no memory to keep the screen\n");
        return;
    }
    memset(&s, 0, sizeof(s));
    s.two_players = two_players;
    s.random_state = (timer_interrupts() << 20) ^ rdtsc() ^ 0x9E3779B97F4A7C15ull;
    new_round(&s);
    console_clear();
    for (;;) {
        draw(&s);
        struct key_event ev;
        input_wait_press(&ev);
        if (!handle_key(&s, &ev))
            break;
    }
    console_restore_screen(&saved);
}
