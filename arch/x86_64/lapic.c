/*
 * lapic.c - the local APIC (see lapic.h).
 *
 * Register offsets, bits and the start-up sequence are from the Intel SDM
 * vol. 3A, chapter 11 (table 11-1 for xAPIC offsets, 11.12.1.2 for the
 * x2APIC MSR numbers: 0x800 + offset / 16).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>

#define MSR_APIC_BASE     0x1B
#define APIC_BASE_X2APIC  (1ull << 10) /* EXTD */
#define APIC_BASE_ENABLE  (1ull << 11) /* global enable */
#define APIC_BASE_ADDRESS 0xFFFFFF000ull
#define MSR_X2APIC_FIRST  0x800

#define CPUID_1_EDX_APIC   (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)

/* Register offsets (xAPIC). */
#define REG_ID            0x020
#define REG_VERSION       0x030
#define REG_TPR           0x080
#define REG_EOI           0x0B0
#define REG_SVR           0x0F0
#define REG_ESR           0x280
#define REG_ICR_LOW       0x300
#define REG_ICR_HIGH      0x310
#define REG_LVT_TIMER     0x320
#define REG_LVT_LINT0     0x350
#define REG_LVT_LINT1     0x360
#define REG_LVT_ERROR     0x370
#define REG_TIMER_INITIAL 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE  0x3E0

#define SVR_ENABLE       (1u << 8)
#define LVT_MASKED       (1u << 16)
#define LVT_LEVEL        (1u << 15)
#define LVT_ACTIVE_LOW   (1u << 13)
#define LVT_DELIVERY_NMI (4u << 8)
#define TIMER_DIVIDE_16  0x3 /* divide configuration 0b0011 */

#define ICR_FIXED      (0u << 8)
#define ICR_NMI        (4u << 8)
#define ICR_INIT       (5u << 8)
#define ICR_STARTUP    (6u << 8)
#define ICR_BUSY       (1u << 12) /* xAPIC delivery status: send pending */
#define ICR_ASSERT     (1u << 14)
#define ICR_LEVEL      (1u << 15)
#define ICR_OTHERS     (3u << 18) /* destination shorthand: all excluding self */
#define ICR_BUSY_SPINS 1000000u

/* MPS INTI flags (the MADT's). */
#define INTI_POLARITY_MASK 0x3u
#define INTI_ACTIVE_LOW    0x3u
#define INTI_TRIGGER_MASK  0xCu
#define INTI_LEVEL         0xCu

static bool x2apic_mode;
static volatile uint32_t *xapic;

bool lapic_present(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    return d & CPUID_1_EDX_APIC;
}

bool lapic_x2apic_supported(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    return c & CPUID_1_ECX_X2APIC;
}

uint64_t lapic_phys_base(void)
{
    return rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDRESS;
}

static uint32_t read_reg(unsigned reg)
{
    if (x2apic_mode)
        return (uint32_t)rdmsr(MSR_X2APIC_FIRST + reg / 16);
    return xapic[reg / 4];
}

static void write_reg(unsigned reg, uint32_t value)
{
    if (x2apic_mode)
        wrmsr(MSR_X2APIC_FIRST + reg / 16, value);
    else
        xapic[reg / 4] = value;
}

void lapic_enable(bool x2apic, volatile uint32_t *mmio)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
    wrmsr(MSR_APIC_BASE, base); /* xAPIC first: x2APIC may only be entered from it */
    if (x2apic)
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
    x2apic_mode = x2apic;
    xapic = mmio;
    write_reg(REG_TPR, 0);
    write_reg(REG_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
    write_reg(REG_LVT_LINT0, LVT_MASKED);
    write_reg(REG_LVT_LINT1, LVT_MASKED);
    write_reg(REG_LVT_ERROR, VECTOR_LAPIC_ERROR);
    write_reg(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
    write_reg(REG_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    write_reg(REG_ESR, 0); /* clear errors from before (the write latches) */
    write_reg(REG_ESR, 0);
}

bool lapic_is_x2apic(void)
{
    return x2apic_mode;
}

uint32_t lapic_id(void)
{
    uint32_t id = read_reg(REG_ID);
    return x2apic_mode ? id : id >> 24;
}

uint32_t lapic_version(void)
{
    return read_reg(REG_VERSION);
}

void lapic_eoi(void)
{
    write_reg(REG_EOI, 0);
}

void lapic_set_lint_nmi(unsigned lint, uint16_t flags)
{
    uint32_t value = LVT_DELIVERY_NMI;
    if ((flags & INTI_POLARITY_MASK) == INTI_ACTIVE_LOW)
        value |= LVT_ACTIVE_LOW;
    if ((flags & INTI_TRIGGER_MASK) == INTI_LEVEL)
        value |= LVT_LEVEL;
    write_reg(lint ? REG_LVT_LINT1 : REG_LVT_LINT0, value);
}

/* Send one IPI: command bits plus the destination (ignored with a
 * shorthand). False if an xAPIC never cleared its delivery status. */
static bool send(uint32_t apic_id, uint32_t command)
{
    if (x2apic_mode) {
        wrmsr(MSR_X2APIC_FIRST + REG_ICR_LOW / 16, (uint64_t)apic_id << 32 | command);
        return true;
    }
    xapic[REG_ICR_HIGH / 4] = apic_id << 24;
    xapic[REG_ICR_LOW / 4] = command; /* this write sends it */
    for (unsigned i = 0; i < ICR_BUSY_SPINS; i++) {
        if (!(xapic[REG_ICR_LOW / 4] & ICR_BUSY))
            return true;
        cpu_relax();
    }
    return false;
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    send(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_send_ipi_others(uint8_t vector)
{
    send(0, ICR_OTHERS | ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_send_nmi(uint32_t apic_id)
{
    send(apic_id, ICR_NMI | ICR_ASSERT);
}

void lapic_send_nmi_others(void)
{
    send(0, ICR_OTHERS | ICR_NMI | ICR_ASSERT);
}

bool lapic_send_init(uint32_t apic_id)
{
    bool sent = send(apic_id, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
    if (!x2apic_mode) /* the de-assert only older xAPICs need; x2APIC has none */
        sent = send(apic_id, ICR_INIT | ICR_LEVEL) && sent;
    return sent;
}

bool lapic_send_startup(uint32_t apic_id, uint8_t page)
{
    return send(apic_id, ICR_STARTUP | ICR_ASSERT | page);
}

void lapic_timer_start(uint32_t count)
{
    write_reg(REG_LVT_TIMER, VECTOR_LAPIC_TIMER); /* one-shot, unmasked */
    write_reg(REG_TIMER_INITIAL, count);          /* 0 stops it */
}

void lapic_timer_stop(void)
{
    write_reg(REG_TIMER_INITIAL, 0);
}

uint32_t lapic_timer_remaining(void)
{
    return read_reg(REG_TIMER_CURRENT);
}

void lapic_timer_start_free(void)
{
    write_reg(REG_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
    write_reg(REG_TIMER_INITIAL, UINT32_MAX);
}

uint32_t lapic_error_status(void)
{
    write_reg(REG_ESR, 0);
    return read_reg(REG_ESR);
}
