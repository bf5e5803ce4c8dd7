/*
 * bench_console.c - how much a scrolled line costs on each console, counted
 * in guest instructions (a KTEST_BENCH case: tools/bench_sched.py boots it
 * with -icount shift=0, where rdtsc differences are instruction counts).
 *
 * Both screens are filled with lines of LINE_LENGTH characters first, so
 * that every further line scrolls a full screen of text: the worst case,
 * every row changes. Then LINES more lines are written and timed, one
 * vga_write of the line and its '\n' each, with the cursor reported after
 * it as the console does:
 *   - VGA text: the grid writer on the text buffer at 0xB8000, 80x25;
 *   - framebuffer: the grid writer with the framebuffer console behind it,
 *     drawing the kernel's font into a 1024x768, 32 bits per pixel
 *     framebuffer in RAM (kernel heap): 128x48 cells, so a scroll moves
 *     and redraws 48 rows of 79 glyphs.
 * Printed: vga_scroll_instructions_per_line, fb_scroll_instructions_per_line
 * and fb_scroll_pixels_per_line (the pixels written per line, which is what
 * the drawing costs scale with).
 */
#include <arch/x86_64/cpu.h>
#include <drivers/fb/console_font.h>
#include <drivers/fb/fb_console.h>
#include <drivers/vga/cursor.h>
#include <drivers/vga/vga.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <mm/kheap.h>
#include <mm/layout.h>

#define LINES       200u
#define LINE_LENGTH 79u /* a full 80-column line and its '\n' without a pending wrap */
#define FB_WIDTH    1024u
#define FB_HEIGHT   768u
#define FB_BPP      32u
#define FB_CELLS    ((FB_WIDTH / 8) * (FB_HEIGHT / 16))

/* Line n: LINE_LENGTH letters, shifted per line so that every cell of the
 * screen changes at every scroll. */
static void make_line(char *line, unsigned n)
{
    for (unsigned i = 0; i < LINE_LENGTH; i++)
        line[i] = (char)('A' + (n + i) % 26);
    line[LINE_LENGTH] = '\n';
}

/* Fill the grid with lines, then the instructions per line of LINES more. */
static uint64_t time_lines(struct vga_writer *w)
{
    char line[LINE_LENGTH + 1];
    uint64_t start;

    for (unsigned n = 0; n < w->rows; n++) {
        make_line(line, n);
        vga_write(w, line, sizeof(line));
    }
    start = rdtsc();
    for (unsigned n = 0; n < LINES; n++) {
        make_line(line, w->rows + n);
        vga_write(w, line, sizeof(line));
        vga_update_cursor(w);
    }
    return (rdtsc() - start) / LINES;
}

static void move_hw_cursor(void *ctx, unsigned index)
{
    (void)ctx;
    vga_hw_set_cursor(index);
}

KTEST_BENCH(console_scroll)
{
    static const struct vga_backend vga_text = {.cursor_moved = move_hw_cursor};
    static struct vga_writer vga, grid;
    static struct fb_console fb;
    static uint16_t cells[FB_CELLS];
    struct fb_info info = {
        .width = FB_WIDTH,
        .height = FB_HEIGHT,
        .pitch = FB_WIDTH * FB_BPP / 8,
        .bpp = FB_BPP,
        .red = {16, 8},
        .green = {8, 8},
        .blue = {0, 8},
    };
    uint64_t bytes = (uint64_t)info.pitch * FB_HEIGHT;
    uint8_t *pixels = kmalloc(bytes);

    KTEST_CHECK(pixels != NULL);
    if (!pixels)
        return;
    vga_init_grid(&vga, phys_to_virt(VGA_TEXT_BUFFER_PHYS), VGA_WIDTH, VGA_HEIGHT, &vga_text, NULL);
    vga_clear(&vga);
    uint64_t vga_per_line = time_lines(&vga);

    KTEST_CHECK_EQ(fb_console_init(&fb, &info, &console_font, &grid, cells, FB_CELLS), 0);
    vga_clear(&grid);
    fb_console_attach(&fb, pixels);
    uint64_t fb_per_line = time_lines(&grid);
    kfree(pixels);
    console_clear(); /* the VGA screen was written behind the console's back */

    kprintf("bench: vga_scroll_instructions_per_line: %llu\n", (unsigned long long)vga_per_line);
    kprintf("bench: fb_scroll_instructions_per_line: %llu\n", (unsigned long long)fb_per_line);
    kprintf("bench: fb_scroll_pixels_per_line: %u\n",
            grid.rows * LINE_LENGTH * 8 * console_font.height);
    KTEST_CHECK(vga_per_line > 0 && fb_per_line > vga_per_line);
}
