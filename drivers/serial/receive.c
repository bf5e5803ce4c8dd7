/*
 * receive.c - bytes typed on the serial line, taken by interrupt.
 *
 * With IER bit 0 set the UART raises IRQ 4 when a byte arrives (or its FIFO
 * reaches the trigger level); the handler moves every waiting byte into a
 * ring buffer and does nothing else. MCR.OUT2, set by serial_init, gates
 * the UART's interrupt line to the PIC on PC hardware.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <drivers/serial/serial.h>
#include <drivers/serial/uart16550.h>

#define COM1_IRQ       4
#define RX_DRAIN_LIMIT 64 /* more than the 16-byte FIFO: never loop forever */

static struct byte_ring received;

static void serial_interrupt(void)
{
    for (int i = 0; i < RX_DRAIN_LIMIT && (inb(UART_LSR) & LSR_DATA_READY); i++)
        ring_push(&received, inb(UART_DATA)); /* a full ring counts the drop */
}

bool serial_enable_receive(void)
{
    ring_init(&received);
    if (!serial_present())
        return false;
    while (inb(UART_LSR) & LSR_DATA_READY) /* discard what came before */
        inb(UART_DATA);
    irq_install(COM1_IRQ, serial_interrupt);
    outb(UART_IER, IER_RECEIVED_DATA);
    return true;
}

struct byte_ring *serial_received_bytes(void)
{
    return &received;
}
