/*
 * console.c - one console, two devices: a screen and COM1.
 *
 * Everything the kernel prints goes to both devices, so the serial log
 * (what tests and serial terminals read) and the screen (what a person
 * sees) always carry the same text. The screen is one grid writer
 * (drivers/vga/vga.h) with one of two back ends: the VGA text screen, whose
 * cells are the hardware's and whose back end moves the hardware cursor, or
 * the framebuffer console, whose cells are in RAM (fb_cells) and which
 * redraws what changes. The cursor is reported once per call rather than
 * per character: a VGA cursor move costs four port writes, a framebuffer
 * one two cell redraws.
 *
 * Start-up: console_init writes into an 80x25 grid in RAM; console_select
 * picks the screen once boot_info says what there is and moves the text
 * there; console_remap, once the kernel's page tables are active, maps the
 * framebuffer, and the framebuffer console draws everything at once.
 *
 * Programs' output (console_write) is what a terminal would be sent: UTF-8
 * text with ANSI control sequences. It goes to COM1 unchanged, for the
 * serial terminal to interpret, and through one parser (drivers/vga/ansi.h)
 * to the screen, which so shows the same. The kernel's own text (kprintf,
 * console_putc) goes to the grid writer directly, as before.
 *
 * A spinlock (interrupts off while held) makes each call atomic: a kprintf
 * from an interrupt handler waits until the interrupted kprintf is done
 * instead of splicing into the middle of its line, and a kprintf on
 * another CPU waits its turn the same way. It covers both screens (the
 * grid, the main screen a program's alternate one hides) and every byte
 * sent to COM1. A panic breaks the lock (console_panic_unlock) so the
 * report always gets out.
 */
#include <drivers/fb/console_font.h>
#include <drivers/fb/fb_console.h>
#include <drivers/serial/serial.h>
#include <drivers/vga/ansi.h>
#include <drivers/vga/cp437.h>
#include <drivers/vga/cursor.h>
#include <kernel/console.h>
#include <kernel/spinlock.h>
#include <lib/errno.h>
#include <lib/format.h>
#include <lib/string.h>
#include <mm/kheap.h>
#include <mm/layout.h>
#include <mm/memory.h>

/* The largest grid kept: 3840x2160 pixels in 8x16 glyphs. A larger
 * framebuffer shows this much in its top left corner. */
#define FB_MAX_COLS  480
#define FB_MAX_ROWS  135
#define FB_MAX_CELLS (FB_MAX_COLS * FB_MAX_ROWS)

enum screen_kind {
    SCREEN_NONE,        /* before console_select, or no usable screen: serial only */
    SCREEN_VGA_TEXT,    /* the cells are the text buffer at VGA_TEXT_BUFFER_PHYS */
    SCREEN_FRAMEBUFFER, /* the cells are fb_cells, drawn by fb_screen */
};

static struct vga_writer screen;
static struct ansi_parser program_output; /* drives screen with console_write's bytes */
/* The main screen while a program shows the alternate one (CSI ? 1049 h). */
static uint16_t main_screen_cells[FB_MAX_CELLS];
static enum screen_kind screen_kind = SCREEN_NONE;
static uint16_t early_cells[VGA_WIDTH * VGA_HEIGHT];
static uint16_t fb_cells[FB_MAX_CELLS];
static struct fb_console fb_screen;
static uint64_t fb_phys, fb_bytes;
static struct spinlock console_lock = SPINLOCK_INIT("console_lock");

/* ANSI/ECMA-48 control sequences for the serial terminal (xterm and every
 * terminal emulator since understand them). They go to serial only: the
 * screen gets the same change from the grid writer directly. */
#define ANSI_CLEAR_SCREEN "\x1b[2J\x1b[H" /* erase display, cursor home */
#define ANSI_ALT_SCREEN   "\x1b[?1049h"   /* xterm: save screen, use the alternate one */
#define ANSI_MAIN_SCREEN  "\x1b[?1049l"   /* xterm: back to the saved screen */
#define ANSI_SHOW_CURSOR  "\x1b[?25h"     /* DECTCEM: cursor visible */
#define ANSI_COLOURS_OFF  "\x1b[0m"       /* SGR 0: default colours */
#define ASCII_BELL        '\a'
#define ASCII_CANCEL      '\x18' /* CAN: ends a control sequence cut short */

static void serial_puts(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

/* n in decimal, for the parameters of control sequences. */
static void serial_decimal(unsigned n)
{
    char digits[10];
    unsigned count = 0;
    do {
        digits[count++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (count)
        serial_putc(digits[--count]);
}

/* "ESC [ n <final>". */
static void serial_csi(unsigned n, char final)
{
    serial_puts("\x1b[");
    serial_decimal(n);
    serial_putc(final);
}

static void move_hw_cursor(void *ctx, unsigned index)
{
    (void)ctx;
    vga_hw_set_cursor(index);
}

static void show_hw_cursor(void *ctx, bool shown)
{
    (void)ctx;
    vga_hw_show_cursor(shown);
}

static const struct vga_backend vga_text_backend = {
    .cursor_moved = move_hw_cursor,
    .cursor_shown = show_hw_cursor,
};

void console_init(void)
{
    serial_init();
    vga_init_grid(&screen, early_cells, VGA_WIDTH, VGA_HEIGHT, NULL, NULL);
    vga_clear(&screen);
    ansi_init(&program_output, &screen, main_screen_cells, FB_MAX_CELLS);
    screen_kind = SCREEN_NONE;
}

/* The text of `from` (cells, cursor, colour) into the top left of screen,
 * which is cleared first. */
static void move_text(const struct vga_writer *from)
{
    vga_clear(&screen);
    for (unsigned row = 0; row < from->rows && row < screen.rows; row++)
        for (unsigned col = 0; col < from->cols && col < screen.cols; col++)
            vga_set_cell(&screen, row * screen.cols + col, from->cells[row * from->cols + col]);
    vga_move_to(&screen, from->row, from->col);
    screen.col = from->col; /* a pending wrap too */
    screen.attr = from->attr;
    vga_update_cursor(&screen);
}

/* The framebuffer console on a grid of fb_cells; NULL, or why not. */
static const char *open_framebuffer(const struct framebuffer_info *info)
{
    struct fb_info fb = {
        .width = info->width,
        .height = info->height,
        .pitch = info->pitch,
        .bpp = info->bpp,
        .red = {info->red.position, info->red.size},
        .green = {info->green.position, info->green.size},
        .blue = {info->blue.position, info->blue.size},
    };
    unsigned cols, rows;

    fb_console_grid_size(&console_font, fb.width, fb.height, &cols, &rows);
    if (cols < VGA_WIDTH || rows < VGA_HEIGHT)
        return "smaller than 80x25 cells of 8x16 pixels";
    fb.width = cols > FB_MAX_COLS ? FB_MAX_COLS * FB_CONSOLE_GLYPH_WIDTH : fb.width;
    fb.height = rows > FB_MAX_ROWS ? FB_MAX_ROWS * console_font.height : fb.height;
    fb_phys = info->phys_addr;
    fb_bytes = (uint64_t)info->pitch * info->height;
    if (fb_console_init(&fb_screen, &fb, &console_font, &screen, fb_cells, FB_MAX_CELLS) != 0)
        return "a pixel format the console cannot draw";
    return NULL;
}

void console_select(const struct framebuffer_info *info)
{
    struct vga_writer early = screen;
    const char *refused = NULL;

    uint64_t flags = spin_lock_irqsave(&console_lock);
    if (info && info->present && info->type == FRAMEBUFFER_RGB) {
        refused = open_framebuffer(info);
        screen_kind = refused ? SCREEN_NONE : SCREEN_FRAMEBUFFER;
        if (refused) /* serial only: a grid in RAM that nothing shows */
            vga_init_grid(&screen, fb_cells, VGA_WIDTH, VGA_HEIGHT, NULL, NULL);
    } else {
        vga_init_grid(&screen, phys_to_virt(VGA_TEXT_BUFFER_PHYS), VGA_WIDTH, VGA_HEIGHT,
                      &vga_text_backend, NULL);
        vga_hw_bright_backgrounds(); /* the 16 background colours of the framebuffer too */
        screen_kind = SCREEN_VGA_TEXT;
    }
    move_text(&early);
    spin_unlock_irqrestore(&console_lock, flags);
    if (refused)
        kprintf("console: the %ux%u framebuffer (%u bits per pixel) is %s; serial only\n",
                info->width, info->height, info->bpp, refused);
}

void console_remap(void)
{
    void *pixels;

    if (screen_kind == SCREEN_VGA_TEXT)
        screen.cells = phys_to_virt(VGA_TEXT_BUFFER_PHYS);
    if (screen_kind != SCREEN_FRAMEBUFFER)
        return;
    int err = memory_map_device(fb_phys, fb_bytes, MAP_WRITE | MAP_WRITE_COMBINE, &pixels);
    if (err) {
        screen_kind = SCREEN_NONE;
        kprintf("console: cannot map the framebuffer at %#llx (%s); serial only\n",
                (unsigned long long)fb_phys, error_name(err));
        return;
    }
    uint64_t flags = spin_lock_irqsave(&console_lock);
    fb_console_attach(&fb_screen, pixels);
    spin_unlock_irqrestore(&console_lock, flags);
    kprintf("console: framebuffer %ux%u, %u bits per pixel at %#llx: %ux%u cells\n",
            fb_screen.fb.width, fb_screen.fb.height, fb_screen.fb.bpp, (unsigned long long)fb_phys,
            screen.cols, screen.rows);
}

unsigned console_cols(void)
{
    return screen.cols;
}

unsigned console_rows(void)
{
    return screen.rows;
}

struct vga_writer *console_grid(void)
{
    return &screen;
}

static void console_emit(char c)
{
    vga_put_char(&screen, c);
    serial_putc(c);
}

void console_putc(char c)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    console_emit(c);
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_write(const char *buf, size_t len)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < len; i++) {
        ansi_put(&program_output, (unsigned char)buf[i]);
        serial_putc(buf[i]);
    }
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_reset_program_state(void)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    unsigned undone = ansi_reset(&program_output);
    if (undone & ANSI_UNDONE_SEQUENCE)
        serial_putc(ASCII_CANCEL);
    if (undone & ANSI_UNDONE_ALTERNATE)
        serial_puts(ANSI_MAIN_SCREEN);
    if (undone & ANSI_UNDONE_COLOURS)
        serial_puts(ANSI_COLOURS_OFF);
    if (undone & ANSI_UNDONE_CURSOR)
        serial_puts(ANSI_SHOW_CURSOR);
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_set_color(enum vga_color fg, enum vga_color bg)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_set_color(&screen, fg, bg);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_clear(void)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_clear(&screen);
    serial_puts(ANSI_CLEAR_SCREEN);
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_write_cp437(const char *s, size_t n)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < n; i++) {
        char utf8[CP437_UTF8_MAX];
        size_t len = cp437_to_utf8((unsigned char)s[i], utf8);
        vga_put_char(&screen, s[i]);
        for (size_t k = 0; k < len; k++)
            serial_putc(utf8[k]);
    }
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_cursor_left(size_t n)
{
    if (n == 0)
        return;
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_cursor_left(&screen, n);
    serial_csi((unsigned)n, 'D'); /* CUB: cursor backward */
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_move_to(unsigned row, unsigned col)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_move_to(&screen, row, col);
    serial_puts("\x1b["); /* CUP: ESC [ row ; col H, counted from 1 */
    serial_decimal(row + 1);
    serial_putc(';');
    serial_decimal(col + 1);
    serial_putc('H');
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_draw_top_right(const char *text, uint8_t attr)
{
    size_t n = strnlen(text, screen.cols);
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < n; i++)
        vga_set_cell(&screen, (unsigned)(screen.cols - n + i),
                     vga_cell((unsigned char)text[i], attr));
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_bell(void)
{
    uint64_t flags = spin_lock_irqsave(&console_lock); /* not inside another CPU's sequence */
    serial_putc(ASCII_BELL); /* the VGA text screen has no bell of its own */
    spin_unlock_irqrestore(&console_lock, flags);
}

int console_save_screen(struct console_screen *saved)
{
    size_t cells = (size_t)screen.cols * screen.rows;

    saved->cells = kmalloc(cells * sizeof(saved->cells[0]));
    if (!saved->cells)
        return -ENOMEM;
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < cells; i++)
        saved->cells[i] = screen.cells[i];
    saved->cols = screen.cols;
    saved->rows = screen.rows;
    saved->row = screen.row;
    saved->col = screen.col;
    saved->attr = screen.attr;
    serial_puts(ANSI_ALT_SCREEN);
    spin_unlock_irqrestore(&console_lock, flags);
    return 0;
}

void console_restore_screen(struct console_screen *saved)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    if (saved->cols == screen.cols && saved->rows == screen.rows) {
        for (size_t i = 0; i < (size_t)saved->cols * saved->rows; i++)
            vga_set_cell(&screen, (unsigned)i, saved->cells[i]);
        screen.row = saved->row;
        screen.col = saved->col;
        screen.attr = saved->attr;
    }
    serial_puts(ANSI_MAIN_SCREEN);
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
    kfree(saved->cells);
    saved->cells = NULL;
}

uint64_t console_lock_acquire(void)
{
    return spin_lock_irqsave(&console_lock);
}

void console_lock_release(uint64_t flags)
{
    spin_unlock_irqrestore(&console_lock, flags);
}

bool console_panic_unlock(void)
{
    bool was_locked = spin_is_locked(&console_lock);
    spin_force_unlock(&console_lock);
    return was_locked;
}

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    console_emit(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    int n = format_v(console_sink, NULL, fmt, ap);
    vga_update_cursor(&screen);
    spin_unlock_irqrestore(&console_lock, flags);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
