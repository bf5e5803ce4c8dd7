/*
 * receive.c - bytes typed on the serial line, taken by interrupt.
 *
 * With IER bit 0 set the UART raises IRQ 4 when a byte arrives (or its FIFO
 * reaches the trigger level); the handler moves the waiting bytes into a
 * ring buffer and does nothing else. MCR.OUT2, set by serial_init, gates
 * the UART's interrupt line to the PIC on PC hardware.
 *
 * Nothing is lost when the main loop falls behind. Once the ring is full
 * the handler stops taking bytes: it turns IER bit 0 off and drops RTS
 * (PC16550D: MCR bit 1, the sender's CTS), so further bytes wait in the
 * UART's 16-byte FIFO and the sender waits too (QEMU stops reading its
 * side of the line while the FIFO is full; a terminal that watches CTS
 * pauses). The main loop, once it has popped enough to take a full FIFO,
 * drains the UART itself and turns both back on. That drain and the
 * interrupt handler both hold serial_receive_lock, so the ring has one
 * writer at a time whichever CPUs they run on; the reading side is the
 * caller's (kernel/input.c's lock).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <drivers/serial/serial.h>
#include <drivers/serial/uart16550.h>
#include <kernel/spinlock.h>
#include <lib/ring.h>

#define COM1_IRQ       4
#define RX_DRAIN_LIMIT (4 * UART_FIFO_BYTES) /* per drain, so a stuck UART cannot hang us */
#define RX_RESUME_ROOM UART_FIFO_BYTES       /* room for all a held UART can have */

static struct spinlock serial_receive_lock = SPINLOCK_INIT("serial_receive_lock");
static struct byte_ring received;
static volatile bool receive_held; /* IER bit 0 and RTS off; set and cleared under the lock */
static volatile uint32_t holds;    /* how often the receiver was held */
static volatile uint32_t overruns; /* LSR overrun errors: bytes the UART itself lost */

/* Leave further bytes in the UART until serial_receive_byte has made room. */
static void hold_receive(void)
{
    receive_held = true;
    holds++;
    outb(UART_IER, 0);
    outb(UART_MCR, MCR_RUNNING & ~MCR_RTS);
}

static bool (*byte_filter)(uint8_t byte); /* sees each byte first, in IRQ 4 */

void serial_set_receive_filter(bool (*filter)(uint8_t byte))
{
    byte_filter = filter;
}

/* Move the bytes waiting in the UART into the ring while it has room;
 * holds the receiver when the ring is full (or after RX_DRAIN_LIMIT bytes,
 * in case the UART keeps reporting data). serial_receive_lock held. */
static void take_waiting_bytes(void)
{
    for (int i = 0; i < RX_DRAIN_LIMIT; i++) {
        uint8_t status = inb(UART_LSR); /* reading LSR clears its error bits */
        if (status & LSR_OVERRUN_ERROR)
            overruns++;
        if (!(status & LSR_DATA_READY))
            return;
        if (ring_free(&received) == 0)
            break;
        uint8_t byte = inb(UART_DATA);
        if (!byte_filter || !byte_filter(byte))
            ring_push(&received, byte);
    }
    hold_receive();
}

static void (*notify_reader)(void); /* the consumer's wake-up, called from IRQ 4 */

void serial_set_receive_notify(void (*notify)(void))
{
    notify_reader = notify;
}

static void serial_interrupt(void)
{
    spin_lock(&serial_receive_lock);
    take_waiting_bytes();
    spin_unlock(&serial_receive_lock);
    if (notify_reader)
        notify_reader();
}

/* If the receiver is held and the ring has room for a full FIFO again,
 * take what waited in the UART and, if that fitted, let bytes in again. */
static void resume_if_room(void)
{
    uint64_t flags = spin_lock_irqsave(&serial_receive_lock);
    if (receive_held && ring_free(&received) >= RX_RESUME_ROOM) {
        receive_held = false;
        take_waiting_bytes();
        if (!receive_held) {
            outb(UART_MCR, MCR_RUNNING);
            outb(UART_IER, IER_RECEIVED_DATA);
        }
    }
    spin_unlock_irqrestore(&serial_receive_lock, flags);
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

bool serial_receive_byte(uint8_t *out)
{
    if (receive_held)
        resume_if_room();
    return ring_pop(&received, out);
}

uint32_t serial_receive_dropped(void)
{
    return ring_dropped(&received) + overruns;
}

uint32_t serial_receive_holds(void)
{
    return holds;
}
