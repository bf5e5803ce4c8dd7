/*
 * ioapic.c - programming I/O APIC redirection entries (see ioapic.h).
 */
#include <arch/x86_64/ioapic.h>
#include <kernel/spinlock.h>
#include <stddef.h>

#define IOREGSEL         0 /* word offsets in the window */
#define IOWIN            4
#define REG_VERSION      0x01
#define REG_REDIRECTION  0x10
#define ENTRY_MASKED     (1ull << 16)
#define ENTRY_LEVEL      (1ull << 15)
#define ENTRY_ACTIVE_LOW (1ull << 13)
#define ENTRY_DEST_SHIFT 56

struct ioapic {
    volatile uint32_t *mmio;
    uint32_t gsi_base;
    unsigned pins;
};

static struct ioapic ioapics[IOAPIC_MAX];
static unsigned count;
/* IOREGSEL then IOWIN is two accesses: one CPU at a time. */
static struct spinlock lock = SPINLOCK_INIT("ioapic_lock");

static uint32_t read_reg(const struct ioapic *io, uint8_t reg)
{
    io->mmio[IOREGSEL] = reg;
    return io->mmio[IOWIN];
}

static void write_reg(const struct ioapic *io, uint8_t reg, uint32_t value)
{
    io->mmio[IOREGSEL] = reg;
    io->mmio[IOWIN] = value;
}

static void write_entry(const struct ioapic *io, unsigned pin, uint64_t entry)
{
    /* Masked while half-written, so no interrupt sees a mix of two entries. */
    write_reg(io, (uint8_t)(REG_REDIRECTION + 2 * pin), (uint32_t)ENTRY_MASKED);
    write_reg(io, (uint8_t)(REG_REDIRECTION + 2 * pin + 1), (uint32_t)(entry >> 32));
    write_reg(io, (uint8_t)(REG_REDIRECTION + 2 * pin), (uint32_t)entry);
}

static uint64_t read_entry(const struct ioapic *io, unsigned pin)
{
    uint64_t low = read_reg(io, (uint8_t)(REG_REDIRECTION + 2 * pin));
    uint64_t high = read_reg(io, (uint8_t)(REG_REDIRECTION + 2 * pin + 1));
    return high << 32 | low;
}

unsigned ioapic_add(volatile uint32_t *mmio, uint32_t gsi_base)
{
    if (count == IOAPIC_MAX)
        return 0;
    struct ioapic *io = &ioapics[count];
    io->mmio = mmio;
    io->gsi_base = gsi_base;
    io->pins = ((read_reg(io, REG_VERSION) >> 16) & 0xFF) + 1;
    for (unsigned pin = 0; pin < io->pins; pin++)
        write_entry(io, pin, ENTRY_MASKED);
    count++;
    return io->pins;
}

static const struct ioapic *find(uint32_t gsi, unsigned *pin)
{
    for (unsigned i = 0; i < count; i++) {
        if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins) {
            *pin = gsi - ioapics[i].gsi_base;
            return &ioapics[i];
        }
    }
    return NULL;
}

bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level, bool active_low)
{
    unsigned pin;
    const struct ioapic *io = find(gsi, &pin);
    if (!io)
        return false;
    uint64_t entry = vector | (uint64_t)(apic_id & 0xFF) << ENTRY_DEST_SHIFT;
    if (level)
        entry |= ENTRY_LEVEL;
    if (active_low)
        entry |= ENTRY_ACTIVE_LOW;
    uint64_t flags = spin_lock_irqsave(&lock);
    write_entry(io, pin, entry);
    spin_unlock_irqrestore(&lock, flags);
    return true;
}

bool ioapic_mask(uint32_t gsi, bool masked)
{
    unsigned pin;
    const struct ioapic *io = find(gsi, &pin);
    if (!io)
        return false;
    uint64_t flags = spin_lock_irqsave(&lock);
    uint64_t entry = read_entry(io, pin);
    entry = masked ? entry | ENTRY_MASKED : entry & ~ENTRY_MASKED;
    write_entry(io, pin, entry);
    spin_unlock_irqrestore(&lock, flags);
    return true;
}

bool ioapic_entry(uint32_t gsi, uint64_t *entry)
{
    unsigned pin;
    const struct ioapic *io = find(gsi, &pin);
    if (!io)
        return false;
    uint64_t flags = spin_lock_irqsave(&lock);
    *entry = read_entry(io, pin);
    spin_unlock_irqrestore(&lock, flags);
    return true;
}

unsigned ioapic_count(void)
{
    return count;
}
