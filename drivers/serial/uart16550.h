/*
 * uart16550.h - register map of the 16550 UART on COM1 (PC16550D data
 * sheet, table II), shared by the transmit and receive sides.
 *
 * boot/multiboot/entry.S includes it too, to report a failed boot on COM1
 * before there is any C: keep it to #defines that the assembler can read
 * (no C declarations, no type suffixes).
 */
#ifndef KEEL_DRIVERS_SERIAL_UART16550_H
#define KEEL_DRIVERS_SERIAL_UART16550_H

#define COM1_BASE         0x3F8
#define UART_DATA         (COM1_BASE + 0)
#define UART_IER          (COM1_BASE + 1)
#define UART_DIVISOR_LOW  (COM1_BASE + 0)
#define UART_DIVISOR_HIGH (COM1_BASE + 1)
#define UART_FCR          (COM1_BASE + 2)
#define UART_LCR          (COM1_BASE + 3)
#define UART_MCR          (COM1_BASE + 4)
#define UART_LSR          (COM1_BASE + 5)

#define UART_DIVISOR_115200 1 /* 1.8432 MHz clock / 16 / 115200 baud */

#define LCR_DLAB            0x80 /* divisor latch access */
#define LCR_8N1             0x03 /* 8 data bits, no parity, 1 stop bit */
#define FCR_ENABLE_CLEAR_14 0xC7 /* FIFOs on, both cleared, 14-byte trigger */
#define MCR_DTR             0x01
#define MCR_RTS             0x02
#define MCR_OUT1            0x04
#define MCR_OUT2            0x08 /* gates the UART's interrupt line on PCs */
#define MCR_LOOP            0x10
#define MCR_RUNNING         (MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2) /* RTS: the sender may send */
#define LSR_DATA_READY      0x01
#define LSR_OVERRUN_ERROR   0x02 /* a byte arrived with the FIFO full and was lost */
#define LSR_THR_EMPTY       0x20
#define IER_RECEIVED_DATA   0x01 /* interrupt when a byte arrives */
#define UART_FIFO_BYTES     16   /* each of the receive and transmit FIFOs */

#endif
