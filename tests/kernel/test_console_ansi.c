/*
 * test_console_ansi.c - programs' output through console_write: control
 * sequences interpreted on the real screen, read back from the grid (on the
 * VGA text screen, the text memory at 0xB8000 itself, and the hardware
 * cursor's on/off bit in the CRT controller).
 *
 * Each case works on the alternate screen and ends with
 * console_reset_program_state, which must put the runner's screen back
 * exactly as it was.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/vga/cursor.h>
#include <drivers/vga/vga.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <lib/string.h>
#include <mm/kheap.h>
#include <mm/layout.h>

#define CRTC_INDEX        0x3D4
#define CRTC_DATA         0x3D5
#define CRTC_CURSOR_START 0x0A
#define CURSOR_DISABLE    0x20 /* cursor start register, bit 5 */
#define ATTR_PORT         0x3C0
#define ATTR_DATA_READ    0x3C1
#define INPUT_STATUS_1    0x3DA /* reading it sets the attribute flip-flop to "index" */
#define ATTR_MODE_CONTROL 0x10
#define ATTR_KEEP_SCREEN  0x20 /* index byte, bit 5: the picture stays on */
#define ATTR_BLINK_ENABLE 0x08 /* mode control, bit 3 */

static void write_str(const char *s)
{
    console_write(s, strlen(s));
}

static uint16_t cell_at(unsigned row, unsigned col)
{
    const struct vga_writer *grid = console_grid();
    return grid->cells[row * grid->cols + col];
}

static bool on_vga_text(void)
{
    return console_grid()->cells == phys_to_virt(VGA_TEXT_BUFFER_PHYS);
}

static bool hw_cursor_hidden(void)
{
    outb(CRTC_INDEX, CRTC_CURSOR_START);
    return inb(CRTC_DATA) & CURSOR_DISABLE;
}

static bool hw_blink_enabled(void)
{
    (void)inb(INPUT_STATUS_1);
    outb(ATTR_PORT, ATTR_MODE_CONTROL | ATTR_KEEP_SCREEN);
    uint8_t mode = inb(ATTR_DATA_READ);
    (void)inb(INPUT_STATUS_1); /* back to "index" for the next user */
    return mode & ATTR_BLINK_ENABLE;
}

/* A copy of the screen (cells, cursor, colours), on the kernel heap. */
struct screen_copy {
    uint16_t *cells;
    size_t count;
    unsigned row, col;
    uint8_t attr;
};

static bool copy_screen(struct screen_copy *copy)
{
    const struct vga_writer *grid = console_grid();
    copy->count = (size_t)grid->cols * grid->rows;
    copy->cells = kmalloc(copy->count * sizeof(uint16_t));
    if (!copy->cells)
        return false;
    for (size_t i = 0; i < copy->count; i++)
        copy->cells[i] = grid->cells[i];
    copy->row = grid->row;
    copy->col = grid->col;
    copy->attr = grid->attr;
    return true;
}

static bool screen_is(const struct screen_copy *copy)
{
    const struct vga_writer *grid = console_grid();
    for (size_t i = 0; i < copy->count; i++)
        if (grid->cells[i] != copy->cells[i])
            return false;
    return grid->row == copy->row && grid->col == copy->col && grid->attr == copy->attr;
}

KTEST(console_write_draws_ansi_on_screen)
{
    struct screen_copy before;
    KTEST_CHECK(copy_screen(&before));
    write_str("\x1b[?1049h\x1b[2J\x1b[3;5H\x1b[1;33;44mKeel\x1b[0m \xe2\x94\x8c\xe2\x94\x80");
    write_str("\x1b[10;1H\x1b[41mred\x1b[K\x1b[0m\x1b[9999;9999H\x1b[D\x1b[32mZ\x1b[0m");
    bool drawn = cell_at(2, 4) == vga_cell('K', 0x1E) && cell_at(2, 7) == vga_cell('l', 0x1E) &&
                 cell_at(2, 8) == vga_cell(' ', 0x07) && cell_at(2, 9) == vga_cell(0xDA, 0x07) &&
                 cell_at(2, 10) == vga_cell(0xC4, 0x07) && vga_cell_char(cell_at(2, 3)) == ' ';
    bool erased = cell_at(9, 2) == vga_cell('d', 0x47) && cell_at(9, 3) == vga_cell(' ', 0x47) &&
                  cell_at(9, console_cols() - 1) == vga_cell(' ', 0x47);
    bool cornered = cell_at(console_rows() - 1, console_cols() - 2) == vga_cell('Z', 0x02);
    console_reset_program_state();
    bool restored = screen_is(&before);
    kfree(before.cells);
    KTEST_CHECK(drawn);
    KTEST_CHECK(erased);
    KTEST_CHECK(cornered);
    KTEST_CHECK(restored);
}

KTEST(console_write_takes_split_sequences)
{
    struct screen_copy before;
    KTEST_CHECK(copy_screen(&before));
    static const char *const pieces[] = {"\x1b",    "[?10",    "49h\x1b[", "5;",  "7",
                                         "H\x1b[3", "5mX\xe2", "\x96",     "\x88"};
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
        write_str(pieces[i]);
    bool drawn = cell_at(4, 6) == vga_cell('X', 0x05) && cell_at(4, 7) == vga_cell(0xDB, 0x05);
    console_reset_program_state();
    bool restored = screen_is(&before);
    kfree(before.cells);
    KTEST_CHECK(drawn);
    KTEST_CHECK(restored);
}

KTEST(console_reset_undoes_what_a_program_left)
{
    struct screen_copy before;
    KTEST_CHECK(copy_screen(&before));
    write_str("\x1b[?1049h\x1b[?25l\x1b[1;31mgame over\x1b[12"); /* and a sequence cut short */
    bool hidden = console_grid()->cursor_hidden && (!on_vga_text() || hw_cursor_hidden());
    console_reset_program_state();
    bool shown = !console_grid()->cursor_hidden && (!on_vga_text() || !hw_cursor_hidden());
    bool restored = screen_is(&before);
    write_str("A"); /* text again, not the end of the cut sequence */
    bool text_again = cell_at(before.row, before.col) == vga_cell('A', before.attr);
    write_str("\b");
    kfree(before.cells);
    KTEST_CHECK(hidden);
    KTEST_CHECK(shown);
    KTEST_CHECK(restored);
    KTEST_CHECK(text_again);
}

KTEST(vga_text_backgrounds_are_bright_not_blinking)
{
    if (!on_vga_text())
        return; /* the framebuffer console always draws 16 backgrounds */
    KTEST_CHECK(!hw_blink_enabled());
}
