/*
 * input.c - merge the keyboard and the serial line into key events.
 *
 * Interrupt handlers only queue raw bytes (drivers/ps2/keyboard.c, drivers/serial/receive.c);
 * decoding happens here, in the main loop, with the pure decoders
 * (drivers/ps2/scancode.c, drivers/serial/term_keys.c). Lock keys update the keyboard LEDs.
 * Input is never dropped: when the main loop falls behind, the drivers
 * leave bytes in the devices until it catches up, and input_dropped (which
 * should stay 0) counts anything lost all the same.
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
    while (ps2_keyboard_read(&byte)) {
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
    while (serial_receive_byte(&byte))
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
    return ps2_keyboard_dropped() + serial_receive_dropped();
}

void input_print_stats(void)
{
    kprintf("input: %u bytes dropped\n", (unsigned)input_dropped());
    kprintf("held back in the device: keyboard %u times, serial %u times\n",
            (unsigned)ps2_keyboard_holds(), (unsigned)serial_receive_holds());
}
