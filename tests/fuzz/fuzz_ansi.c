/*
 * fuzz_ansi.c - libFuzzer target for the control sequence parser
 * (drivers/vga/ansi.c, drivers/vga/ansi_screen.c) and the grid writer it
 * drives (drivers/vga/vga.c).
 *
 * Build and run (clang only; libFuzzer supplies main):
 *   make build/fuzz/fuzz_ansi
 *   build/fuzz/fuzz_ansi -max_total_time=60
 *
 * The first two input bytes choose the grid, 1-96 columns by 1-40 rows (the
 * 1x1 grid too); the main screen is filled with a pattern, the cursor put in
 * the middle and the alternate screen entered (CSI ? 1049 h). The rest of
 * the input is then fed one byte at a time, as a program's output.
 *
 * The target traps unless, after every byte: the guard cells around the
 * grid and after the parser's main-screen store are untouched, the back end
 * is told only cells inside the grid, and the cursor is inside it (col ==
 * cols being a pending wrap). After ansi_reset, the parser is in text state
 * with the cursor shown and the main screen on; and when the input holds no
 * '?' (so no private mode can leave or re-enter the alternate screen before
 * the reset), the main screen's cells, the cursor and the colours are back
 * exactly as they were. The input is then fed once more, on the main screen.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <drivers/vga/ansi.h>
#include <drivers/vga/vga.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define MAX_COLS  96
#define MAX_ROWS  40
#define MAX_CELLS (MAX_COLS * MAX_ROWS)
#define GUARD     64     /* cells before and after each buffer */
#define GUARD_VAL 0xDEAD /* what a guard cell holds */

static uint16_t grid_buffer[GUARD + MAX_CELLS + GUARD];
static uint16_t main_buffer[MAX_CELLS + GUARD];
static struct vga_writer grid;
static struct ansi_parser parser;
static unsigned grid_cells;

static void note_cell(void *ctx, unsigned index)
{
    (void)ctx;
    CHECK(index < grid_cells);
}

static void note_cursor(void *ctx, unsigned index)
{
    (void)ctx;
    CHECK(index < grid_cells);
}

static void note_shown(void *ctx, bool shown)
{
    (void)ctx;
    (void)shown;
}

static const struct vga_backend checker = {
    .cell_changed = note_cell,
    .cursor_moved = note_cursor,
    .cursor_shown = note_shown,
};

static void check_guards(void)
{
    for (unsigned i = 0; i < GUARD; i++) {
        CHECK(grid_buffer[i] == GUARD_VAL);
        CHECK(grid_buffer[GUARD + grid_cells + i] == GUARD_VAL);
        CHECK(main_buffer[grid_cells + i] == GUARD_VAL);
    }
}

static void check_state(void)
{
    check_guards();
    CHECK(grid.row < grid.rows);
    CHECK(grid.col <= grid.cols);
}

static void feed_checked(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        ansi_put(&parser, data[i]);
        check_state();
    }
}

/* A grid of the chosen size with a recognisable main screen. */
static void open_grid(unsigned cols, unsigned rows)
{
    for (size_t i = 0; i < sizeof(grid_buffer) / sizeof(grid_buffer[0]); i++)
        grid_buffer[i] = GUARD_VAL;
    for (size_t i = 0; i < sizeof(main_buffer) / sizeof(main_buffer[0]); i++)
        main_buffer[i] = GUARD_VAL;
    grid_cells = cols * rows;
    vga_init_grid(&grid, grid_buffer + GUARD, cols, rows, &checker, NULL);
    for (unsigned i = 0; i < grid_cells; i++)
        grid.cells[i] = vga_cell((unsigned char)('a' + i % 26), (uint8_t)(i * 7));
    ansi_init(&parser, &grid, main_buffer, grid_cells);
    vga_move_to(&grid, rows / 2, cols / 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint16_t main_before[MAX_CELLS];
    static const char enter[] = "\x1b[?1049h";

    if (size < 2)
        return 0;
    open_grid(1 + data[0] % MAX_COLS, 1 + data[1] % MAX_ROWS);
    data += 2;
    size -= 2;
    memcpy(main_before, (const void *)grid.cells, grid_cells * sizeof(uint16_t));
    unsigned row = grid.row, col = grid.col;
    uint8_t attr = grid.attr;

    ansi_write(&parser, enter, sizeof(enter) - 1);
    CHECK(parser.alternate);
    feed_checked(data, size);
    ansi_reset(&parser);
    check_state();
    CHECK(parser.state == ANSI_GROUND && !parser.alternate && !grid.cursor_hidden);
    if (!memchr(data, '?', size)) {
        CHECK(memcmp(main_before, (const void *)grid.cells, grid_cells * sizeof(uint16_t)) == 0);
        CHECK(grid.row == row && grid.col == col && grid.attr == attr);
    }
    feed_checked(data, size);
    return 0;
}
