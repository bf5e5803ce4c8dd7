/*
 * console.c - one console, two devices: the VGA text screen and COM1.
 *
 * Everything the kernel prints goes through console_putc, so the serial
 * log (what tests and serial terminals read) and the screen (what a person
 * sees) always carry the same text. The hardware cursor is moved once per
 * write rather than per character: each move costs four port writes.
 *
 * A spinlock (interrupts off while held) makes each call atomic: a kprintf
 * from an interrupt handler waits until the interrupted kprintf is done
 * instead of splicing into the middle of its line. A panic breaks the lock
 * (console_panic_unlock) so the report always gets out.
 */
#include <drivers/serial/serial.h>
#include <drivers/vga/cp437.h>
#include <drivers/vga/cursor.h>
#include <kernel/console.h>
#include <kernel/spinlock.h>
#include <lib/format.h>
#include <lib/string.h>
#include <mm/layout.h>

static struct vga_writer screen;
static struct spinlock console_lock = SPINLOCK_INIT;

/* ANSI/ECMA-48 control sequences for the serial terminal (xterm and every
 * terminal emulator since understand them). They go to serial only: on the
 * VGA screen ESC would be a visible glyph. */
#define ANSI_CLEAR_SCREEN "\x1b[2J\x1b[H" /* erase display, cursor home */
#define ANSI_ALT_SCREEN   "\x1b[?1049h"   /* xterm: save screen, use the alternate one */
#define ANSI_MAIN_SCREEN  "\x1b[?1049l"   /* xterm: back to the saved screen */
#define ASCII_BELL        '\a'

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

void console_init(void)
{
    serial_init();
    vga_init(&screen, phys_to_virt(VGA_TEXT_BUFFER_PHYS), VGA_LIGHT_GREY, VGA_BLACK);
    vga_hw_set_cursor(vga_cursor_index(&screen));
}

struct vga_writer *console_vga(void)
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
    console_write(&c, 1);
}

void console_write(const char *s, size_t n)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < n; i++)
        console_emit(s[i]);
    vga_hw_set_cursor(vga_cursor_index(&screen));
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
    vga_hw_set_cursor(vga_cursor_index(&screen));
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
    vga_hw_set_cursor(vga_cursor_index(&screen));
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_cursor_left(size_t n)
{
    if (n == 0)
        return;
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_cursor_left(&screen, n);
    serial_csi((unsigned)n, 'D'); /* CUB: cursor backward */
    vga_hw_set_cursor(vga_cursor_index(&screen));
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
    vga_hw_set_cursor(vga_cursor_index(&screen));
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_draw_top_right(const char *text, uint8_t attr)
{
    size_t n = strnlen(text, VGA_WIDTH);
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < n; i++)
        screen.cells[VGA_WIDTH - n + i] = vga_cell((unsigned char)text[i], attr);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_bell(void)
{
    serial_putc(ASCII_BELL); /* the VGA text screen has no bell of its own */
}

void console_save_screen(struct console_screen *saved)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (unsigned i = 0; i < VGA_WIDTH * VGA_HEIGHT; i++)
        saved->cells[i] = screen.cells[i];
    saved->row = screen.row;
    saved->col = screen.col;
    saved->attr = screen.attr;
    serial_puts(ANSI_ALT_SCREEN);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_restore_screen(const struct console_screen *saved)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (unsigned i = 0; i < VGA_WIDTH * VGA_HEIGHT; i++)
        screen.cells[i] = saved->cells[i];
    screen.row = saved->row;
    screen.col = saved->col;
    screen.attr = saved->attr;
    serial_puts(ANSI_MAIN_SCREEN);
    vga_hw_set_cursor(vga_cursor_index(&screen));
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_set_buffer(volatile uint16_t *cells)
{
    screen.cells = cells;
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
    vga_hw_set_cursor(vga_cursor_index(&screen));
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
