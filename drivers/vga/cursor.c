/*
 * cursor.c - the hardware text cursor, through the CRT controller, and the
 * attribute controller's blink setting.
 *
 * The CRTC is programmed through an index port (0x3D4) and a data port
 * (0x3D5) in colour mode. Registers 0x0E and 0x0F hold the high and low byte
 * of the cursor's cell index; bit 5 of register 0x0A (cursor start, whose
 * low bits are the cursor's first scan line) turns the cursor off (IBM VGA
 * Technical Reference, CRTC registers).
 *
 * The attribute controller has one port (0x3C0) for both index and data
 * writes, switched by a flip-flop that a read of the input status register
 * (0x3DA) resets to "index"; data is read at 0x3C1. Bit 3 of its mode
 * control register (index 0x10) makes attribute bit 7 blink the character;
 * clear, bit 7 is the background's intensity. Bit 5 of the index byte must
 * stay set, or the screen goes blank while the palette is accessible.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/vga/cursor.h>

#define CRTC_INDEX        0x3D4
#define CRTC_DATA         0x3D5
#define CRTC_CURSOR_HIGH  0x0E
#define CRTC_CURSOR_LOW   0x0F
#define CRTC_CURSOR_START 0x0A
#define CURSOR_DISABLE    0x20 /* cursor start register, bit 5 */

#define ATTR_PORT           0x3C0 /* index and data writes */
#define ATTR_DATA_READ      0x3C1
#define INPUT_STATUS_1      0x3DA /* reading it resets the flip-flop to index */
#define ATTR_MODE_CONTROL   0x10
#define ATTR_SCREEN_ENABLED 0x20 /* index byte, bit 5: palette locked, picture on */
#define ATTR_BLINK_ENABLE   0x08 /* mode control, bit 3 */

void vga_hw_set_cursor(unsigned index)
{
    outb(CRTC_INDEX, CRTC_CURSOR_LOW);
    outb(CRTC_DATA, (uint8_t)(index & 0xFF));
    outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
    outb(CRTC_DATA, (uint8_t)((index >> 8) & 0xFF));
}

void vga_hw_show_cursor(bool shown)
{
    outb(CRTC_INDEX, CRTC_CURSOR_START);
    uint8_t start = inb(CRTC_DATA);
    outb(CRTC_DATA, shown ? (uint8_t)(start & ~CURSOR_DISABLE) : (uint8_t)(start | CURSOR_DISABLE));
}

void vga_hw_bright_backgrounds(void)
{
    (void)inb(INPUT_STATUS_1);
    outb(ATTR_PORT, ATTR_MODE_CONTROL | ATTR_SCREEN_ENABLED);
    uint8_t mode = inb(ATTR_DATA_READ);
    outb(ATTR_PORT, (uint8_t)(mode & ~ATTR_BLINK_ENABLE)); /* the flip-flop is on "data" */
}
