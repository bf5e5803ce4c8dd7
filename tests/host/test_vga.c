/*
 * test_vga.c - host tests for the VGA text writer (drivers/vga/vga.c).
 *
 * The writer draws into an ordinary array here, 80x25 as the text screen
 * and, further down, grids of other sizes with a recording back end (what a
 * framebuffer console would be told). Expected screens are spelled out in
 * the tests (row strings, hand-computed attribute bytes and cell indices),
 * never derived from the writer itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <drivers/vga/vga.h>

#define CELLS (VGA_WIDTH * VGA_HEIGHT)

/* Attribute bytes worked out by hand: background in the high nibble. */
#define ATTR_GREY_ON_BLACK 0x07
#define ATTR_GREY_ON_BLUE  0x17
#define ATTR_YELLOW_ON_RED 0x4E
#define ATTR_WHITE_ON_CYAN 0x3F

static uint16_t screen[CELLS];
static struct vga_writer w;

static int setup(void **state)
{
    (void)state;
    memset(screen, 0xA5, sizeof(screen)); /* garbage that vga_init must clear */
    vga_init(&w, screen, VGA_LIGHT_GREY, VGA_BLACK);
    return 0;
}

static void write_str(const char *s)
{
    vga_write(&w, s, strlen(s));
}

static unsigned char char_at(unsigned row, unsigned col)
{
    return (unsigned char)(screen[row * VGA_WIDTH + col] & 0xFF);
}

static uint8_t attr_at(unsigned row, unsigned col)
{
    return (uint8_t)(screen[row * VGA_WIDTH + col] >> 8);
}

/* Row `row` must read `text` followed by blanks up to the right edge. */
static void assert_row(unsigned row, const char *text)
{
    char actual[VGA_WIDTH + 1];
    char expected[VGA_WIDTH + 1];
    size_t len = strlen(text);

    assert_true(len <= VGA_WIDTH);
    for (unsigned col = 0; col < VGA_WIDTH; col++) {
        actual[col] = (char)char_at(row, col);
        expected[col] = col < len ? text[col] : ' ';
    }
    actual[VGA_WIDTH] = expected[VGA_WIDTH] = '\0';
    if (strcmp(actual, expected) != 0)
        print_error("row %u:\n  got      [%s]\n  expected [%s]\n", row, actual, expected);
    assert_string_equal(actual, expected);
}

static void assert_cursor(unsigned row, unsigned col)
{
    assert_int_equal(w.row, row);
    assert_int_equal(w.col, col);
}

/* A line of n letters "abc...zabc..." so that wrapped text is recognisable. */
static void letters(char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + i % 26);
    buf[n] = '\0';
}

static void test_init_clears_with_colour(void **state)
{
    (void)state;
    memset(screen, 0x5A, sizeof(screen));
    vga_init(&w, screen, VGA_LIGHT_GREY, VGA_BLUE);
    for (unsigned i = 0; i < CELLS; i++)
        assert_int_equal(screen[i], 0x1720); /* ' ' in grey on blue */
    assert_cursor(0, 0);
    assert_int_equal(w.attr, ATTR_GREY_ON_BLUE);
}

static void test_attr_and_cell_helpers(void **state)
{
    (void)state;
    assert_int_equal(vga_attr(VGA_YELLOW, VGA_RED), ATTR_YELLOW_ON_RED);
    assert_int_equal(vga_attr(VGA_WHITE, VGA_CYAN), ATTR_WHITE_ON_CYAN);
    assert_int_equal(vga_cell('A', ATTR_YELLOW_ON_RED), 0x4E41);
    assert_int_equal(vga_cell(0xC9, ATTR_GREY_ON_BLACK), 0x07C9);
}

static void test_plain_text(void **state)
{
    (void)state;
    write_str("hello");
    assert_row(0, "hello");
    assert_row(1, "");
    assert_cursor(0, 5);
    assert_int_equal(vga_cursor_index(&w), 5);
    assert_int_equal(screen[0], 0x0768); /* 'h' grey on black */
}

static void test_newline_and_return(void **state)
{
    (void)state;
    write_str("ab\ncd\nxyz\rQ");
    assert_row(0, "ab");
    assert_row(1, "cd");
    assert_row(2, "Qyz");
    assert_cursor(2, 1);
}

static void test_wrap_long_line(void **state)
{
    char line[86];
    char first[VGA_WIDTH + 1];

    (void)state;
    letters(line, 85);
    write_str(line);
    memcpy(first, line, VGA_WIDTH);
    first[VGA_WIDTH] = '\0';
    assert_row(0, first);
    assert_row(1, "cdefg"); /* characters 80..84: 80 % 26 = 2 -> 'c' */
    assert_cursor(1, 5);
    assert_int_equal(vga_cursor_index(&w), 85);
}

static void test_pending_wrap_state(void **state)
{
    char line[VGA_WIDTH + 1];

    (void)state;
    letters(line, VGA_WIDTH);
    write_str(line);
    assert_cursor(0, VGA_WIDTH); /* wrap pending, not yet on row 1 */
    assert_int_equal(vga_cursor_index(&w), 79);
    assert_row(1, "");
    write_str("x");
    assert_row(0, line);
    assert_row(1, "x");
    assert_cursor(1, 1);
}

static void test_full_line_then_newline_leaves_no_empty_line(void **state)
{
    char line[VGA_WIDTH + 1];

    (void)state;
    letters(line, VGA_WIDTH);
    write_str(line);
    write_str("\nnext");
    assert_row(0, line);
    assert_row(1, "next");
    assert_row(2, "");
    assert_cursor(1, 4);
}

static void test_pending_wrap_then_return(void **state)
{
    char line[VGA_WIDTH + 1];

    (void)state;
    letters(line, VGA_WIDTH);
    write_str(line);
    write_str("\rZ");
    line[0] = 'Z';
    assert_row(0, line);
    assert_row(1, "");
    assert_cursor(0, 1);
}

static void test_scroll_on_newline(void **state)
{
    char text[32];

    (void)state;
    for (int i = 0; i < VGA_HEIGHT; i++) {
        snprintf(text, sizeof(text), "line %d", i);
        write_str(text);
        if (i == VGA_HEIGHT - 1)
            vga_set_color(&w, VGA_YELLOW, VGA_RED); /* the new row must get this colour */
        write_str("\n");
    }
    for (int row = 0; row < VGA_HEIGHT - 1; row++) {
        snprintf(text, sizeof(text), "line %d", row + 1);
        assert_row((unsigned)row, text);
    }
    assert_row(VGA_HEIGHT - 1, "");
    for (unsigned col = 0; col < VGA_WIDTH; col++) {
        assert_int_equal(attr_at(VGA_HEIGHT - 1, col), ATTR_YELLOW_ON_RED);
        assert_int_equal(attr_at(VGA_HEIGHT - 2, col), ATTR_GREY_ON_BLACK);
    }
    assert_cursor(VGA_HEIGHT - 1, 0);
    assert_int_equal(vga_cursor_index(&w), 24 * 80);
}

static void test_scroll_only_when_writing_past_last_cell(void **state)
{
    char line[VGA_WIDTH + 1];

    (void)state;
    for (unsigned row = 0; row < VGA_HEIGHT; row++) {
        memset(line, 'A' + (int)row, VGA_WIDTH);
        line[VGA_WIDTH] = '\0';
        write_str(line);
    }
    /* Screen exactly full: nothing scrolled yet. */
    memset(line, 'A', VGA_WIDTH);
    assert_row(0, line);
    assert_cursor(VGA_HEIGHT - 1, VGA_WIDTH);
    assert_int_equal(vga_cursor_index(&w), 1999);

    write_str("!");
    memset(line, 'B', VGA_WIDTH);
    assert_row(0, line);
    memset(line, 'Y', VGA_WIDTH); /* 'A' + 24 */
    assert_row(VGA_HEIGHT - 2, line);
    assert_row(VGA_HEIGHT - 1, "!");
}

static void test_tab_stops(void **state)
{
    (void)state;
    write_str("a\tb\tc");
    assert_int_equal(char_at(0, 0), 'a');
    assert_int_equal(char_at(0, 8), 'b');
    assert_int_equal(char_at(0, 16), 'c');
    assert_cursor(0, 17);
    write_str("\r\t");
    assert_cursor(0, 8); /* from column 0 to the first stop */
    write_str("\t");
    assert_cursor(0, 16); /* from a stop to the next one */
}

static void test_tab_does_not_erase(void **state)
{
    (void)state;
    write_str("abcdefghij\r\tX");
    assert_row(0, "abcdefghXj");
}

static void test_tab_wraps_like_text(void **state)
{
    char line[VGA_WIDTH + 1];

    (void)state;
    memset(line, '.', 75);
    line[75] = '\0';
    write_str(line);
    write_str("\t");
    assert_cursor(0, VGA_WIDTH); /* 75 -> 80: pending wrap */
    write_str("x");
    assert_row(1, "x");
    assert_cursor(1, 1);

    write_str("\n");
    memset(line, '-', VGA_WIDTH);
    line[VGA_WIDTH] = '\0';
    write_str(line);
    write_str("\ty"); /* tab in the pending state: next line, then column 8 */
    assert_row(3, "        y");
    assert_cursor(3, 9);
}

static void test_backspace_erases(void **state)
{
    (void)state;
    write_str("abc\b");
    assert_row(0, "ab");
    assert_cursor(0, 2);
    write_str("\b\bZ");
    assert_row(0, "Z");
    assert_cursor(0, 1);
}

static void test_backspace_at_line_start(void **state)
{
    char line[VGA_WIDTH + 1];

    (void)state;
    letters(line, VGA_WIDTH);
    write_str(line);
    write_str("\n\b");
    assert_cursor(0, VGA_WIDTH - 1);
    line[VGA_WIDTH - 1] = ' ';
    assert_row(0, line);
    write_str("!");
    line[VGA_WIDTH - 1] = '!';
    assert_row(0, line);
}

static void test_backspace_at_top_left(void **state)
{
    (void)state;
    write_str("x\b\b\b");
    assert_cursor(0, 0);
    assert_row(0, "");
    write_str("k");
    assert_row(0, "k");
}

static void test_backspace_in_pending_wrap(void **state)
{
    char line[VGA_WIDTH + 1];

    (void)state;
    letters(line, VGA_WIDTH);
    write_str(line);
    write_str("\b");
    assert_cursor(0, VGA_WIDTH - 1);
    line[VGA_WIDTH - 1] = ' ';
    assert_row(0, line);
    assert_row(1, "");
}

static void test_backspace_blanks_in_current_colour(void **state)
{
    (void)state;
    write_str("ab");
    vga_set_color(&w, VGA_WHITE, VGA_CYAN);
    write_str("\b");
    assert_int_equal(screen[1], 0x3F20);
    assert_int_equal(screen[0], 0x0761);
}

static void test_colours_per_cell(void **state)
{
    (void)state;
    write_str("ab");
    vga_set_color(&w, VGA_YELLOW, VGA_RED);
    write_str("cd");
    vga_set_color(&w, VGA_WHITE, VGA_CYAN);
    write_str("e");
    assert_int_equal(screen[0], 0x0761);
    assert_int_equal(screen[1], 0x0762);
    assert_int_equal(screen[2], 0x4E63);
    assert_int_equal(screen[3], 0x4E64);
    assert_int_equal(screen[4], 0x3F65);
    assert_int_equal(screen[5], 0x0720); /* untouched blank from the clear */
}

static void test_clear_uses_current_colour(void **state)
{
    (void)state;
    write_str("text\nmore");
    vga_set_color(&w, VGA_YELLOW, VGA_RED);
    vga_clear(&w);
    for (unsigned i = 0; i < CELLS; i++)
        assert_int_equal(screen[i], 0x4E20);
    assert_cursor(0, 0);
}

static void test_control_bytes_show_replacement(void **state)
{
    (void)state;
    for (int byte = 0; byte <= 0x7F; byte++) {
        int interpreted = byte == '\n' || byte == '\r' || byte == '\t' || byte == '\b';
        int control = byte < 0x20 || byte == 0x7F;
        if (!control || interpreted)
            continue;
        vga_clear(&w);
        vga_put_char(&w, (char)byte);
        assert_int_equal(screen[0], 0x07FE);
        assert_int_equal(screen[1], 0x0720);
        assert_cursor(0, 1);
    }
}

static void test_nul_inside_write_is_shown(void **state)
{
    (void)state;
    vga_write(&w, "a\0b", 3);
    assert_int_equal(char_at(0, 0), 'a');
    assert_int_equal(char_at(0, 1), 0xFE);
    assert_int_equal(char_at(0, 2), 'b');
}

static void test_printable_ascii_kept(void **state)
{
    (void)state;
    for (int byte = 0x20; byte <= 0x7E; byte++)
        vga_put_char(&w, (char)byte);
    /* 95 characters: 80 on row 0, 15 on row 1. */
    for (int i = 0; i < 95; i++)
        assert_int_equal(screen[i], 0x0700 | (0x20 + i));
    assert_cursor(1, 15);
}

static void test_high_bytes_kept(void **state)
{
    (void)state;
    for (int byte = 0x80; byte <= 0xFF; byte++)
        vga_put_char(&w, (char)byte);
    for (int i = 0; i < 128; i++)
        assert_int_equal(screen[i], 0x0700 | (0x80 + i));
    assert_cursor(1, 48); /* 128 = 80 + 48 */
}

static void test_box_drawing_corner(void **state)
{
    (void)state;
    write_str("\xC9\xCD\xBB"); /* code page 437: double-line top-left, horizontal, top-right */
    assert_int_equal(screen[0], 0x07C9);
    assert_int_equal(screen[1], 0x07CD);
    assert_int_equal(screen[2], 0x07BB);
}

static void test_cursor_index_positions(void **state)
{
    (void)state;
    assert_int_equal(vga_cursor_index(&w), 0);
    write_str("\n\n\n1234567");
    assert_int_equal(vga_cursor_index(&w), 247); /* row 3, col 7 */
    for (int i = 0; i < 30; i++)
        write_str("\n");
    assert_int_equal(vga_cursor_index(&w), 1920); /* row 24, col 0 */
}

static void test_move_to_and_clamp(void **state)
{
    (void)state;
    vga_move_to(&w, 3, 10);
    write_str("here");
    assert_row(3, "          here");
    assert_cursor(3, 14);
    vga_move_to(&w, 99, 99); /* clamped to the last cell */
    assert_cursor(VGA_HEIGHT - 1, VGA_WIDTH - 1);
}

/* The line editor redraws a tail by writing it and stepping back: the cells
 * stay, the cursor crosses row starts, and the top left is a hard stop. */
static void test_cursor_left_keeps_cells_and_crosses_rows(void **state)
{
    (void)state;
    write_str("abc");
    vga_cursor_left(&w, 2);
    assert_cursor(0, 1);
    write_str("X");
    assert_row(0, "aXc");
    vga_move_to(&w, 2, 1);
    vga_cursor_left(&w, 3); /* back over the start of row 2 */
    assert_cursor(1, 78);
    vga_cursor_left(&w, 1000);
    assert_cursor(0, 0);
}

static void test_cursor_left_from_pending_wrap(void **state)
{
    (void)state;
    char line[VGA_WIDTH + 1];
    letters(line, VGA_WIDTH);
    write_str(line);
    assert_cursor(0, VGA_WIDTH); /* wrap pending */
    vga_cursor_left(&w, 1);
    assert_cursor(0, VGA_WIDTH - 1);
    write_str("!");
    assert_int_equal(char_at(0, VGA_WIDTH - 1), '!');
}

/* ---- other grid sizes, and what a back end is told ---- */

#define BIG_COLS  128
#define BIG_ROWS  48
#define MAX_NOTES (BIG_COLS * BIG_ROWS * 2)

static uint16_t big[BIG_COLS * BIG_ROWS];
static unsigned changed[MAX_NOTES], changed_count;
static unsigned cursor_notes[16], cursor_count;

static void note_cell(void *ctx, unsigned index)
{
    assert_ptr_equal(ctx, big);
    assert_true(changed_count < MAX_NOTES);
    changed[changed_count++] = index;
}

static void note_cursor(void *ctx, unsigned index)
{
    assert_ptr_equal(ctx, big);
    assert_true(cursor_count < 16);
    cursor_notes[cursor_count++] = index;
}

static const struct vga_backend recorder = {.cell_changed = note_cell, .cursor_moved = note_cursor};

/* A cols x rows grid on `big`, cleared, with the reports so far forgotten. */
static void open_grid(unsigned cols, unsigned rows)
{
    memset(big, 0, sizeof(big));
    vga_init_grid(&w, big, cols, rows, &recorder, big);
    vga_clear(&w);
    changed_count = cursor_count = 0;
}

static void test_grid_sizes_wrap_and_scroll(void **state)
{
    static const unsigned sizes[][2] = {{80, 25}, {100, 37}, {128, 48}};
    (void)state;
    for (unsigned s = 0; s < 3; s++) {
        unsigned cols = sizes[s][0], rows = sizes[s][1];
        open_grid(cols, rows);
        assert_int_equal(w.cols, cols);
        for (unsigned i = 0; i < cols; i++)
            vga_put_char(&w, 'a');
        assert_int_equal(w.col, cols); /* pending wrap at this grid's width */
        vga_put_char(&w, 'b');
        assert_int_equal(big[cols] & 0xFF, 'b');
        for (unsigned r = 2; r < rows; r++) /* from row 1 down to the last */
            vga_put_char(&w, '\n');
        vga_put_char(&w, 'c'); /* on the last row: no scroll yet */
        assert_int_equal(big[0] & 0xFF, 'a');
        vga_put_char(&w, '\n'); /* scrolls: row 1 ("b") is on top now */
        assert_int_equal(big[0] & 0xFF, 'b');
        assert_int_equal(big[(rows - 2) * cols] & 0xFF, 'c');
        assert_int_equal(big[(rows - 1) * cols], 0x0720);
        assert_int_equal(vga_cursor_index(&w), (rows - 1) * cols);
    }
}

static void test_backend_told_only_changed_cells(void **state)
{
    (void)state;
    open_grid(100, 37);
    write_str("ab");
    assert_int_equal(changed_count, 2);
    assert_int_equal(changed[0], 0);
    assert_int_equal(changed[1], 1);
    vga_move_to(&w, 0, 0);
    write_str("ab"); /* the same text again: nothing to redraw */
    assert_int_equal(changed_count, 2);
    vga_set_color(&w, VGA_YELLOW, VGA_RED);
    vga_move_to(&w, 0, 0);
    write_str("a"); /* the same character in another colour */
    assert_int_equal(changed_count, 3);
    assert_int_equal(changed[2], 0);
    assert_int_equal(big[0], 0x4E00 | 'a');
}

static void test_scroll_reports_only_changed_cells(void **state)
{
    (void)state;
    open_grid(100, 37);
    /* Rows 0-35 hold "x" in column 0, row 36 "yz": after the scroll only
     * row 35 (x -> yz) and the last row (yz -> blank) differ. */
    for (unsigned r = 0; r < 36; r++)
        write_str("x\n");
    write_str("yz");
    changed_count = 0;
    write_str("\n");
    assert_int_equal(changed_count, 4);
    assert_int_equal(changed[0], 35 * 100 + 0); /* x -> y (same x, stays) */
    assert_int_equal(changed[1], 35 * 100 + 1); /* blank -> z */
    assert_int_equal(changed[2], 36 * 100 + 0);
    assert_int_equal(changed[3], 36 * 100 + 1);
    assert_int_equal(big[35 * 100] & 0xFF, 'y');
    assert_int_equal(big[0] & 0xFF, 'x');
}

static void test_cursor_reported_once_per_move(void **state)
{
    (void)state;
    open_grid(128, 48);
    vga_update_cursor(&w); /* the first report always comes */
    assert_int_equal(cursor_count, 1);
    assert_int_equal(cursor_notes[0], 0);
    write_str("hello");
    assert_int_equal(cursor_count, 1); /* writes alone report nothing */
    vga_update_cursor(&w);
    vga_update_cursor(&w); /* unchanged: no second report */
    assert_int_equal(cursor_count, 2);
    assert_int_equal(cursor_notes[1], 5);
    vga_move_to(&w, 47, 200);
    vga_update_cursor(&w);
    assert_int_equal(cursor_notes[2], 47 * 128 + 127);
    vga_cursor_left(&w, 128);
    vga_update_cursor(&w);
    assert_int_equal(cursor_notes[3], 46 * 128 + 127);
    assert_int_equal(cursor_count, 4);
}

static bool shown_notes[4];
static unsigned shown_count;

static void note_shown(void *ctx, bool shown)
{
    assert_ptr_equal(ctx, big);
    assert_true(shown_count < 4);
    shown_notes[shown_count++] = shown;
}

static void test_show_cursor_reports_changes(void **state)
{
    static const struct vga_backend shower = {.cursor_shown = note_shown};
    (void)state;
    vga_init_grid(&w, big, 80, 25, &shower, big);
    shown_count = 0;
    assert_false(w.cursor_hidden); /* a new writer's cursor is shown */
    vga_show_cursor(&w, true);
    assert_int_equal(shown_count, 0); /* no change: nothing to tell */
    vga_show_cursor(&w, false);
    vga_show_cursor(&w, false);
    assert_true(w.cursor_hidden);
    vga_show_cursor(&w, true);
    assert_int_equal(shown_count, 2);
    assert_false(shown_notes[0]);
    assert_true(shown_notes[1]);
    vga_init_grid(&w, big, 80, 25, NULL, NULL);
    vga_show_cursor(&w, false); /* without a back end */
    assert_true(w.cursor_hidden);
}

static void test_tab_clamped_on_odd_width(void **state)
{
    (void)state;
    open_grid(100, 37);
    vga_move_to(&w, 0, 97);
    write_str("\t");
    assert_int_equal(w.col, 100); /* the stop at 104 is past the edge */
    write_str("q");
    assert_int_equal(big[100] & 0xFF, 'q');
}

static void test_set_cell(void **state)
{
    (void)state;
    open_grid(80, 25);
    vga_set_cell(&w, 79, vga_cell('Z', 0x1E));
    assert_int_equal(big[79], 0x1E00 | 'Z');
    assert_int_equal(changed_count, 1);
    vga_set_cell(&w, 79, vga_cell('Z', 0x1E));
    assert_int_equal(changed_count, 1);
    assert_int_equal(w.row, 0); /* the cursor stays */
    assert_int_equal(w.col, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_clears_with_colour, setup),
        cmocka_unit_test_setup(test_attr_and_cell_helpers, setup),
        cmocka_unit_test_setup(test_plain_text, setup),
        cmocka_unit_test_setup(test_newline_and_return, setup),
        cmocka_unit_test_setup(test_wrap_long_line, setup),
        cmocka_unit_test_setup(test_pending_wrap_state, setup),
        cmocka_unit_test_setup(test_full_line_then_newline_leaves_no_empty_line, setup),
        cmocka_unit_test_setup(test_pending_wrap_then_return, setup),
        cmocka_unit_test_setup(test_scroll_on_newline, setup),
        cmocka_unit_test_setup(test_scroll_only_when_writing_past_last_cell, setup),
        cmocka_unit_test_setup(test_tab_stops, setup),
        cmocka_unit_test_setup(test_tab_does_not_erase, setup),
        cmocka_unit_test_setup(test_tab_wraps_like_text, setup),
        cmocka_unit_test_setup(test_backspace_erases, setup),
        cmocka_unit_test_setup(test_backspace_at_line_start, setup),
        cmocka_unit_test_setup(test_backspace_at_top_left, setup),
        cmocka_unit_test_setup(test_backspace_in_pending_wrap, setup),
        cmocka_unit_test_setup(test_backspace_blanks_in_current_colour, setup),
        cmocka_unit_test_setup(test_colours_per_cell, setup),
        cmocka_unit_test_setup(test_clear_uses_current_colour, setup),
        cmocka_unit_test_setup(test_control_bytes_show_replacement, setup),
        cmocka_unit_test_setup(test_nul_inside_write_is_shown, setup),
        cmocka_unit_test_setup(test_printable_ascii_kept, setup),
        cmocka_unit_test_setup(test_high_bytes_kept, setup),
        cmocka_unit_test_setup(test_box_drawing_corner, setup),
        cmocka_unit_test_setup(test_cursor_index_positions, setup),
        cmocka_unit_test_setup(test_move_to_and_clamp, setup),
        cmocka_unit_test_setup(test_cursor_left_keeps_cells_and_crosses_rows, setup),
        cmocka_unit_test_setup(test_cursor_left_from_pending_wrap, setup),
        cmocka_unit_test_setup(test_grid_sizes_wrap_and_scroll, setup),
        cmocka_unit_test_setup(test_backend_told_only_changed_cells, setup),
        cmocka_unit_test_setup(test_scroll_reports_only_changed_cells, setup),
        cmocka_unit_test_setup(test_cursor_reported_once_per_move, setup),
        cmocka_unit_test_setup(test_show_cursor_reports_changes, setup),
        cmocka_unit_test_setup(test_tab_clamped_on_odd_width, setup),
        cmocka_unit_test_setup(test_set_cell, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
