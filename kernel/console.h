/*
 * console.h - the kernel console: every character goes to the screen and to
 * COM1.
 *
 * The screen is a grid of VGA text cells (drivers/vga/vga.h) of a size known
 * at run time (console_cols x console_rows): the VGA text screen itself
 * (80x25), or a grid in RAM drawn on a framebuffer (drivers/fb/fb_console.h)
 * when the loader gives one: width / 8 columns, height / 16 rows, at least
 * 80x25. The same 16 colours, cursor, clearing and scrolling on both.
 */
#ifndef KEEL_KERNEL_CONSOLE_H
#define KEEL_KERNEL_CONSOLE_H

#include <boot/boot_info.h>
#include <drivers/vga/vga.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bring up COM1 and an 80x25 grid in RAM that no screen shows yet: text
 * written before console_select is kept for the screen it chooses. */
void console_init(void);
/* Choose the screen from the loader's framebuffer (NULL: none known): a
 * direct-RGB framebuffer gives the framebuffer console (drawn from
 * console_remap on, when it is mapped), anything else the VGA text screen.
 * A framebuffer too small for 80x25 leaves serial only, with a message. The
 * text so far moves to the chosen screen. */
void console_select(const struct framebuffer_info *framebuffer);
/* Once the kernel's own page tables are active: reach the text buffer
 * through the direct map, or map the framebuffer and draw the grid on it. */
void console_remap(void);
/* The grid's size in cells. */
unsigned console_cols(void);
unsigned console_rows(void);
/* One byte of the kernel's own text, as kprintf writes it. */
void console_putc(char c);
/* Output for a terminal, as programs write it to fd 1 (the shell's echo
 * too): UTF-8 text with ANSI control sequences (the ones listed in
 * drivers/vga/ansi.h: cursor moves and positions, erasing, colours, cursor
 * hide and show, the alternate screen, cursor save and restore). The bytes
 * go to COM1 unchanged, for the serial terminal to interpret; the screen
 * interprets them the same way. A sequence may be split over any number of
 * calls. */
void console_write(const char *buf, size_t len);
/* When a program ends, however it ends: a sequence it left unfinished is
 * dropped, the alternate screen left (the main screen back on both
 * devices), the cursor shown, and the colours from before its first colour
 * change put back (SGR 0 on serial). Nothing is sent for what the program
 * did not change. */
void console_reset_program_state(void);
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
 * the serial terminal switches to its alternate screen meanwhile. The cells
 * are on the kernel heap: console_save_screen returns -ENOMEM (and saves
 * nothing) when it is full, console_restore_screen frees them. */
struct console_screen {
    uint16_t *cells; /* cols * rows */
    unsigned cols, rows;
    unsigned row, col;
    uint8_t attr;
};
int console_save_screen(struct console_screen *saved);
void console_restore_screen(struct console_screen *saved);
/* Hold the console lock across several calls' worth of work (interrupts are
 * off meanwhile); the console functions themselves must not be called. */
uint64_t console_lock_acquire(void);
void console_lock_release(uint64_t flags);
/* For panic only: release the lock even if held; returns whether it was. */
bool console_panic_unlock(void);
/* The screen's grid, for code that must draw directly (panic) or read it
 * back (tests). */
struct vga_writer *console_grid(void);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
