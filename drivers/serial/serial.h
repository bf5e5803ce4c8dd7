/*
 * serial.h - the COM1 serial port (16550 UART), 115200 baud 8N1.
 */
#ifndef KEEL_DRIVERS_SERIAL_SERIAL_H
#define KEEL_DRIVERS_SERIAL_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

/* Program COM1 and run the UART's loopback self-test. Returns whether a
 * working UART is present; without one, serial_putc does nothing. */
bool serial_init(void);
bool serial_present(void);
/* Send one byte, waiting until the transmit holding register is free.
 * '\n' is sent as "\r\n" so terminals return to column 0. */
void serial_putc(char c);
/* Take received bytes on IRQ 4 into a ring (see serial_receive_byte).
 * Returns false when there is no UART. */
bool serial_enable_receive(void);
/* Call notify (in interrupt context) after each receive interrupt, so the
 * reader can sleep until there are bytes. */
void serial_set_receive_notify(void (*notify)(void));
/* filter sees every received byte in IRQ 4 before it is queued; returning
 * true takes it (it is not queued). NULL: none. */
void serial_set_receive_filter(bool (*filter)(uint8_t byte));
/* Main loop: the oldest received byte into *out, or false if none waits.
 * Lets the UART deliver again once the ring has room (receive.c). */
bool serial_receive_byte(uint8_t *out);
/* Bytes lost: refused by a full ring (never, while holding works) plus
 * overruns the UART reported. */
uint32_t serial_receive_dropped(void);
/* How often the receiver was held because the main loop fell behind. */
uint32_t serial_receive_holds(void);

#endif
