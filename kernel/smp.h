/*
 * smp.h - the machine's CPUs: the local and I/O APICs set up from the ACPI
 * MADT, and the application processors started (kernel/smp.c).
 */
#ifndef KEEL_KERNEL_SMP_H
#define KEEL_KERNEL_SMP_H

#include <boot/boot_info.h>
#include <stdbool.h>
#include <stdint.h>

enum cpu_state {
    CPU_ABSENT,   /* no such slot */
    CPU_STARTING, /* start-up IPIs sent */
    CPU_ONLINE,   /* running the kernel */
    CPU_FAILED,   /* did not answer; left out */
};

struct cpu_info {
    uint32_t apic_id;
    enum cpu_state state;
    uint64_t online_since_ns; /* timer_now_ns() when it came online (0: the boot CPU) */
};

/* Turn on the boot CPU's local APIC (x2APIC where there is one), move the
 * one-shot timers to the local APICs, route the keyboard and COM1 through
 * the I/O APIC and mask the PICs, then start every other usable CPU the
 * MADT lists (up to KEEL_MAX_CPUS). Without a MADT or a local APIC the
 * machine runs on the boot CPU and the PICs, as before; the boot line says
 * which. After sched_init. `cpus=1` on the command line starts no AP. */
void smp_init(const struct boot_info *info);

/* CPUs known (online or not) and their states; cpu 0 is the boot CPU. */
unsigned smp_cpu_count(void);
unsigned smp_cpus_online(void);
bool smp_cpu_info(unsigned cpu, struct cpu_info *out);
const char *cpu_state_name(enum cpu_state state);
/* Whether the APICs (not the PICs) deliver interrupts. */
bool smp_apic_mode(void);

/* Run fn(arg) on CPU cpu, in an interrupt handler there (interrupts off),
 * and wait until it has run; on the calling CPU it runs at once. 0, or
 * -EINVAL for a CPU that is not online. fn must not block. */
int smp_call_on(unsigned cpu, void (*fn)(void *arg), void *arg);
/* TLB shootdowns done since boot (one per changed kernel page while
 * other CPUs are online). */
uint64_t smp_shootdowns(void);
/* Put the shootdown hook back after a test took it away. */
void smp_restore_shootdown(void);
/* Drop one page from this CPU's TLB (an smp_call_on function). */
void invlpg_page(void *virt);
/* Before a CPU leaves its idle thread (and on each round of its idle
 * loop): drop the whole TLB if a shootdown skipped it while it idled. */
void smp_tlb_catch_up(void);
/* Halt every other CPU with an NMI (a panic's first step); once only. */
void smp_stop_others(void);

#endif
