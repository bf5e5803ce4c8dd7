/*
 * input.c - merge the keyboard and the serial line into key events.
 *
 * Interrupt handlers only queue raw bytes (drivers/ps2/keyboard.c, drivers/serial/receive.c);
 * decoding happens here, in the main loop, with the pure decoders
 * (drivers/ps2/scancode.c, drivers/serial/term_keys.c). Lock keys update the keyboard LEDs.
 *
 * Waiting: check for input with interrupts off, and if there is none, enable
 * interrupts and halt in one instruction pair (sti; hlt). An interrupt that
 * arrives between the check and the hlt is then held until the hlt, so it
 * wakes the CPU instead of being missed: no lost wake-ups, no busy polling.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/ps2/keyboard.h>
#include <drivers/ps2/scancode.h>
#include <drivers/serial/serial.h>
#include <drivers/serial/term_keys.h>
#include <kernel/console.h>
#include <kernel/input.h>

static struct kbd_decoder keyboard;
static struct term_decoder terminal;
static bool keyboard_present;

void input_init(void)
{
    kbd_decoder_init(&keyboard);
    term_decoder_init(&terminal);
    keyboard_present = ps2_keyboard_init();
    if (!keyboard_present)
        kprintf("input: no PS/2 controller answered; serial input only\n");
    if (!serial_enable_receive())
        kprintf("input: no serial port; keyboard input only\n");
    if (keyboard_present)
        ps2_keyboard_set_leds(kbd_decoder_leds(&keyboard));
}

static bool poll_keyboard(struct key_event *out)
{
    uint8_t byte;
    while (ring_pop(ps2_keyboard_bytes(), &byte)) {
        if (!kbd_decoder_feed(&keyboard, byte, out))
            continue;
        if (kbd_decoder_leds_changed(&keyboard))
            ps2_keyboard_set_leds(kbd_decoder_leds(&keyboard));
        return true;
    }
    return false;
}

static bool poll_serial(struct key_event *out)
{
    uint8_t byte;
    while (ring_pop(serial_received_bytes(), &byte))
        if (term_decoder_feed(&terminal, byte, out))
            return true;
    return false;
}

bool input_poll(struct key_event *out)
{
    return poll_keyboard(out) || poll_serial(out);
}

void input_wait_press(struct key_event *out)
{
    for (;;) {
        cpu_disable_interrupts();
        while (input_poll(out))
            if (out->pressed) {
                cpu_enable_interrupts();
                return;
            }
        cpu_enable_interrupts_and_halt();
    }
}

uint32_t input_dropped(void)
{
    return ring_dropped(ps2_keyboard_bytes()) + ring_dropped(serial_received_bytes());
}
