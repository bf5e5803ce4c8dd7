/*
 * console.h - the kernel console: every character goes to the VGA text
 * screen and to COM1.
 */
#ifndef KEEL_KERNEL_CONSOLE_H
#define KEEL_KERNEL_CONSOLE_H

#include <drivers/vga/vga.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bring up COM1 and the VGA screen (cleared). Safe to call again. */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_set_color(enum vga_color fg, enum vga_color bg);
/* Blank the screen (and the serial terminal), cursor to the top left. */
void console_clear(void);
/* Write bytes that may be code page 437 glyphs (box drawing): shown as
 * they are on the screen, sent as UTF-8 to the serial terminal. */
void console_write_cp437(const char *s, size_t n);
/* Move the cursor n cells back on the screen (across row starts) and on
 * the serial terminal (which stops at the start of its row). */
void console_cursor_left(size_t n);
/* Put the cursor at row, col (from 0) on both. */
void console_move_to(unsigned row, unsigned col);
/* Draw text on the screen's top row ending at its right edge, in attr,
 * without moving the cursor or writing to serial (a status display, such
 * as the clock demo's). */
void console_draw_top_right(const char *text, uint8_t attr);
/* Ring the serial terminal's bell (the text screen has none). */
void console_bell(void);

/* A copy of the screen for full-screen programs to put back when they end;
 * the serial terminal switches to its alternate screen meanwhile. */
struct console_screen {
    uint16_t cells[VGA_WIDTH * VGA_HEIGHT];
    unsigned row, col;
    uint8_t attr;
};
void console_save_screen(struct console_screen *saved);
void console_restore_screen(const struct console_screen *saved);
/* Keep writing to the same screen through a new address (the text buffer
 * moves when the kernel switches to its own page tables). */
void console_set_buffer(volatile uint16_t *cells);
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
