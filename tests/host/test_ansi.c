/*
 * test_ansi.c - host tests for the control sequence parser (drivers/vga/ansi.c
 * and drivers/vga/ansi_screen.c) driving the grid writer on a RAM grid.
 *
 * Most cases run on an 80x25 grid (the VGA text screen); the ones about the
 * grid's edges, erasing, the alternate screen and split input run on 80x25,
 * 160x50 (a 1280x800 framebuffer) and 480x135 (the console's largest grid)
 * as well. Expected cells, attributes and positions are written out by
 * hand: attribute bytes are background << 4 | foreground in VGA colour
 * numbers (0 black, 1 blue, 2 green, 4 red, 7 light grey, 9-15 bright).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <drivers/vga/ansi.h>
#include <drivers/vga/vga.h>

#define MAX_COLS  480
#define MAX_ROWS  135
#define MAX_CELLS (MAX_COLS * MAX_ROWS)

#define ATTR_DEFAULT 0x07 /* light grey on black */
#define ATTR_RED     0x04
#define BLANK        0x0720 /* ' ' in light grey on black */
#define REPLACEMENT  VGA_REPLACEMENT_CHAR

static uint16_t cells[MAX_CELLS];
static uint16_t main_cells[MAX_CELLS];
static struct vga_writer w;
static struct ansi_parser p;
static unsigned shown_reports;
static bool last_shown;

static void note_shown(void *ctx, bool shown)
{
    (void)ctx;
    shown_reports++;
    last_shown = shown;
}

static const struct vga_backend recorder = {.cursor_shown = note_shown};

/* A cleared cols x rows grid with a parser whose alternate screen has room. */
static void open_grid(unsigned cols, unsigned rows)
{
    memset(cells, 0xA5, sizeof(cells));
    vga_init_grid(&w, cells, cols, rows, &recorder, NULL);
    vga_clear(&w);
    ansi_init(&p, &w, main_cells, MAX_CELLS);
    shown_reports = 0;
}

static int setup(void **state)
{
    (void)state;
    open_grid(VGA_WIDTH, VGA_HEIGHT);
    return 0;
}

static void feed(const char *s)
{
    ansi_write(&p, s, strlen(s));
}

static uint16_t cell_at(unsigned row, unsigned col)
{
    return cells[row * w.cols + col];
}

static unsigned char char_at(unsigned row, unsigned col)
{
    return vga_cell_char(cell_at(row, col));
}

static uint8_t attr_at(unsigned row, unsigned col)
{
    return vga_cell_attr(cell_at(row, col));
}

/* Row `row` reads `text` (bytes, code page 437) and then blanks. */
static void assert_row(unsigned row, const char *text)
{
    char actual[MAX_COLS + 1], expected[MAX_COLS + 1];
    size_t len = strlen(text);

    assert_true(len <= w.cols);
    for (unsigned col = 0; col < w.cols; col++) {
        actual[col] = (char)char_at(row, col);
        expected[col] = col < len ? text[col] : ' ';
    }
    actual[w.cols] = expected[w.cols] = '\0';
    if (strcmp(actual, expected) != 0)
        print_error("row %u:\n  got      [%.80s]\n  expected [%.80s]\n", row, actual, expected);
    assert_string_equal(actual, expected);
}

static void assert_cursor(unsigned row, unsigned col)
{
    assert_int_equal(w.row, row);
    assert_int_equal(w.col, col);
}

/* Every cell of the grid holds `cell`. */
static void assert_all_cells(uint16_t cell)
{
    for (unsigned i = 0; i < w.cols * w.rows; i++)
        if (cells[i] != cell) {
            print_error("cell %u is %#x, expected %#x\n", i, cells[i], cell);
            fail();
        }
}

/* Every cell 'x' in light grey on black, cursor at the top left. */
static void fill_with_x(void)
{
    for (unsigned i = 0; i < w.cols * w.rows; i++)
        cells[i] = vga_cell('x', ATTR_DEFAULT);
}

/* One test function run on a grid of each size: test_NAME_80x25 and so on. */
#define SIZED(name)                                                                                \
    static void test_##name##_80x25(void **state)                                                  \
    {                                                                                              \
        open_grid(80, 25);                                                                         \
        name(state);                                                                               \
    }                                                                                              \
    static void test_##name##_160x50(void **state)                                                 \
    {                                                                                              \
        open_grid(160, 50);                                                                        \
        name(state);                                                                               \
    }                                                                                              \
    static void test_##name##_480x135(void **state)                                                \
    {                                                                                              \
        open_grid(480, 135);                                                                       \
        name(state);                                                                               \
    }
#define SIZED_TESTS(name)                                                                          \
    cmocka_unit_test(test_##name##_80x25), cmocka_unit_test(test_##name##_160x50),                 \
        cmocka_unit_test(test_##name##_480x135)

/* ------------------------------------------------------------ text */

static void test_text_and_controls(void **state)
{
    (void)state;
    feed("ab\r\ncd\tX\n");
    assert_row(0, "ab");
    assert_row(1, "cd      X");
    static const char controls[] = "a\x07"
                                   "b\x01"
                                   "c\x7f"
                                   "d\x00"
                                   "e"; /* BEL SOH DEL NUL */
    ansi_write(&p, controls, sizeof(controls) - 1);
    assert_row(2, "abcde"); /* the controls showed nothing */
    feed("\bZ");
    assert_row(2, "abcdZ");
}

static void test_utf8_box_drawing_and_blocks(void **state)
{
    (void)state;
    feed("\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x90");             /* ┌─┐ */
    feed("\xe2\x96\x88\xe2\x96\x80\xe2\x96\x84\xe2\x96\x91"); /* █▀▄░ */
    feed("\xc3\xa9\xce\x98");                                 /* é Θ */
    assert_row(0, "\xda\xc4\xbf\xdb\xdf\xdc\xb0\x82\xe9");
    assert_cursor(0, 9);
}

static void test_utf8_without_glyph_is_one_replacement(void **state)
{
    (void)state;
    feed("\xe2\x82\xac|");     /* € has no code page 437 glyph */
    feed("\xf0\x9f\x98\x80|"); /* an emoji: four bytes, one cell */
    feed("\xef\xbf\xbd|");     /* U+FFFD itself */
    assert_row(0, "\xfe|\xfe|\xfe|");
}

static void test_malformed_utf8(void **state)
{
    (void)state;
    feed("\x80|");             /* a continuation byte alone */
    feed("\xc0\x80|");         /* overlong NUL: C0 is never a lead, then a lone 80 */
    feed("\xe0\x80\x80|");     /* overlong three-byte form */
    feed("\xed\xa0\x80|");     /* a surrogate, U+D800 */
    feed("\xf4\x90\x80\x80|"); /* above U+10FFFF */
    feed("\xff|");
    feed("\xe2\x94"
         "A|"); /* cut short by ASCII: one replacement, then A */
    assert_row(0, "\xfe|\xfe\xfe|\xfe\xfe\xfe|\xfe\xfe\xfe|\xfe\xfe\xfe\xfe|\xfe|\xfe"
                  "A|");
}

static void test_utf8_cut_short_by_escape(void **state)
{
    (void)state;
    feed("\xe2\x94\x1b[2CA");
    assert_row(0, "\xfe  A");
}

static void test_utf8_split_over_writes(void **state)
{
    (void)state;
    ansi_put(&p, 0xe2);
    ansi_put(&p, 0x94);
    assert_row(0, "");
    ansi_put(&p, 0x80);
    assert_row(0, "\xc4");
}

/* ------------------------------------------------------------ cursor */

static void test_cursor_moves(void **state)
{
    (void)state;
    feed("\x1b[10;20H");
    assert_cursor(9, 19);
    feed("\x1b[3A");
    assert_cursor(6, 19);
    feed("\x1b[B"); /* missing: 1 */
    assert_cursor(7, 19);
    feed("\x1b[0C"); /* 0: 1 */
    assert_cursor(7, 20);
    feed("\x1b[5D");
    assert_cursor(7, 15);
    feed("\x1b[2B\x1b[4C*");
    assert_int_equal(char_at(9, 19), '*');
}

static void cursor_moves_stop_at_edges(void **state)
{
    (void)state;
    feed("\x1b[5;5H\x1b[99A");
    assert_cursor(0, 4);
    feed("\x1b[9999B");
    assert_cursor(w.rows - 1, 4);
    feed("\x1b[9999C");
    assert_cursor(w.rows - 1, w.cols - 1);
    feed("\x1b[9999D");
    assert_cursor(w.rows - 1, 0);
    feed("\x1b[9999A\x1b[9999C"
         "E"); /* the last column: a pending wrap, no scroll */
    assert_int_equal(char_at(0, w.cols - 1), 'E');
    assert_cursor(0, w.cols);
}
SIZED(cursor_moves_stop_at_edges)

static void test_cursor_moves_from_pending_wrap(void **state)
{
    (void)state;
    for (unsigned i = 0; i < VGA_WIDTH; i++)
        feed("a");
    assert_cursor(0, VGA_WIDTH);
    feed("\x1b[D"
         "b"); /* the wrap is pending on the last column: one left of it */
    assert_int_equal(char_at(0, VGA_WIDTH - 2), 'b');
    feed("\x1b[C\x1b[C"
         "c"); /* stops at the last column */
    assert_int_equal(char_at(0, VGA_WIDTH - 1), 'c');
    feed("\x1b[B"
         "d"); /* down from a pending wrap: the last column, a row lower */
    assert_int_equal(char_at(1, VGA_WIDTH - 1), 'd');
}

static void test_cursor_position(void **state)
{
    (void)state;
    feed("\x1b[5;10H");
    assert_cursor(4, 9);
    feed("\x1b[H");
    assert_cursor(0, 0);
    feed("\x1b[7f"); /* HVP, the column missing */
    assert_cursor(6, 0);
    feed("\x1b[;3H"); /* the row missing */
    assert_cursor(0, 2);
    feed("\x1b[0;0H");
    assert_cursor(0, 0);
    feed("\x1b[12;40fQ");
    assert_int_equal(char_at(11, 39), 'Q');
}

static void cursor_position_clamped(void **state)
{
    (void)state;
    feed("\x1b[9999;9999H");
    assert_cursor(w.rows - 1, w.cols - 1);
    feed("\x1b[2;9999H");
    assert_cursor(1, w.cols - 1);
    feed("\x1b[9999;2H*");
    assert_int_equal(char_at(w.rows - 1, 1), '*');
}
SIZED(cursor_position_clamped)

static void test_cursor_hide_and_show(void **state)
{
    (void)state;
    feed("\x1b[?25l");
    assert_true(w.cursor_hidden);
    assert_int_equal(shown_reports, 1);
    assert_false(last_shown);
    feed("\x1b[?25l"); /* already hidden: nothing to tell */
    assert_int_equal(shown_reports, 1);
    feed("\x1b[?25h");
    assert_false(w.cursor_hidden);
    assert_int_equal(shown_reports, 2);
    assert_true(last_shown);
    feed("\x1b[25l"); /* without '?' it is ANSI mode 25, not DEC's: ignored */
    assert_false(w.cursor_hidden);
    feed("\x1b[?7;25l"); /* several modes at once, 7 not supported */
    assert_true(w.cursor_hidden);
}

static void test_save_and_restore_cursor(void **state)
{
    (void)state;
    feed("\x1b[5;6H\x1b[32m\x1b[s\x1b[H\x1b[0mX\x1b[uY");
    assert_int_equal(char_at(4, 5), 'Y');
    assert_int_equal(attr_at(4, 5), 0x02); /* green, saved with the position */
    assert_int_equal(attr_at(0, 0), ATTR_DEFAULT);
    feed("\x1b[0m\x1b[10;20H\x1b[1;34m\x1b"
         "7\x1b[H\x1b[0m\x1b"
         "8Z");
    assert_int_equal(char_at(9, 19), 'Z');
    assert_int_equal(attr_at(9, 19), 0x09); /* bold blue: light blue */
}

static void test_restore_without_save_goes_home(void **state)
{
    (void)state;
    feed("\x1b[31m\x1b[8;8H\x1b"
         "8A");
    assert_int_equal(char_at(0, 0), 'A');
    assert_int_equal(attr_at(0, 0), ATTR_DEFAULT);
}

/* ------------------------------------------------------------ erasing */

static void erase_in_page_modes(void **state)
{
    (void)state;
    unsigned last = w.cols * w.rows - 1;
    unsigned cursor = 2 * w.cols + 5;

    fill_with_x();
    feed("\x1b[3;6H\x1b[J"); /* 0, the default: cursor to end */
    assert_int_equal(cells[cursor - 1], vga_cell('x', ATTR_DEFAULT));
    assert_int_equal(cells[cursor], BLANK);
    assert_int_equal(cells[last], BLANK);
    assert_cursor(2, 5);
    fill_with_x();
    feed("\x1b[1J"); /* start to cursor, the cursor's cell included */
    assert_int_equal(cells[0], BLANK);
    assert_int_equal(cells[cursor], BLANK);
    assert_int_equal(cells[cursor + 1], vga_cell('x', ATTR_DEFAULT));
    assert_cursor(2, 5);
    fill_with_x();
    feed("\x1b[2J");
    assert_all_cells(BLANK);
    assert_cursor(2, 5); /* erasing does not move the cursor */
    fill_with_x();
    feed("\x1b[3J\x1b[?2J"); /* scrollback (none here), selective erase: ignored */
    assert_all_cells(vga_cell('x', ATTR_DEFAULT));
}
SIZED(erase_in_page_modes)

static void erase_in_line_modes(void **state)
{
    (void)state;
    unsigned start = 3 * w.cols;

    fill_with_x();
    feed("\x1b[4;11H\x1b[K");
    assert_int_equal(cells[start + 9], vga_cell('x', ATTR_DEFAULT));
    for (unsigned col = 10; col < w.cols; col++)
        assert_int_equal(cells[start + col], BLANK);
    assert_int_equal(cells[start + w.cols], vga_cell('x', ATTR_DEFAULT)); /* the next row */
    fill_with_x();
    feed("\x1b[1K");
    for (unsigned col = 0; col <= 10; col++)
        assert_int_equal(cells[start + col], BLANK);
    assert_int_equal(cells[start + 11], vga_cell('x', ATTR_DEFAULT));
    assert_int_equal(cells[start - 1], vga_cell('x', ATTR_DEFAULT)); /* the row above */
    fill_with_x();
    feed("\x1b[2K");
    for (unsigned col = 0; col < w.cols; col++)
        assert_int_equal(cells[start + col], BLANK);
    assert_int_equal(cells[start - 1], vga_cell('x', ATTR_DEFAULT));
    assert_int_equal(cells[start + w.cols], vga_cell('x', ATTR_DEFAULT));
    assert_cursor(3, 10);
}
SIZED(erase_in_line_modes)

static void test_erase_uses_current_background(void **state)
{
    (void)state;
    feed("\x1b[44m\x1b[2J");
    assert_all_cells(0x1720); /* ' ' light grey on blue */
    feed("\x1b[0;41m\x1b[H\x1b[K");
    assert_int_equal(cell_at(0, 0), 0x4720);
    assert_int_equal(cell_at(0, VGA_WIDTH - 1), 0x4720);
    assert_int_equal(cell_at(1, 0), 0x1720);
}

static void test_erase_line_in_pending_wrap(void **state)
{
    (void)state;
    for (unsigned i = 0; i < VGA_WIDTH; i++)
        feed("a");
    feed("\x1b[K"); /* the cursor is on the last column: that cell goes */
    assert_int_equal(cell_at(0, VGA_WIDTH - 1), BLANK);
    assert_int_equal(char_at(0, VGA_WIDTH - 2), 'a');
    assert_cursor(0, VGA_WIDTH - 1); /* and the wrap is no longer pending */
    feed("b");
    assert_int_equal(char_at(0, VGA_WIDTH - 1), 'b');
    assert_row(1, "");
}

/* ------------------------------------------------------------ colours */

static void test_sgr_foregrounds(void **state)
{
    /* ANSI black red green yellow blue magenta cyan white as VGA colours. */
    static const uint8_t normal[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    static const uint8_t bright[8] = {8, 12, 10, 14, 9, 13, 11, 15};
    char seq[16];
    (void)state;
    for (unsigned n = 0; n < 8; n++) {
        snprintf(seq, sizeof(seq), "\x1b[%um%c", 30 + n, 'a' + n);
        feed(seq);
        snprintf(seq, sizeof(seq), "\x1b[%umA", 90 + n);
        feed(seq);
        assert_int_equal(attr_at(0, 2 * n), normal[n]);
        assert_int_equal(attr_at(0, 2 * n + 1), bright[n]);
    }
    assert_int_equal(char_at(0, 0), 'a');
}

static void test_sgr_backgrounds(void **state)
{
    static const uint8_t normal[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    static const uint8_t bright[8] = {8, 12, 10, 14, 9, 13, 11, 15};
    char seq[16];
    (void)state;
    for (unsigned n = 0; n < 8; n++) {
        snprintf(seq, sizeof(seq), "\x1b[%umb", 40 + n);
        feed(seq);
        snprintf(seq, sizeof(seq), "\x1b[%umB", 100 + n);
        feed(seq);
        assert_int_equal(attr_at(0, 2 * n), normal[n] << 4 | 7);
        assert_int_equal(attr_at(0, 2 * n + 1), bright[n] << 4 | 7);
    }
}

static void test_sgr_bold_and_defaults(void **state)
{
    (void)state;
    feed("\x1b[1mA\x1b[31mB\x1b[22mC\x1b[1;97mD\x1b[22mE\x1b[44mF\x1b[39mG\x1b[49mH\x1b[mI");
    assert_int_equal(attr_at(0, 0), 0x0F); /* bold light grey: white */
    assert_int_equal(attr_at(0, 1), 0x0C); /* bold red: light red */
    assert_int_equal(attr_at(0, 2), 0x04); /* not bold: red */
    assert_int_equal(attr_at(0, 3), 0x0F); /* bright white, bold or not */
    assert_int_equal(attr_at(0, 4), 0x0F);
    assert_int_equal(attr_at(0, 5), 0x1F);
    assert_int_equal(attr_at(0, 6), 0x17); /* default foreground */
    assert_int_equal(attr_at(0, 7), ATTR_DEFAULT);
    assert_int_equal(attr_at(0, 8), ATTR_DEFAULT); /* CSI m: SGR 0 */
    assert_row(0, "ABCDEFGHI");
}

static void test_sgr_several_parameters(void **state)
{
    (void)state;
    feed("\x1b[1;33;44mA\x1b[0;31mB\x1b[;32mC\x1b[41;0mD\x1b[4;5;7;35mE");
    assert_int_equal(attr_at(0, 0), 0x1E); /* yellow on blue */
    assert_int_equal(attr_at(0, 1), ATTR_RED);
    assert_int_equal(attr_at(0, 2), 0x02); /* an empty parameter is 0 */
    assert_int_equal(attr_at(0, 3), ATTR_DEFAULT);
    assert_int_equal(attr_at(0, 4), 0x05); /* underline, blink, inverse: ignored */
}

static void test_sgr_extended_colours(void **state)
{
    (void)state;
    feed("\x1b[38;5;9mA");           /* palette 9: bright red */
    feed("\x1b[48;5;4mB");           /* palette 4: blue */
    feed("\x1b[0;38;2;255;0;0;1mC"); /* RGB skipped with its values, then bold */
    feed("\x1b[0;38;5;200;32mD");    /* an index past 15: ignored, then green */
    feed("\x1b[0;48;2;1;2mE");       /* RGB cut short */
    assert_int_equal(attr_at(0, 0), 0x0C);
    assert_int_equal(attr_at(0, 1), 0x1C); /* light red on blue */
    assert_int_equal(attr_at(0, 2), 0x0F);
    assert_int_equal(attr_at(0, 3), 0x02);
    assert_int_equal(attr_at(0, 4), ATTR_DEFAULT);
}

static void test_sgr_starts_from_kernel_colours(void **state)
{
    (void)state;
    vga_set_color(&w, VGA_GREEN, VGA_BLACK); /* as console_set_color does */
    feed("\x1b[1mA\x1b[44mB");
    assert_int_equal(attr_at(0, 0), 0x0A); /* bold green: light green */
    assert_int_equal(attr_at(0, 1), 0x1A);
}

/* ------------------------------------------------------------ alternate screen */

static void alternate_screen_round_trip(void **state)
{
    (void)state;
    feed("main line one\r\n\x1b[31mred line\x1b[4;5H");
    uint16_t before[MAX_CELLS];
    memcpy(before, cells, sizeof(uint16_t) * w.cols * w.rows);

    feed("\x1b[?1049h");
    assert_all_cells(0x0420); /* cleared in the current colours */
    assert_cursor(3, 4);
    feed("\x1b[0;44m\x1b[2J\x1b[Halternate\x1b[9999;9999HZ");
    assert_row(0, "alternate");
    assert_int_equal(char_at(w.rows - 1, w.cols - 1), 'Z');

    feed("\x1b[?1049l");
    assert_memory_equal(cells, before, sizeof(uint16_t) * w.cols * w.rows);
    assert_cursor(3, 4);
    feed("x");
    assert_int_equal(cell_at(3, 4), vga_cell('x', ATTR_RED)); /* the colours came back */
}
SIZED(alternate_screen_round_trip)

static void test_alternate_screen_enter_twice_leave_twice(void **state)
{
    (void)state;
    feed("\x1b[?1049l"); /* not on: nothing to do */
    feed("main");
    assert_row(0, "main");
    feed("\x1b[?1049hfirst\x1b[?1049h"); /* on already: the alternate screen stays */
    assert_row(0, "    first");
    feed("\x1b[?1049l");
    assert_row(0, "main");
    assert_cursor(0, 4);
    feed("\x1b[?1049l");
    assert_row(0, "main");
}

static void test_alternate_screen_needs_room(void **state)
{
    (void)state;
    ansi_init(&p, &w, main_cells, VGA_WIDTH * VGA_HEIGHT - 1);
    feed("kept\x1b[?1049h");
    assert_row(0, "kept"); /* no room to keep the main screen: swallowed */
    feed("\x1b[?1049l!");
    assert_row(0, "kept!");
}

static void test_alternate_screen_after_grid_resize(void **state)
{
    (void)state;
    feed("main\x1b[?1049h");
    vga_init_grid(&w, cells, 40, 10, &recorder, NULL); /* the console moved to another screen */
    feed("\x1b[?1049l");
    assert_all_cells(BLANK);
    assert_cursor(0, 4);
}

/* ------------------------------------------------------------ malformed and unknown */

static void test_unknown_sequences_swallowed(void **state)
{
    (void)state;
    feed("a\x1b[5zb");     /* an unknown final byte */
    feed("\x1b[2 qc");     /* an intermediate byte (cursor style) */
    feed("\x1b[1?hd");     /* a private marker after a parameter */
    feed("\x1b[38:5:1me"); /* sub-parameters */
    feed("\x1b[>0cf");     /* a private marker on a known final */
    feed("\x1b[?5Wg");     /* an unknown private one */
    feed("\x1b[1;2;3@h");  /* a real ECMA-48 function Keel does not do (ICH) */
    assert_row(0, "abcdefgh");
    assert_int_equal(attr_at(0, 4), ATTR_DEFAULT);
    assert_false(w.cursor_hidden);
}

static void test_escape_sequences_swallowed(void **state)
{
    (void)state;
    feed("\x1b(Ba\x1b)0b\x1b=c\x1b>d\x1b"
         "ce\x1bMf\x1b#8g\x1b\\h");
    assert_row(0, "abcdefgh");
}

static void test_control_strings_swallowed(void **state)
{
    (void)state;
    feed("\x1b]0;a title\x07"
         "a");                             /* OSC ended by BEL */
    feed("\x1b]2;another\x1b\\b");         /* OSC ended by ST */
    feed("\x1bPq#0;2;0;0;0\x1b\\c");       /* DCS (sixel) */
    feed("\x1b_apc\nwith newline\x1b\\d"); /* controls inside belong to the string */
    feed("\x1b]0;cut\x1b[2Ce");            /* ESC inside that is not ST: a new sequence */
    assert_row(0, "abcd  e");
    assert_row(1, "");
}

static void test_lone_escape_drops_only_itself(void **state)
{
    (void)state;
    feed("\x1bxy\x1b"
         "A\x1b\x1b[Cz");
    assert_row(0, "xyA z");
    feed("\x1b\xc3\xa9"); /* ESC then UTF-8 */
    assert_int_equal(char_at(0, 5), 0x82);
}

static void test_cancel_and_substitute_end_a_sequence(void **state)
{
    (void)state;
    feed("\x1b[5\x18"
         "A\x1b[3\x1a"
         "B\x1b\x18"
         "C\x1b]0;t\x18"
         "D");
    assert_row(0, "ABCD");
}

static void test_escape_inside_csi_starts_over(void **state)
{
    (void)state;
    feed("\x1b[5\x1b[2CA");
    assert_row(0, "  A");
}

static void test_controls_inside_csi_act(void **state)
{
    (void)state;
    feed("ab\x1b[\r2CX");
    assert_row(0, "abX");
    feed("\x1b[1\n;5HY"); /* the newline acts, then the sequence goes on */
    assert_int_equal(char_at(0, 4), 'Y');
}

static void test_high_byte_inside_csi_swallows_it(void **state)
{
    (void)state;
    feed("\x1b[1\xc3\xa9mZ");
    assert_row(0, "Z");
    assert_int_equal(attr_at(0, 0), ATTR_DEFAULT);
}

static void test_long_parameters_clamped(void **state)
{
    (void)state;
    feed("\x1b[99999999999999999999999999999C");
    assert_cursor(0, VGA_WIDTH - 1);
    feed("\x1b[4294967297A"); /* 2^32 + 1 would wrap to 1 in 32 bits */
    assert_cursor(0, VGA_WIDTH - 1);
    feed("\x1b[3;4294967297H");
    assert_cursor(2, VGA_WIDTH - 1);
    feed("\x1b[00000000000000000000000000000000031mR");
    assert_int_equal(attr_at(2, VGA_WIDTH - 1), ATTR_RED);
    assert_int_equal(p.params[0], 31);
}

static void test_too_many_parameters(void **state)
{
    (void)state;
    /* 16 parameters are read; the 17th, 31, is ignored. */
    feed("\x1b[0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;31mA");
    assert_int_equal(attr_at(0, 0), ATTR_DEFAULT);
    feed("\x1b[0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;31mB"); /* the 16th is read */
    assert_int_equal(attr_at(0, 1), ATTR_RED);
    assert_row(0, "AB");
}

/* ------------------------------------------------------------ split input */

static const char split_stream[] =
    "\x1b[2J\x1b[3;4H\x1b[1;31mRed\x1b[0m \xe2\x94\x80\xe2\x96\x88\x1b]0;title\x07"
    "\x1b[?25l\x1b"
    "7\x1b[H\x1b[44mA\x1b"
    "8B\x1b[?1049hC\x1b[5;5H\x1b[K\x1b[?1049l"
    "\x1b[999;999H\x1b[1KD\x1b(0\x1b[s\x1b[2;2HE\x1b[uF\x1b[38;5;12m";

struct grid_state {
    uint16_t cells[MAX_CELLS];
    unsigned row, col;
    uint8_t attr;
    bool cursor_hidden;
};

static void snapshot(struct grid_state *s)
{
    memcpy(s->cells, cells, sizeof(uint16_t) * w.cols * w.rows);
    s->row = w.row;
    s->col = w.col;
    s->attr = w.attr;
    s->cursor_hidden = w.cursor_hidden;
}

static void assert_same_state(const struct grid_state *a, const struct grid_state *b, size_t at)
{
    if (memcmp(a->cells, b->cells, sizeof(uint16_t) * w.cols * w.rows) != 0 || a->row != b->row ||
        a->col != b->col || a->attr != b->attr || a->cursor_hidden != b->cursor_hidden) {
        print_error("split at byte %zu differs\n", at);
        fail();
    }
}

/* Every split of the stream into two writes, and one byte per write, give
 * the grid that one write gives. */
static void split_sequences_are_whole(void **state)
{
    static struct grid_state whole, split;
    size_t len = sizeof(split_stream) - 1;
    unsigned cols = w.cols, rows = w.rows;
    (void)state;

    ansi_write(&p, split_stream, len);
    snapshot(&whole);
    assert_true(whole.cursor_hidden);
    for (size_t at = 0; at <= len; at++) {
        open_grid(cols, rows);
        ansi_write(&p, split_stream, at);
        ansi_write(&p, split_stream + at, len - at);
        snapshot(&split);
        assert_same_state(&whole, &split, at);
    }
    open_grid(cols, rows);
    for (size_t i = 0; i < len; i++)
        ansi_put(&p, (unsigned char)split_stream[i]);
    snapshot(&split);
    assert_same_state(&whole, &split, 1);
}
SIZED(split_sequences_are_whole)

static void test_split_sequence_result(void **state)
{
    (void)state;
    ansi_write(&p, split_stream, sizeof(split_stream) - 1);
    assert_row(0, "A"); /* kept across the alternate screen, whose C is gone */
    assert_int_equal(attr_at(0, 0), 0x17);
    assert_row(1, " E");
    assert_row(2, "   Red \xc4\xdb"
                  "B"); /* ESC 8 came back after the A at the top left */
    assert_int_equal(attr_at(2, 3), 0x0C);
    assert_int_equal(attr_at(2, 6), ATTR_DEFAULT);
    assert_int_equal(attr_at(2, 9), ATTR_DEFAULT);
    for (unsigned col = 0; col < VGA_WIDTH - 1; col++)
        assert_int_equal(cell_at(24, col), BLANK); /* CSI 1 K: the last row up to the corner */
    assert_int_equal(char_at(24, 79), 'F');        /* over the D: CSI u went back to it */
    assert_cursor(24, 80);
    assert_true(w.cursor_hidden);
    assert_int_equal(w.attr, 0x09); /* palette colour 12: bright blue */
}

/* ------------------------------------------------------------ the end of a program */

static void test_reset_undoes_everything(void **state)
{
    (void)state;
    feed("shell$ ");
    feed("\x1b[31m\x1b[?25l\x1b[?1049hgame\x1b[5");
    unsigned undone = ansi_reset(&p);
    assert_int_equal(undone, ANSI_UNDONE_SEQUENCE | ANSI_UNDONE_ALTERNATE | ANSI_UNDONE_CURSOR |
                                 ANSI_UNDONE_COLOURS);
    assert_row(0, "shell$ ");
    assert_cursor(0, 7);
    assert_false(w.cursor_hidden);
    assert_true(last_shown);
    assert_int_equal(w.attr, ATTR_DEFAULT);
    feed("A"); /* not taken as the end of the cut sequence */
    assert_row(0, "shell$ A");
    assert_int_equal(attr_at(0, 7), ATTR_DEFAULT);
}

static void test_reset_with_nothing_to_undo(void **state)
{
    (void)state;
    feed("plain text \x1b[2;3H\x1b[K");
    assert_int_equal(ansi_reset(&p), 0);
    feed("\xe2\x94");
    assert_int_equal(ansi_reset(&p), ANSI_UNDONE_SEQUENCE); /* half a character */
    feed("Z");
    assert_int_equal(char_at(1, 2), 'Z');
}

static void test_reset_brings_back_kernel_colours(void **state)
{
    (void)state;
    vga_set_color(&w, VGA_YELLOW, VGA_BLUE); /* as the `color` command leaves them */
    feed("\x1b[0;31mX\x1b[1;42m");
    assert_int_equal(ansi_reset(&p), ANSI_UNDONE_COLOURS);
    assert_int_equal(w.attr, 0x1E);
    feed("\x1b[1mY"); /* and SGR goes on from them */
    assert_int_equal(attr_at(0, 1), 0x1E);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_text_and_controls, setup),
        cmocka_unit_test_setup(test_utf8_box_drawing_and_blocks, setup),
        cmocka_unit_test_setup(test_utf8_without_glyph_is_one_replacement, setup),
        cmocka_unit_test_setup(test_malformed_utf8, setup),
        cmocka_unit_test_setup(test_utf8_cut_short_by_escape, setup),
        cmocka_unit_test_setup(test_utf8_split_over_writes, setup),
        cmocka_unit_test_setup(test_cursor_moves, setup),
        SIZED_TESTS(cursor_moves_stop_at_edges),
        cmocka_unit_test_setup(test_cursor_moves_from_pending_wrap, setup),
        cmocka_unit_test_setup(test_cursor_position, setup),
        SIZED_TESTS(cursor_position_clamped),
        cmocka_unit_test_setup(test_cursor_hide_and_show, setup),
        cmocka_unit_test_setup(test_save_and_restore_cursor, setup),
        cmocka_unit_test_setup(test_restore_without_save_goes_home, setup),
        SIZED_TESTS(erase_in_page_modes),
        SIZED_TESTS(erase_in_line_modes),
        cmocka_unit_test_setup(test_erase_uses_current_background, setup),
        cmocka_unit_test_setup(test_erase_line_in_pending_wrap, setup),
        cmocka_unit_test_setup(test_sgr_foregrounds, setup),
        cmocka_unit_test_setup(test_sgr_backgrounds, setup),
        cmocka_unit_test_setup(test_sgr_bold_and_defaults, setup),
        cmocka_unit_test_setup(test_sgr_several_parameters, setup),
        cmocka_unit_test_setup(test_sgr_extended_colours, setup),
        cmocka_unit_test_setup(test_sgr_starts_from_kernel_colours, setup),
        SIZED_TESTS(alternate_screen_round_trip),
        cmocka_unit_test_setup(test_alternate_screen_enter_twice_leave_twice, setup),
        cmocka_unit_test_setup(test_alternate_screen_needs_room, setup),
        cmocka_unit_test_setup(test_alternate_screen_after_grid_resize, setup),
        cmocka_unit_test_setup(test_unknown_sequences_swallowed, setup),
        cmocka_unit_test_setup(test_escape_sequences_swallowed, setup),
        cmocka_unit_test_setup(test_control_strings_swallowed, setup),
        cmocka_unit_test_setup(test_lone_escape_drops_only_itself, setup),
        cmocka_unit_test_setup(test_cancel_and_substitute_end_a_sequence, setup),
        cmocka_unit_test_setup(test_escape_inside_csi_starts_over, setup),
        cmocka_unit_test_setup(test_controls_inside_csi_act, setup),
        cmocka_unit_test_setup(test_high_byte_inside_csi_swallows_it, setup),
        cmocka_unit_test_setup(test_long_parameters_clamped, setup),
        cmocka_unit_test_setup(test_too_many_parameters, setup),
        SIZED_TESTS(split_sequences_are_whole),
        cmocka_unit_test_setup(test_split_sequence_result, setup),
        cmocka_unit_test_setup(test_reset_undoes_everything, setup),
        cmocka_unit_test_setup(test_reset_with_nothing_to_undo, setup),
        cmocka_unit_test_setup(test_reset_brings_back_kernel_colours, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
