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
 * Waiting: the reader checks for input with interrupts off and, if there
 * is none, sleeps on a wait queue that both drivers' interrupt handlers
 * wake. An interrupt cannot fall between the check and the sleep (they
 * run with interrupts off), so no wake-up is lost, and nothing polls: the
 * CPU runs other threads or halts in the idle thread meanwhile.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/ps2/keyboard.h>
#include <drivers/ps2/scancode.h>
#include <drivers/serial/serial.h>
#include <drivers/serial/term_keys.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait_queue.h>
#include <kernel/timer.h>
#include <lib/string.h>

static struct kbd_decoder keyboard;
static struct wait_queue readers = WAIT_QUEUE_INIT("input");

/* Both drivers call this from their interrupt handlers. */
static void wake_readers(void)
{
    wait_queue_wake_all(&readers);
}
/* Ctrl+C, watched for in the interrupt handlers themselves, so that it
 * reaches a program that never reads its input (a loop): the handler set
 * by input_set_interrupt_handler decides whether it takes the key. The
 * keyboard's bytes are scancode set 1 (the 8042 translates): Ctrl is 0x1D
 * (0xE0 0x1D on the right), its release 0x9D, C is 0x2E. */
#define SCANCODE_EXTENDED 0xE0
#define SCANCODE_CTRL     0x1D
#define SCANCODE_CTRL_UP  0x9D
#define SCANCODE_C        0x2E
#define SERIAL_CTRL_C     0x03

static bool (*interrupt_handler)(void);
static bool left_ctrl, right_ctrl, extended;

void input_set_interrupt_handler(bool (*handler)(void))
{
    interrupt_handler = handler;
}

static bool keyboard_filter(uint8_t byte)
{
    bool after_e0 = extended;
    extended = byte == SCANCODE_EXTENDED;
    if (byte == SCANCODE_CTRL || byte == SCANCODE_CTRL_UP) {
        *(after_e0 ? &right_ctrl : &left_ctrl) = byte == SCANCODE_CTRL;
        return false;
    }
    return byte == SCANCODE_C && !after_e0 && (left_ctrl || right_ctrl) && interrupt_handler &&
           interrupt_handler();
}

static bool serial_filter(uint8_t byte)
{
    return byte == SERIAL_CTRL_C && interrupt_handler && interrupt_handler();
}

static struct term_decoder terminal;
static bool keyboard_present;

void input_init(void)
{
    kbd_decoder_init(&keyboard);
    term_decoder_init(&terminal);
    ps2_keyboard_set_notify(wake_readers);
    serial_set_receive_notify(wake_readers);
    ps2_keyboard_set_filter(keyboard_filter);
    serial_set_receive_filter(serial_filter);
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

/* Key events handed back with input_unread, oldest first. */
static struct key_event pending[INPUT_UNREAD_MAX];
static unsigned pending_count;

bool input_unread(const struct key_event *events, unsigned count)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    bool fits = pending_count + count <= INPUT_UNREAD_MAX;
    if (fits) {
        memmove(&pending[count], pending, pending_count * sizeof(pending[0]));
        memcpy(pending, events, count * sizeof(pending[0]));
        pending_count += count;
    }
    cpu_restore_interrupts(flags);
    return fits;
}

static bool take_pending(struct key_event *out)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    bool any = pending_count > 0;
    if (any) {
        *out = pending[0];
        pending_count--;
        memmove(pending, &pending[1], pending_count * sizeof(pending[0]));
    }
    cpu_restore_interrupts(flags);
    return any;
}

bool input_poll(struct key_event *out)
{
    return take_pending(out) || poll_keyboard(out) || poll_serial(out);
}

/* The next press, or false once deadline_ns has passed (interrupts off). */
static bool wait_press(struct key_event *out, uint64_t deadline_ns)
{
    for (;;) {
        while (input_poll(out))
            if (out->pressed)
                return true;
        if (thread_should_stop())
            return false;
        if (deadline_ns == TIMER_NO_ALARM)
            wait_queue_wait(&readers);
        else if (!wait_queue_wait_until(&readers, deadline_ns))
            return false;
    }
}

void input_wait_press(struct key_event *out)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    while (!wait_press(out, TIMER_NO_ALARM) && !thread_should_stop())
        ;
    cpu_restore_interrupts(flags);
}

bool input_wait_press_until(struct key_event *out, uint64_t deadline_ns)
{
    uint64_t flags = cpu_save_and_disable_interrupts();
    bool pressed = wait_press(out, deadline_ns);
    cpu_restore_interrupts(flags);
    return pressed;
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
