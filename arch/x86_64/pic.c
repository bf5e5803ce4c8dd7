/*
 * pic.c - the 8259A Programmable Interrupt Controllers (master and slave).
 *
 * The BIOS leaves IRQ 0-7 on vectors 8-15, where they collide with CPU
 * exceptions, so the PICs are re-initialised (ICW1-ICW4, Intel 8259A data
 * sheet) with vector bases 32 and 40. The slave hangs on the master's IRQ 2.
 * A spurious interrupt (the line dropped before the PIC could deliver it)
 * arrives as the lowest-priority IRQ 7 / 15 with its in-service bit clear,
 * read through OCW3.
 *
 * A mask change reads, changes and writes the mask register, and an ISR
 * read is an OCW3 write and a read: pic_lock keeps other CPUs' from
 * coming in between (the keyboard's reader unmasks IRQ 1 on whichever
 * CPU it runs while IRQ 0's handler opens or closes its own line).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/pic.h>
#include <kernel/spinlock.h>

#define MASTER_COMMAND 0x20
#define MASTER_DATA    0x21
#define SLAVE_COMMAND  0xA0
#define SLAVE_DATA     0xA1

#define ICW1_INIT           0x10 /* start initialisation */
#define ICW1_NEEDS_ICW4     0x01
#define ICW4_8086           0x01 /* 8086/88 mode (not MCS-80/85) */
#define CASCADE_IRQ         2
#define SLAVE_IDENTITY      2    /* ICW3 for the slave: its cascade line number */
#define OCW2_EOI            0x20 /* non-specific end of interrupt */
#define OCW3_READ_ISR       0x0B /* next read of the command port returns the ISR */
#define IRQ_SPURIOUS_MASTER 7
#define IRQ_SPURIOUS_SLAVE  15
#define PIC_LINES           8

/* Old PICs need about a microsecond between initialisation words, hence
 * io_delay() after each. */
void pic_init(void)
{
    outb(MASTER_COMMAND, ICW1_INIT | ICW1_NEEDS_ICW4);
    io_delay();
    outb(SLAVE_COMMAND, ICW1_INIT | ICW1_NEEDS_ICW4);
    io_delay();
    outb(MASTER_DATA, IRQ_VECTOR_BASE); /* ICW2: vector base */
    io_delay();
    outb(SLAVE_DATA, IRQ_VECTOR_BASE + PIC_LINES);
    io_delay();
    outb(MASTER_DATA, 1 << CASCADE_IRQ); /* ICW3: a slave on IRQ 2 */
    io_delay();
    outb(SLAVE_DATA, SLAVE_IDENTITY);
    io_delay();
    outb(MASTER_DATA, ICW4_8086);
    io_delay();
    outb(SLAVE_DATA, ICW4_8086);
    io_delay();
    outb(MASTER_DATA, (uint8_t) ~(1 << CASCADE_IRQ)); /* OCW1: all masked but the cascade */
    outb(SLAVE_DATA, 0xFF);
}

static struct spinlock pic_lock = SPINLOCK_INIT("pic_lock");

static uint16_t mask_port(unsigned irq)
{
    return irq < PIC_LINES ? MASTER_DATA : SLAVE_DATA;
}

void pic_mask(unsigned irq)
{
    uint16_t port = mask_port(irq);
    uint64_t flags = spin_lock_irqsave(&pic_lock);
    outb(port, inb(port) | (uint8_t)(1 << (irq % PIC_LINES)));
    spin_unlock_irqrestore(&pic_lock, flags);
}

void pic_unmask(unsigned irq)
{
    uint16_t port = mask_port(irq);
    uint64_t flags = spin_lock_irqsave(&pic_lock);
    outb(port, inb(port) & (uint8_t) ~(1 << (irq % PIC_LINES)));
    spin_unlock_irqrestore(&pic_lock, flags);
}

uint16_t pic_masks(void)
{
    return (uint16_t)(inb(MASTER_DATA) | (inb(SLAVE_DATA) << 8));
}

void pic_send_eoi(unsigned irq)
{
    if (irq >= PIC_LINES)
        outb(SLAVE_COMMAND, OCW2_EOI);
    outb(MASTER_COMMAND, OCW2_EOI);
}

static uint8_t in_service(uint16_t command_port)
{
    uint64_t flags = spin_lock_irqsave(&pic_lock);
    outb(command_port, OCW3_READ_ISR);
    uint8_t isr = inb(command_port);
    spin_unlock_irqrestore(&pic_lock, flags);
    return isr;
}

bool pic_is_spurious(unsigned irq)
{
    if (irq == IRQ_SPURIOUS_MASTER)
        return !(in_service(MASTER_COMMAND) & 0x80);
    if (irq == IRQ_SPURIOUS_SLAVE && !(in_service(SLAVE_COMMAND) & 0x80)) {
        outb(MASTER_COMMAND, OCW2_EOI); /* the master did see IRQ 2 */
        return true;
    }
    return false;
}
