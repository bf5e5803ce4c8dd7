/*
 * ps2_keyboard.c - the 8042 PS/2 controller and its keyboard (IRQ 1).
 *
 * Ports: 0x60 data (read: a byte from the device or controller; write: a
 * byte to the device), 0x64 status (read) and controller commands (write).
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
#include <arch/x86_64/interrupts.h>
#include <keel/ps2.h>

#define PS2_DATA               0x60
#define PS2_STATUS             0x64
#define PS2_COMMAND            0x64
#define STATUS_OUTPUT_FULL     0x01 /* a byte waits at port 0x60 */
#define STATUS_INPUT_FULL      0x02 /* the controller has not taken our last byte */
#define CMD_READ_CONFIG        0x20
#define CMD_WRITE_CONFIG       0x60
#define CMD_DISABLE_PORT2      0xA7
#define CMD_DISABLE_PORT1      0xAD
#define CMD_ENABLE_PORT1       0xAE
#define CONFIG_PORT1_INTERRUPT 0x01
#define CONFIG_PORT2_INTERRUPT 0x02
#define CONFIG_PORT1_CLOCK_OFF 0x10
#define CONFIG_TRANSLATION     0x40
#define KEYBOARD_SET_LEDS      0xED
#define KEYBOARD_IRQ           1
#define SPIN_LIMIT             100000
#define FLUSH_LIMIT            64

static struct byte_ring keyboard_bytes;

static bool wait_input_empty(void)
{
    for (int i = 0; i < SPIN_LIMIT; i++)
        if (!(inb(PS2_STATUS) & STATUS_INPUT_FULL))
            return true;
    return false;
}

static bool wait_output_full(void)
{
    for (int i = 0; i < SPIN_LIMIT; i++)
        if (inb(PS2_STATUS) & STATUS_OUTPUT_FULL)
            return true;
    return false;
}

static bool send_command(uint8_t command)
{
    if (!wait_input_empty())
        return false;
    outb(PS2_COMMAND, command);
    return true;
}

static bool send_data(uint8_t byte)
{
    if (!wait_input_empty())
        return false;
    outb(PS2_DATA, byte);
    return true;
}

static void keyboard_interrupt(void)
{
    if (inb(PS2_STATUS) & STATUS_OUTPUT_FULL)
        ring_push(&keyboard_bytes, inb(PS2_DATA)); /* a full ring counts the drop */
}

bool ps2_keyboard_init(void)
{
    ring_init(&keyboard_bytes);
    if (!send_command(CMD_DISABLE_PORT1) || !send_command(CMD_DISABLE_PORT2))
        return false;
    for (int i = 0; i < FLUSH_LIMIT && (inb(PS2_STATUS) & STATUS_OUTPUT_FULL); i++)
        inb(PS2_DATA);
    if (!send_command(CMD_READ_CONFIG) || !wait_output_full())
        return false;
    uint8_t config = inb(PS2_DATA);
    config |= CONFIG_PORT1_INTERRUPT | CONFIG_TRANSLATION;
    config &= (uint8_t) ~(CONFIG_PORT2_INTERRUPT | CONFIG_PORT1_CLOCK_OFF);
    if (!send_command(CMD_WRITE_CONFIG) || !send_data(config))
        return false;
    if (!send_command(CMD_ENABLE_PORT1))
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
