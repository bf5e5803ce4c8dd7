/*
 * keyboard.c - the 8042 PS/2 controller and its keyboard (IRQ 1).
 *
 * Ports and commands: i8042.h.
 * Set-up (OSDev "8042 PS/2 Controller"): disable both ports so nothing
 * arrives mid-way, flush the output buffer, rewrite the configuration byte
 * (first port's interrupt and scancode translation on, second port's
 * interrupt off), enable the first port. With translation on, every
 * keyboard sends scancode set 1, whatever set it speaks natively.
 *
 * The interrupt handler only moves the byte from port 0x60 into a
 * fixed-size ring: no decoding, no allocation, no locks, no printing.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <drivers/ps2/i8042.h>
#include <drivers/ps2/keyboard.h>

#define KEYBOARD_SET_LEDS 0xED
#define KEYBOARD_IRQ      1
#define SPIN_LIMIT        100000
#define FLUSH_LIMIT       64

static struct byte_ring keyboard_bytes;

static bool wait_input_empty(void)
{
    for (int i = 0; i < SPIN_LIMIT; i++)
        if (!(inb(I8042_STATUS) & I8042_STATUS_INPUT_FULL))
            return true;
    return false;
}

static bool wait_output_full(void)
{
    for (int i = 0; i < SPIN_LIMIT; i++)
        if (inb(I8042_STATUS) & I8042_STATUS_OUTPUT_FULL)
            return true;
    return false;
}

static bool send_command(uint8_t command)
{
    if (!wait_input_empty())
        return false;
    outb(I8042_COMMAND, command);
    return true;
}

static bool send_data(uint8_t byte)
{
    if (!wait_input_empty())
        return false;
    outb(I8042_DATA, byte);
    return true;
}

static void keyboard_interrupt(void)
{
    if (inb(I8042_STATUS) & I8042_STATUS_OUTPUT_FULL)
        ring_push(&keyboard_bytes, inb(I8042_DATA)); /* a full ring counts the drop */
}

bool ps2_keyboard_init(void)
{
    ring_init(&keyboard_bytes);
    if (!send_command(I8042_CMD_DISABLE_PORT1) || !send_command(I8042_CMD_DISABLE_PORT2))
        return false;
    for (int i = 0; i < FLUSH_LIMIT && (inb(I8042_STATUS) & I8042_STATUS_OUTPUT_FULL); i++)
        inb(I8042_DATA);
    if (!send_command(I8042_CMD_READ_CONFIG) || !wait_output_full())
        return false;
    uint8_t config = inb(I8042_DATA);
    config |= I8042_CONFIG_PORT1_INTERRUPT | I8042_CONFIG_TRANSLATION;
    config &= (uint8_t) ~(I8042_CONFIG_PORT2_INTERRUPT | I8042_CONFIG_PORT1_CLOCK_OFF);
    if (!send_command(I8042_CMD_WRITE_CONFIG) || !send_data(config))
        return false;
    if (!send_command(I8042_CMD_ENABLE_PORT1))
        return false;
    irq_install(KEYBOARD_IRQ, keyboard_interrupt);
    return true;
}

struct byte_ring *ps2_keyboard_bytes(void)
{
    return &keyboard_bytes;
}

void ps2_keyboard_set_leds(uint8_t leds)
{
    if (send_data(KEYBOARD_SET_LEDS))
        send_data(leds);
}

void ps2_pulse_reset_line(void)
{
    wait_input_empty();
    outb(I8042_COMMAND, I8042_CMD_PULSE_RESET);
}
