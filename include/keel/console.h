/*
 * console.h - the kernel console: every character goes to the VGA text
 * screen and to COM1.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/vga.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bring up COM1 and the VGA screen (cleared). Safe to call again. */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_set_color(enum vga_color fg, enum vga_color bg);
void console_clear(void);
/* Keep writing to the same screen through a new address (the text buffer
 * moves when the kernel switches to its own page tables). */
void console_set_buffer(volatile uint16_t *cells);
/* Erase the character left of the cursor (screen and serial terminal). */
void console_erase_char(void);
/* Hold the console lock across several calls' worth of work (interrupts are
 * off meanwhile); the console functions themselves must not be called. */
uint64_t console_lock_acquire(void);
void console_lock_release(uint64_t flags);
/* For panic only: release the lock even if held; returns whether it was. */
bool console_panic_unlock(void);
/* The cells of the screen, for code that must draw directly (panic). */
struct vga_writer *console_vga(void);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
