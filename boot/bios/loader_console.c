/*
 * loader_console.c - stage 2's output: the VGA text screen and COM1.
 *
 * The same writer (drivers/vga/vga.c), UART driver and formatter as the kernel,
 * built for 32-bit: the loader's messages look like the kernel's and land
 * in the same serial log. Stage 2 runs with paging off, so the text buffer
 * is at its physical address.
 */
#include <drivers/serial/serial.h>
#include <drivers/vga/cursor.h>
#include <drivers/vga/vga.h>
#include <lib/format.h>
#include <stdarg.h>

#include <boot/bios/loader.h>

static struct vga_writer screen;

void loader_console_init(void)
{
    serial_init();
    vga_init(&screen, (volatile uint16_t *)VGA_TEXT_BUFFER_PHYS, VGA_LIGHT_GREY, VGA_BLACK);
}

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    vga_put_char(&screen, c);
    serial_putc(c);
}

static void loader_vprintf(const char *fmt, va_list ap)
{
    format_v(console_sink, NULL, fmt, ap);
    vga_hw_set_cursor(vga_cursor_index(&screen));
}

void loader_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    loader_vprintf(fmt, ap);
    va_end(ap);
}

void loader_fail(const char *fmt, ...)
{
    if (screen.col != 0)
        loader_printf("\n");
    vga_set_color(&screen, VGA_WHITE, VGA_RED);
    loader_printf("Keel loader: ");
    va_list ap;
    va_start(ap, fmt);
    loader_vprintf(fmt, ap);
    va_end(ap);
    vga_set_color(&screen, VGA_LIGHT_GREY, VGA_BLACK);
    loader_printf("\nBoot stopped. Power off or reset the machine.\n");
    for (;;)
        __asm__ volatile("cli; hlt" : : : "memory");
}
