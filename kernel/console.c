/*
 * console.c - one console, two devices: the VGA text screen and COM1.
 *
 * Everything the kernel prints goes through console_putc, so the serial
 * log (what tests and serial terminals read) and the screen (what a person
 * sees) always carry the same text. The hardware cursor is moved once per
 * write rather than per character: each move costs four port writes.
 */
#include <keel/console.h>
#include <keel/format.h>
#include <keel/layout.h>
#include <keel/serial.h>
#include <keel/vga_hw.h>

static struct vga_writer screen;

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
    console_emit(c);
    vga_hw_set_cursor(vga_cursor_index(&screen));
}

void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        console_emit(s[i]);
    vga_hw_set_cursor(vga_cursor_index(&screen));
}

void console_set_color(enum vga_color fg, enum vga_color bg)
{
    vga_set_color(&screen, fg, bg);
}

void console_clear(void)
{
    vga_clear(&screen);
    vga_hw_set_cursor(vga_cursor_index(&screen));
}

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    console_emit(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    int n = format_v(console_sink, NULL, fmt, ap);
    vga_hw_set_cursor(vga_cursor_index(&screen));
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
