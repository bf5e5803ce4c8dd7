/*
 * a20.c - turning on address line 20.
 *
 * With A20 masked (the PC's 8086 compatibility), odd megabytes alias the
 * even ones and the kernel at 1 MiB would overwrite low memory. Methods, in
 * the order that is least likely to upset a machine (OSDev "A20 Line"):
 *   1. already on (QEMU, most modern firmware)
 *   2. BIOS INT 15h AX=2401h
 *   3. "fast A20": System Control Port A (0x92) bit 1 (bit 0 resets the CPU!)
 *   4. the 8042 keyboard controller's output port, bit 1
 * Each is followed by a test: a write to 0x107C00 must not show at 0x007C00
 * (stage 1's sector, no longer needed).
 */
#include <arch/x86_64/cpu.h>

#include <boot/bios/addresses.h>
#include <boot/bios/bios.h>
#include <boot/bios/loader.h>
#include <drivers/ps2/i8042.h>

#define A20_TEST_LOW         STAGE1_ADDR
#define A20_TEST_HIGH        (A20_TEST_LOW | 0x100000) /* differs only in bit 20 */
#define BIOS_SYSTEM          0x15
#define A20_BIOS_ENABLE      0x2401
#define SYSTEM_CONTROL_A     0x92
#define SYSTEM_CONTROL_A20   0x02
#define SYSTEM_CONTROL_RESET 0x01
#define A20_SETTLE_CHECKS    1000 /* some chipsets take a moment */

/* Whether A20 is on: with it off, the two addresses are the same memory. */
static bool a20_is_on(void)
{
    volatile uint32_t *low = (volatile uint32_t *)A20_TEST_LOW;
    volatile uint32_t *high = (volatile uint32_t *)A20_TEST_HIGH;
    uint32_t saved_low = *low, saved_high = *high;
    *low = 0x4B45454C; /* "KEEL" */
    *high = ~0x4B45454Cu;
    bool on = *low == 0x4B45454C;
    *high = saved_high;
    *low = saved_low;
    return on;
}

static bool a20_wait_on(void)
{
    for (int i = 0; i < A20_SETTLE_CHECKS; i++)
        if (a20_is_on())
            return true;
    return false;
}

static void a20_bios(void)
{
    struct bios_regs regs = {.eax = A20_BIOS_ENABLE};
    bios_call(BIOS_SYSTEM, &regs);
}

static void a20_fast(void)
{
    uint8_t value = inb(SYSTEM_CONTROL_A);
    if (!(value & SYSTEM_CONTROL_A20))
        outb(SYSTEM_CONTROL_A, (uint8_t)((value | SYSTEM_CONTROL_A20) & ~SYSTEM_CONTROL_RESET));
}

static void a20_keyboard_controller(void)
{
    if (!i8042_wait_input_empty())
        return;
    outb(I8042_COMMAND, I8042_CMD_WRITE_OUTPUT_PORT);
    if (!i8042_wait_input_empty())
        return;
    outb(I8042_DATA, I8042_OUTPUT_PORT_A20_ON);
    i8042_wait_input_empty();
}

const char *a20_enable(void)
{
    if (a20_is_on())
        return "already enabled";
    a20_bios();
    if (a20_wait_on())
        return "BIOS INT 15h";
    a20_fast();
    if (a20_wait_on())
        return "port 0x92";
    a20_keyboard_controller();
    if (a20_wait_on())
        return "keyboard controller";
    return NULL;
}
