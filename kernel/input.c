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
 * input_lock covers the decoders, the keys handed back and the reading
 * side of both drivers' rings, so readers on several CPUs take turns.
 *
 * Waiting: the reader checks for input holding input_lock and, if there
 * is none, sleeps on a wait queue that both drivers' interrupt handlers
 * wake, letting go of the lock only once it is as good as asleep
 * (wait_queue_wait_dropping). The handlers queue their byte first and
 * wake holding input_lock, so a byte that arrives after the check, on
 * whichever CPU, finds the reader on the queue: no wake-up is lost, and
 * nothing polls: the CPU runs other threads or halts in the idle thread
 * meanwhile.
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
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <lib/string.h>

static struct spinlock input_lock = SPINLOCK_INIT("input_lock");
static struct kbd_decoder keyboard;
static struct wait_queue readers = WAIT_QUEUE_INIT("input");

/* Both drivers call this from their interrupt handlers, after queueing. */
static void wake_readers(void)
{
    spin_lock(&input_lock);
    wait_queue_wake_all(&readers);
    spin_unlock(&input_lock);
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
static bool left_ctrl, right_ctrl, extended; /* the keyboard driver's lock covers them */

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
    uint64_t flags = spin_lock_irqsave(&input_lock);
    bool fits = pending_count + count <= INPUT_UNREAD_MAX;
    if (fits) {
        memmove(&pending[count], pending, pending_count * sizeof(pending[0]));
        memcpy(pending, events, count * sizeof(pending[0]));
        pending_count += count;
    }
    spin_unlock_irqrestore(&input_lock, flags);
    return fits;
}

static bool take_pending(struct key_event *out)
{
    bool any = pending_count > 0;
    if (any) {
        *out = pending[0];
        pending_count--;
        memmove(pending, &pending[1], pending_count * sizeof(pending[0]));
    }
    return any;
}

/* input_poll with input_lock held. */
static bool poll_locked(struct key_event *out)
{
    return take_pending(out) || poll_keyboard(out) || poll_serial(out);
}

bool input_poll(struct key_event *out)
{
    uint64_t flags = spin_lock_irqsave(&input_lock);
    bool any = poll_locked(out);
    spin_unlock_irqrestore(&input_lock, flags);
    return any;
}

/* The next press, or false once deadline_ns has passed (input_lock held). */
static bool wait_press(struct key_event *out, uint64_t deadline_ns)
{
    for (;;) {
        while (poll_locked(out))
            if (out->pressed)
                return true;
        if (thread_should_stop())
            return false;
        if (!wait_queue_wait_dropping(&readers, &input_lock, deadline_ns))
            return false;
    }
}

void input_wait_press(struct key_event *out)
{
    uint64_t flags = spin_lock_irqsave(&input_lock);
    while (!wait_press(out, TIMER_NO_ALARM) && !thread_should_stop())
        ;
    spin_unlock_irqrestore(&input_lock, flags);
}

bool input_wait_press_until(struct key_event *out, uint64_t deadline_ns)
{
    uint64_t flags = spin_lock_irqsave(&input_lock);
    bool pressed = wait_press(out, deadline_ns);
    spin_unlock_irqrestore(&input_lock, flags);
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
