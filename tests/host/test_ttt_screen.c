/*
 * test_ttt_screen.c - host tests for the ttt program's screen
 * (user/programs/ttt_screen.c): a frame is drawn into a buffer and played
 * on a small model of a terminal, and the cells must be those of the
 * built-in game (apps/ttt/game.c): the title, score, status and help rows,
 * the board's box-drawing lines at its columns, the cell numbers and marks
 * in their colours, the highlighted and the winning cells, the cursor on
 * the highlighted mark, and the layout centred on a larger screen.
 *
 * The model knows exactly the sequences a frame may use (CSI H, CSI K, SGR
 * and CSI ? 25 l/h); any other one fails the test, as does a character
 * written past the screen's edge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <user/programs/ttt_screen.h>

#define MAX_COLS   132
#define MAX_ROWS   60
#define FRAME_SIZE 16384
#define SGR_GREY   37
#define SGR_DARK   90
#define SGR_CYAN   96
#define SGR_YELLOW 93
#define SGR_WHITE  97
#define SGR_BLACK  40
#define SGR_BLUE   44
#define SGR_GREEN  42

/* Layout figures of apps/ttt/game.c. */
#define BOARD_TOP  5
#define BOARD_LEFT 27

struct cell {
    uint32_t ch; /* Unicode */
    int fg, bg;
};

static struct screen {
    struct cell cells[MAX_ROWS][MAX_COLS];
    unsigned cols, rows, row, col;
    int fg, bg;
    bool cursor_visible;
} scr;

static char frame[FRAME_SIZE];
static size_t frame_length;

static long capture(int fd, const void *buf, size_t len)
{
    assert_int_equal(fd, 1);
    assert_true(frame_length + len <= FRAME_SIZE);
    memcpy(frame + frame_length, buf, len);
    frame_length += len;
    return (long)len;
}

static void screen_reset(unsigned cols, unsigned rows, uint32_t fill)
{
    memset(&scr, 0, sizeof(scr));
    scr.cols = cols;
    scr.rows = rows;
    for (unsigned r = 0; r < rows; r++)
        for (unsigned c = 0; c < cols; c++)
            scr.cells[r][c] = (struct cell){fill, SGR_GREY, SGR_BLACK};
}

static void put(uint32_t ch)
{
    assert_true(scr.row < scr.rows);
    assert_true(scr.col < scr.cols);
    scr.cells[scr.row][scr.col++] = (struct cell){ch, scr.fg, scr.bg};
}

/* One CSI sequence starting at p (after ESC [); returns the bytes used. */
static size_t control_sequence(const char *p)
{
    bool private_mode = *p == '?';
    size_t i = private_mode ? 1 : 0;
    int params[8], count = 0, value = -1;
    for (;; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            value = (value < 0 ? 0 : value * 10) + (p[i] - '0');
        } else if (p[i] == ';') {
            assert_true(count < 8);
            params[count++] = value;
            value = -1;
        } else {
            break;
        }
    }
    if (value >= 0 || count > 0)
        params[count++] = value;
    char final = p[i];
    if (private_mode) {
        assert_int_equal(count, 1);
        assert_int_equal(params[0], 25);
        assert_true(final == 'l' || final == 'h');
        scr.cursor_visible = final == 'h';
    } else if (final == 'H') {
        assert_int_equal(count, 2);
        assert_true(params[0] >= 1 && (unsigned)params[0] <= scr.rows);
        assert_true(params[1] >= 1 && (unsigned)params[1] <= scr.cols);
        scr.row = (unsigned)params[0] - 1;
        scr.col = (unsigned)params[1] - 1;
    } else if (final == 'K') {
        assert_int_equal(count, 0);
        for (unsigned c = scr.col; c < scr.cols; c++)
            scr.cells[scr.row][c] = (struct cell){' ', scr.fg, scr.bg};
    } else if (final == 'm') {
        for (int k = 0; k < count; k++) {
            int v = params[k];
            if ((v >= 30 && v <= 37) || (v >= 90 && v <= 97))
                scr.fg = v;
            else if (v >= 40 && v <= 47)
                scr.bg = v;
            else
                fail_msg("SGR %d in a frame", v);
        }
    } else {
        fail_msg("unexpected control sequence ending in '%c'", final);
    }
    return i + 1;
}

/* Play the frame on the model: UTF-8 text and CSI sequences only. */
static void play_frame(void)
{
    const unsigned char *p = (const unsigned char *)frame, *end = p + frame_length;
    while (p < end) {
        if (p[0] == 0x1b) {
            assert_true(p + 1 < end && p[1] == '[');
            p += 2 + control_sequence((const char *)p + 2);
        } else if (p[0] < 0x80) {
            assert_true(p[0] >= ' ');
            put(*p++);
        } else {
            assert_true((p[0] & 0xf0) == 0xe0 && p + 2 < end); /* the box characters: 3 bytes */
            put(((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f));
            p += 3;
        }
    }
}

static void draw_on(const struct ttt_session *s, unsigned cols, unsigned rows)
{
    struct outbuf out;
    char buffer[512]; /* smaller than a frame: drawing must survive flushes in between */
    frame_length = 0;
    screen_reset(cols, rows, 'Z');
    outbuf_init(&out, 1, capture, buffer, sizeof(buffer));
    ttt_draw(&out, s, cols, rows);
    assert_int_equal(outbuf_flush(&out), 0);
    play_frame();
}

static void new_session(struct ttt_session *s, bool two_players)
{
    memset(s, 0, sizeof(*s));
    ttt_new_game(&s->game);
    s->two_players = two_players;
    s->selected = 4;
}

/* The text at (row, col) relative to the layout's origin, in fg on black. */
static void expect_text(unsigned r0, unsigned c0, unsigned row, unsigned col, const char *text,
                        int fg)
{
    for (size_t i = 0; text[i]; i++) {
        const struct cell *c = &scr.cells[r0 + row][c0 + col + i];
        if (c->ch != (unsigned char)text[i] || c->fg != fg || c->bg != SGR_BLACK)
            fail_msg("row %u col %zu: '%c' fg %d bg %d, want '%c' fg %d", row, col + i, c->ch,
                     c->fg, c->bg, text[i], fg);
    }
}

static const struct cell *cell_at(unsigned r0, unsigned c0, unsigned row, unsigned col)
{
    return &scr.cells[r0 + row][c0 + col];
}

/* The middle of board cell k (0..8), as game.c computes the cursor's place. */
static unsigned mark_row(unsigned k)
{
    return BOARD_TOP + 1 + (k / 3) * 4 + 1;
}

static unsigned mark_col(unsigned k)
{
    return BOARD_LEFT + 1 + (k % 3) * 8 + 3;
}

static void expect_board_lines(unsigned r0, unsigned c0)
{
    assert_int_equal(cell_at(r0, c0, 5, 27)->ch, 0x250c);  /* ┌ */
    assert_int_equal(cell_at(r0, c0, 5, 28)->ch, 0x2500);  /* ─ */
    assert_int_equal(cell_at(r0, c0, 5, 35)->ch, 0x252c);  /* ┬ */
    assert_int_equal(cell_at(r0, c0, 5, 51)->ch, 0x2510);  /* ┐ */
    assert_int_equal(cell_at(r0, c0, 6, 27)->ch, 0x2502);  /* │ */
    assert_int_equal(cell_at(r0, c0, 7, 43)->ch, 0x2502);  /* │ */
    assert_int_equal(cell_at(r0, c0, 9, 27)->ch, 0x251c);  /* ├ */
    assert_int_equal(cell_at(r0, c0, 9, 43)->ch, 0x253c);  /* ┼ */
    assert_int_equal(cell_at(r0, c0, 13, 51)->ch, 0x2524); /* ┤ */
    assert_int_equal(cell_at(r0, c0, 17, 27)->ch, 0x2514); /* └ */
    assert_int_equal(cell_at(r0, c0, 17, 43)->ch, 0x2534); /* ┴ */
    assert_int_equal(cell_at(r0, c0, 17, 51)->ch, 0x2518); /* ┘ */
    assert_int_equal(cell_at(r0, c0, 17, 51)->fg, SGR_GREY);
}

static void test_new_game_on_80x25(void **state)
{
    (void)state;
    static struct ttt_session s;
    new_session(&s, false);
    draw_on(&s, 80, 25);
    expect_text(0, 0, 1, 0, "  Tic-tac-toe: you (X) against the computer (O)", SGR_WHITE);
    expect_text(0, 0, 3, 0, "  Score  You (X): 0   Computer (O): 0   Draws: 0", SGR_GREY);
    expect_text(0, 0, 19, 0, "  Your turn (X).", SGR_GREY);
    expect_text(0, 0, 21, 0,
                "  Keys 1-9 or arrows + Enter: play   R: new round   Q or Esc: back to the shell",
                SGR_DARK);
    expect_board_lines(0, 0);
    for (unsigned k = 0; k < 9; k++) {
        const struct cell *c = cell_at(0, 0, mark_row(k), mark_col(k));
        assert_int_equal(c->ch, '1' + k);
        assert_int_equal(c->fg, SGR_DARK);
        /* The whole 7x3 cell is on the highlight when selected, on black otherwise. */
        for (unsigned dr = 0; dr < 3; dr++)
            for (unsigned dc = 0; dc < 7; dc++)
                assert_int_equal(cell_at(0, 0, mark_row(k) - 1 + dr, mark_col(k) - 3 + dc)->bg,
                                 k == 4 ? SGR_BLUE : SGR_BLACK);
    }
    assert_int_equal(scr.row, mark_row(4));
    assert_int_equal(scr.col, mark_col(4));
    assert_true(scr.cursor_visible);
    assert_int_equal(cell_at(0, 0, 0, 0)->ch, 'Z');  /* a row the game never draws */
    assert_int_equal(cell_at(0, 0, 1, 79)->ch, ' '); /* the rest of a text row is erased */
}

static void test_marks_in_their_colours(void **state)
{
    (void)state;
    static struct ttt_session s;
    new_session(&s, true);
    assert_int_equal(ttt_play(&s.game, 0), TTT_MOVE_OK); /* X */
    assert_int_equal(ttt_play(&s.game, 8), TTT_MOVE_OK); /* O */
    s.selected = 8;
    s.message = "Cell 1 is taken: choose another one.";
    draw_on(&s, 80, 25);
    expect_text(0, 0, 1, 0, "  Tic-tac-toe: two players, X starts", SGR_WHITE);
    expect_text(0, 0, 3, 0, "  Score  X: 0   O: 0   Draws: 0", SGR_GREY);
    expect_text(0, 0, 19, 0, "  Cell 1 is taken: choose another one.", SGR_GREY);
    assert_int_equal(cell_at(0, 0, mark_row(0), mark_col(0))->ch, 'X');
    assert_int_equal(cell_at(0, 0, mark_row(0), mark_col(0))->fg, SGR_CYAN);
    assert_int_equal(cell_at(0, 0, mark_row(8), mark_col(8))->ch, 'O');
    assert_int_equal(cell_at(0, 0, mark_row(8), mark_col(8))->fg, SGR_YELLOW);
    assert_int_equal(cell_at(0, 0, mark_row(8), mark_col(8))->bg, SGR_BLUE);
    assert_int_equal(cell_at(0, 0, mark_row(0), mark_col(0))->bg, SGR_BLACK);
    s.message = NULL;
    draw_on(&s, 80, 25);
    expect_text(0, 0, 19, 0, "  X to play.", SGR_GREY);
}

static void test_win_shows_the_line(void **state)
{
    (void)state;
    static struct ttt_session s;
    new_session(&s, true);
    const unsigned moves[] = {0, 3, 1, 4, 2}; /* X along the top row */
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(ttt_play(&s.game, moves[i]), TTT_MOVE_OK);
    s.wins_x = 1;
    s.selected = 2;
    draw_on(&s, 80, 25);
    expect_text(0, 0, 3, 0, "  Score  X: 1   O: 0   Draws: 0", SGR_GREY);
    expect_text(0, 0, 19, 0, "  X wins!  Press R for a new round, Q to leave.", SGR_WHITE);
    for (unsigned k = 0; k < 9; k++)
        assert_int_equal(cell_at(0, 0, mark_row(k), mark_col(k))->bg,
                         k < 3 ? SGR_GREEN : SGR_BLACK); /* no highlight once it is over */
}

/* A framebuffer console of 800x600 pixels: 100x37 cells, the layout centred. */
static void test_centred_on_a_larger_screen(void **state)
{
    (void)state;
    static struct ttt_session s;
    new_session(&s, false);
    draw_on(&s, 100, 37);
    unsigned r0 = (37 - 25) / 2, c0 = (100 - 80) / 2;
    expect_text(r0, c0, 1, 0, "  Tic-tac-toe: you (X) against the computer (O)", SGR_WHITE);
    expect_board_lines(r0, c0);
    assert_int_equal(cell_at(r0, c0, mark_row(7), mark_col(7))->ch, '8');
    assert_int_equal(scr.row, r0 + mark_row(4));
    assert_int_equal(scr.col, c0 + mark_col(4));
    assert_int_equal(scr.cells[r0][c0].ch, 'Z');
}

/* The cursor is hidden while a frame is drawn, shown at its end. */
static void test_cursor_hidden_while_drawing(void **state)
{
    (void)state;
    static struct ttt_session s;
    new_session(&s, false);
    draw_on(&s, 80, 25);
    assert_true(frame_length > 12);
    assert_memory_equal(frame, ANSI_CURSOR_HIDE, strlen(ANSI_CURSOR_HIDE));
    const char *show = ANSI_CURSOR_SHOW;
    assert_memory_equal(frame + frame_length - strlen(show), show, strlen(show));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_game_on_80x25),
        cmocka_unit_test(test_marks_in_their_colours),
        cmocka_unit_test(test_win_shows_the_line),
        cmocka_unit_test(test_centred_on_a_larger_screen),
        cmocka_unit_test(test_cursor_hidden_while_drawing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
