/*
 * test_smp.c - in-kernel checks of the application processors: each is
 * online with its own APIC id, GDT, TSS and GS base; a call reaches the CPU
 * it names; a kernel page unmapped on one CPU faults on another that had
 * just read it (the TLB shootdown), and without the shootdown the other
 * CPU would still read it through its stale TLB entry.
 *
 * Cases named smp_* run in the group ktest=smp_*, booted with -smp 4
 * (tests/kernel/run_kernel_tests.py); the whole run on one CPU leaves them
 * out.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/percpu.h>
#include <kernel/ktest.h>
#include <kernel/smp.h>
#include <lib/errno.h>
#include <mm/memory.h>
#include <mm/stacks.h>

#define TEST_CPUS   4 /* the group boots with -smp 4 */
#define STACK_BYTES 4096
#define MARK        0x5ec0d0c0ffee1234ull

int user_copy_bytes(void *dst, const void *src, size_t n); /* arch/x86_64/usercopy.S */

struct where {
    unsigned cpu;
    uint32_t apic_id;
    uint16_t task_register;
    uint64_t gdt_base;
    uint64_t gs_base;
};

static void record_where(void *arg)
{
    struct where *w = arg;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    w->cpu = this_cpu()->id;
    w->apic_id = lapic_id();
    w->task_register = read_task_register();
    w->gdt_base = gdtr.base;
    w->gs_base = rdmsr(MSR_GS_BASE);
}

KTEST(smp_every_cpu_online_with_its_own_apic_id_gdt_and_gs)
{
    KTEST_CHECK_EQ(smp_cpus_online(), TEST_CPUS);
    KTEST_CHECK_EQ(smp_cpu_count(), TEST_CPUS);
    struct where seen[TEST_CPUS];
    for (unsigned cpu = 0; cpu < TEST_CPUS; cpu++) {
        struct cpu_info info;
        KTEST_CHECK(smp_cpu_info(cpu, &info));
        KTEST_CHECK_EQ(info.state, CPU_ONLINE);
        KTEST_CHECK_EQ(smp_call_on(cpu, record_where, &seen[cpu]), 0);
        KTEST_CHECK_EQ(seen[cpu].cpu, cpu);
        KTEST_CHECK_EQ(seen[cpu].apic_id, info.apic_id);
        KTEST_CHECK_EQ(seen[cpu].gs_base, (uint64_t)(uintptr_t)cpu_local_of(cpu));
        KTEST_CHECK(seen[cpu].task_register != 0);
        for (unsigned other = 0; other < cpu; other++) {
            KTEST_CHECK(seen[other].apic_id != seen[cpu].apic_id);
            KTEST_CHECK(seen[other].gdt_base != seen[cpu].gdt_base);
        }
    }
}

KTEST(smp_call_to_a_cpu_that_is_not_online_is_refused)
{
    struct where w;
    KTEST_CHECK_EQ(smp_call_on(TEST_CPUS, record_where, &w), -EINVAL);
    KTEST_CHECK_EQ(smp_call_on(KEEL_MAX_CPUS + 5, record_where, &w), -EINVAL);
}

struct probe {
    const uint64_t *address;
    uint64_t value;
    int result; /* 0: read; else the copy faulted */
};

static void read_probe(void *arg)
{
    struct probe *p = arg;
    p->value = 0;
    p->result = user_copy_bytes(&p->value, p->address, sizeof(p->value));
}

/* Map a page (a stack's), have CPU 1 read it, unmap it, and read again on
 * CPU 1: with the shootdown that second read faults. */
static void unmap_after_remote_read(bool with_shootdown, struct probe *first, struct probe *second)
{
    const struct kernel_stack *stack;
    KTEST_CHECK_EQ(memory_stack_create("tlb-test", STACK_BYTES, &stack), 0);
    uint64_t *page = (uint64_t *)stack->bottom;
    *page = MARK;
    first->address = page;
    KTEST_CHECK_EQ(smp_call_on(1, read_probe, first), 0);
    uint64_t shootdowns = smp_shootdowns();
    if (!with_shootdown)
        memory_set_shootdown(NULL);
    memory_stack_destroy(stack);
    if (!with_shootdown)
        smp_restore_shootdown();
    else
        KTEST_CHECK(smp_shootdowns() > shootdowns);
    second->address = page;
    KTEST_CHECK_EQ(smp_call_on(1, read_probe, second), 0);
    if (!with_shootdown) /* let CPU 1 forget the stale entry before the frame is reused */
        smp_call_on(1, invlpg_page, page);
}

KTEST(smp_tlb_shootdown_makes_an_unmapped_page_fault_on_another_cpu)
{
    struct probe first, second;
    unmap_after_remote_read(true, &first, &second);
    KTEST_CHECK_EQ(first.result, 0);
    KTEST_CHECK_EQ(first.value, MARK);
    KTEST_CHECK(second.result != 0); /* the copy faulted: the page is gone there too */
}

/* The control: without the shootdown, CPU 1 still reaches the page (now a
 * free frame) through its stale TLB entry and does not fault, which is
 * what the case above guards against. */
KTEST(smp_without_the_shootdown_another_cpu_reads_a_stale_entry)
{
    struct probe first, second;
    unmap_after_remote_read(false, &first, &second);
    KTEST_CHECK_EQ(first.result, 0);
    KTEST_CHECK_EQ(second.result, 0);
}
