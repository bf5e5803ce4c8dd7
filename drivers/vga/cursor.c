/*
 * cursor.c - the hardware text cursor, through the CRT controller.
 *
 * The CRTC is programmed through an index port (0x3D4) and a data port
 * (0x3D5) in colour mode. Registers 0x0E and 0x0F hold the high and low byte
 * of the cursor's cell index (IBM VGA Technical Reference, CRTC registers).
 */
#include <arch/x86_64/cpu.h>
#include <drivers/vga/cursor.h>

#define CRTC_INDEX       0x3D4
#define CRTC_DATA        0x3D5
#define CRTC_CURSOR_HIGH 0x0E
#define CRTC_CURSOR_LOW  0x0F

void vga_hw_set_cursor(unsigned index)
{
    outb(CRTC_INDEX, CRTC_CURSOR_LOW);
    outb(CRTC_DATA, (uint8_t)(index & 0xFF));
    outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
    outb(CRTC_DATA, (uint8_t)((index >> 8) & 0xFF));
}
