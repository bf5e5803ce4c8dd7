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
 * fixed-size ring: no decoding, no allocation, no printing. keyboard_lock
 * makes it the ring's one writer whichever CPU takes IRQ 1, and covers the
 * hold below (the reader, on another CPU, takes the byte that waited).
 * The reading side is the caller's (kernel/input.c's lock).
 * When the ring is full it leaves the byte in the controller's output
 * buffer and masks IRQ 1 at the PIC; the main loop reads that byte itself
 * once it has popped one, then unmasks (the next byte's edge waits in the
 * PIC meanwhile). A keyboard cannot be asked to wait: it keeps about 16
 * bytes of its own (QEMU: 16) and loses what comes after, so the ring is
 * large and the hold short.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/pic.h>
#include <drivers/ps2/i8042.h>
#include <drivers/ps2/keyboard.h>
#include <kernel/spinlock.h>
#include <lib/ring.h>

#define KEYBOARD_SET_LEDS 0xED
#define KEYBOARD_IRQ      1
#define FLUSH_LIMIT       64

static struct spinlock keyboard_lock = SPINLOCK_INIT("keyboard_lock");
static struct byte_ring keyboard_bytes;
static volatile bool keyboard_held; /* IRQ 1 masked; set and cleared under keyboard_lock */
static volatile uint32_t holds;     /* how often the ring filled up */

static bool wait_output_full(void)
{
    for (int i = 0; i < I8042_SPIN_LIMIT; i++)
        if (inb(I8042_STATUS) & I8042_STATUS_OUTPUT_FULL)
            return true;
    return false;
}

static bool send_command(uint8_t command)
{
    if (!i8042_wait_input_empty())
        return false;
    outb(I8042_COMMAND, command);
    return true;
}

static bool send_data(uint8_t byte)
{
    if (!i8042_wait_input_empty())
        return false;
    outb(I8042_DATA, byte);
    return true;
}

static bool (*byte_filter)(uint8_t byte); /* sees each byte first, in IRQ 1 */

void ps2_keyboard_set_filter(bool (*filter)(uint8_t byte))
{
    byte_filter = filter;
}

/* Move the byte waiting in the controller into the ring, or, if the ring
 * is full, leave it there and mask IRQ 1. keyboard_lock held. */
static void take_waiting_byte(void)
{
    if (!(inb(I8042_STATUS) & I8042_STATUS_OUTPUT_FULL))
        return;
    if (ring_free(&keyboard_bytes) == 0) {
        keyboard_held = true;
        holds++;
        pic_mask(KEYBOARD_IRQ);
        return;
    }
    uint8_t byte = inb(I8042_DATA);
    if (byte_filter && byte_filter(byte))
        return; /* the consumer took it already */
    ring_push(&keyboard_bytes, byte);
}

static void (*notify_reader)(void); /* the consumer's wake-up, called from IRQ 1 */

void ps2_keyboard_set_notify(void (*notify)(void))
{
    notify_reader = notify;
}

static void keyboard_interrupt(void)
{
    spin_lock(&keyboard_lock);
    take_waiting_byte();
    spin_unlock(&keyboard_lock);
    if (notify_reader)
        notify_reader();
}

/* If IRQ 1 is masked and the ring has room, take the byte that waited
 * and unmask. */
static void resume_if_room(void)
{
    uint64_t flags = spin_lock_irqsave(&keyboard_lock);
    if (keyboard_held && ring_free(&keyboard_bytes) > 0) {
        keyboard_held = false;
        take_waiting_byte();
        pic_unmask(KEYBOARD_IRQ);
    }
    spin_unlock_irqrestore(&keyboard_lock, flags);
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

bool ps2_keyboard_read(uint8_t *out)
{
    if (keyboard_held)
        resume_if_room();
    return ring_pop(&keyboard_bytes, out);
}

uint32_t ps2_keyboard_dropped(void)
{
    return ring_dropped(&keyboard_bytes);
}

uint32_t ps2_keyboard_holds(void)
{
    return holds;
}

void ps2_keyboard_set_leds(uint8_t leds)
{
    if (send_data(KEYBOARD_SET_LEDS))
        send_data(leds);
}

void ps2_pulse_reset_line(void)
{
    i8042_wait_input_empty();
    outb(I8042_COMMAND, I8042_CMD_PULSE_RESET);
}
