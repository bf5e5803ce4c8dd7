/*
 * console.h - the kernel console: every character goes to the VGA text
 * screen and to COM1.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/vga.h>
#include <stdarg.h>
#include <stddef.h>

/* Bring up COM1 and the VGA screen (cleared). Safe to call again. */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_set_color(enum vga_color fg, enum vga_color bg);
void console_clear(void);
/* The cells of the screen, for code that must draw directly (panic). */
struct vga_writer *console_vga(void);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
