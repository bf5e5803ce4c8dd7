/*
 * input.h - one stream of key presses from the PS/2 keyboard and COM1.
 */
#ifndef KEEL_KERNEL_INPUT_H
#define KEEL_KERNEL_INPUT_H

#include <drivers/key_event.h>
#include <stdbool.h>
#include <stdint.h>

/* Start both sources (interrupts must still be off). */
void input_init(void);
/* The next key event if one is waiting (keyboard releases included). */
bool input_poll(struct key_event *out);
/* Wait for the next key press, the thread asleep until an interrupt
 * brings something. A killed thread returns with whatever *out holds. */
void input_wait_press(struct key_event *out);
/* The same, but give up at deadline_ns (timer_now_ns scale): false then. */
bool input_wait_press_until(struct key_event *out, uint64_t deadline_ns);
/* Put events back in front of the input, in order, to be read again (a
 * command that watched for Ctrl+C hands back what else was typed). false,
 * and nothing put back, when more than INPUT_UNREAD_MAX would wait. */
#define INPUT_UNREAD_MAX 64
bool input_unread(const struct key_event *events, unsigned count);
/* Ctrl+C typed on the keyboard or the serial line calls handler from the
 * interrupt handler; when it returns true the key is taken (nobody reads
 * it), else it is queued as usual. NULL: none. */
void input_set_interrupt_handler(bool (*handler)(void));
/* Bytes lost, keyboard and serial (a full ring, a UART overrun): 0 unless
 * something is wrong, since a full ring holds the device instead. */
uint32_t input_dropped(void);
/* The `input` command's report: "input: N bytes dropped", and how often
 * each device was held. */
void input_print_stats(void);

#endif
