/*
 * cursor.h - the parts of the VGA text console that touch hardware.
 *
 * boot/multiboot/entry.S includes it for the buffer's address: the C
 * declarations are inside #ifndef __ASSEMBLER__.
 */
#ifndef KEEL_DRIVERS_VGA_CURSOR_H
#define KEEL_DRIVERS_VGA_CURSOR_H

/* Physical address of the colour text-mode buffer (80x25 cells). */
#define VGA_TEXT_BUFFER_PHYS 0xB8000

#ifndef __ASSEMBLER__
#include <stdbool.h>

/* Put the blinking hardware cursor on cell `index` (row * 80 + col). */
void vga_hw_set_cursor(unsigned index);
/* Show or hide the hardware cursor, keeping its shape. */
void vga_hw_show_cursor(bool shown);
/* Make attribute bit 7 a bright background instead of blinking text, so
 * that all 16 colours are backgrounds, as on the framebuffer console. */
void vga_hw_bright_backgrounds(void);
#endif

#endif
