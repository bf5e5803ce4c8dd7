/*
 * gdt.c - the Global Descriptor Table and the Task State Segment.
 *
 * In 64-bit mode segmentation is mostly gone (bases and limits are ignored
 * for CS, DS, ES, SS), but the CPU still needs a code descriptor with L = 1,
 * a data descriptor, and a TSS: the TSS holds the Interrupt Stack Table, so
 * a double fault, NMI or machine check runs on a known-good stack even when
 * the kernel stack overflowed (Intel SDM vol. 3, 6.14.5 and 8.7).
 *
 * Until mm/memory.c has built the kernel's page tables, the IST entries point
 * at small early stacks in .bss; then gdt_set_ist_stack moves each to its
 * stack in the stack region, above an unmapped guard page.
 *
 * Every CPU has a GDT and a TSS of its own (a TSS descriptor is marked busy
 * when loaded, and RSP0 is the running thread's stack on each CPU): the
 * boot CPU's are entry 0, and gdt_init_ap builds an application
 * processor's with the IST stacks kernel/smp.c made for it.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/percpu.h>
#include <mm/stacks.h>
#include <stddef.h>

/* Descriptor bits (SDM vol. 3, 3.4.5): accessed bits are preset so the CPU
 * never writes to the table. */
#define SEG_ACCESSED     (1ull << 40)
#define SEG_WRITABLE     (1ull << 41) /* data: writable; code: readable */
#define SEG_EXECUTABLE   (1ull << 43)
#define SEG_CODE_OR_DATA (1ull << 44) /* S = 1 */
#define SEG_PRESENT      (1ull << 47)
#define SEG_LONG_MODE    (1ull << 53) /* L: 64-bit code */
#define SEG_DEFAULT_32   (1ull << 54) /* D/B, only for the data descriptor */
#define SEG_GRANULARITY  (1ull << 55) /* limit in 4 KiB units */
#define SEG_LIMIT_MAX    (0xFFFFull | (0xFull << 48))

#define KERNEL_CODE_DESCRIPTOR                                                                     \
    (SEG_LIMIT_MAX | SEG_ACCESSED | SEG_WRITABLE | SEG_EXECUTABLE | SEG_CODE_OR_DATA |             \
     SEG_PRESENT | SEG_LONG_MODE | SEG_GRANULARITY)
#define KERNEL_DATA_DESCRIPTOR                                                                     \
    (SEG_LIMIT_MAX | SEG_ACCESSED | SEG_WRITABLE | SEG_CODE_OR_DATA | SEG_PRESENT |                \
     SEG_DEFAULT_32 | SEG_GRANULARITY)
#define SEG_DPL_USER          (3ull << 45) /* descriptor privilege level 3 */
#define USER_CODE_DESCRIPTOR  (KERNEL_CODE_DESCRIPTOR | SEG_DPL_USER)
#define USER_DATA_DESCRIPTOR  (KERNEL_DATA_DESCRIPTOR | SEG_DPL_USER)
#define TSS_TYPE_AVAILABLE_64 0x9ull /* system descriptor type (SDM table 3-2) */

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3]; /* stacks for privilege changes to rings 0-2: rsp[0] for ring 3 -> 0 */
    uint64_t reserved1;
    uint64_t ist[7]; /* IST1..IST7 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t io_map_base; /* beyond the limit: no I/O permission bitmap */
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "64-bit TSS layout (SDM figure 8-11)");

struct gdt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

#define EARLY_IST_STACK_SIZE 4096

#define GDT_ENTRIES 7

static struct tss tss[KEEL_MAX_CPUS];
static uint8_t early_ist_stacks[3][EARLY_IST_STACK_SIZE] __attribute__((aligned(16)));
/* Per CPU: null, kernel code, kernel data, user data, user code, TSS (a
 * 16-byte system descriptor) */
static uint64_t gdt[KEEL_MAX_CPUS][GDT_ENTRIES] __attribute__((aligned(16)));

static void load_tables(unsigned cpu);

/* The two halves of a 64-bit TSS descriptor (SDM figure 8-4). */
static void set_tss_descriptor(uint64_t *slot, const struct tss *t)
{
    uint64_t base = (uint64_t)(uintptr_t)t;
    uint64_t limit = sizeof(*t) - 1;
    slot[0] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (TSS_TYPE_AVAILABLE_64 << 40) |
              SEG_PRESENT | (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    slot[1] = base >> 32;
}

void gdt_set_kernel_stack(uintptr_t top)
{
    tss[this_cpu()->id].rsp[0] = top;
}

void gdt_set_ist_stack(unsigned ist, uintptr_t top)
{
    tss[0].ist[ist - 1] = top; /* read by the CPU at the next interrupt using it */
}

/* The stack registry entry for an IST slot. */
static enum kernel_stack_id ist_stack_id(unsigned ist)
{
    return ist == IST_DOUBLE_FAULT ? STACK_DOUBLE_FAULT
           : ist == IST_NMI        ? STACK_NMI
                                   : STACK_MACHINE_CHECK;
}

void gdt_init(void)
{
    for (unsigned ist = IST_DOUBLE_FAULT; ist <= IST_MACHINE_CHECK; ist++) {
        uintptr_t bottom = (uintptr_t)early_ist_stacks[ist - 1];
        uintptr_t top = bottom + EARLY_IST_STACK_SIZE;
        gdt_set_ist_stack(ist, top);
        stack_register(ist_stack_id(ist), bottom, bottom, top);
    }
    load_tables(0);
}

/* Fill CPU cpu's GDT around its TSS and load both. */
static void load_tables(unsigned cpu)
{
    uint64_t *table = gdt[cpu];
    tss[cpu].io_map_base = sizeof(tss[cpu]);
    table[0] = 0;
    table[GDT_KERNEL_CODE / 8] = KERNEL_CODE_DESCRIPTOR;
    table[GDT_KERNEL_DATA / 8] = KERNEL_DATA_DESCRIPTOR;
    table[GDT_USER_DATA / 8] = USER_DATA_DESCRIPTOR;
    table[GDT_USER_CODE / 8] = USER_CODE_DESCRIPTOR;
    set_tss_descriptor(&table[GDT_TSS / 8], &tss[cpu]);

    struct gdt_pointer pointer = {.limit = sizeof(gdt[cpu]) - 1,
                                  .base = (uint64_t)(uintptr_t)table};
    lgdt(&pointer);
    reload_segments(GDT_KERNEL_CODE, GDT_KERNEL_DATA);
    ltr(GDT_TSS);
}

void gdt_init_ap(unsigned cpu, const uintptr_t ist_tops[3])
{
    for (unsigned i = 0; i < 3; i++)
        tss[cpu].ist[i] = ist_tops[i];
    load_tables(cpu);
}
