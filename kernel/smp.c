/*
 * smp.c - from one CPU to all of them (see smp.h).
 *
 * Start-up of an application processor (Intel SDM vol. 3A, 9.4.4.1, the
 * "INIT-SIPI-SIPI" sequence), one AP at a time:
 *
 *   boot CPU                                 AP
 *   fill ap_start_params (stack, entry, n)
 *   INIT IPI, wait 10 ms  ---------------->  reset, waits for a SIPI
 *   start-up IPI (vector 0x08)  ---------->  real mode at 0x8000 (ap_trampoline.S)
 *   wait 200 us; again if it has not         protected mode, PAE, start-up CR3,
 *   said "started"                           EFER.LME, paging, 64-bit: "started"
 *   wait for "online" (up to 1 s)            ap_entry: kernel CR3, its own GDT, TSS
 *                                            and IST stacks, IDT, GS, syscall MSRs,
 *                                            local APIC, timer: "online", then the
 *                                            scheduler's idle loop on this CPU
 *
 * An AP that does not say "started" within a second is reported and left
 * out; booting goes on with the next. Interrupt routing: every ISA line the
 * kernel uses goes through the I/O APIC to the boot CPU, on vector 48 +
 * IRQ, with the MADT's override (GSI, polarity, trigger) where it gives
 * one; the 8259 PICs are then masked. Each CPU's local APIC timer is its
 * one-shot (kernel/timer.c); LINT0 (the PICs' virtual wire) is masked and
 * LINT1 is the NMI input where the MADT says so.
 */
#include <arch/x86_64/ap_start.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/percpu.h>
#include <arch/x86_64/user_mode.h>
#include <drivers/acpi/acpi.h>
#include <kernel/console.h>
#include <kernel/panic.h>
#include <kernel/sched/sched.h>
#include <kernel/smp.h>
#include <kernel/timer.h>
#include <kernel/watchdog.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/memory.h>
#include <mm/paging.h>

#define INIT_WAIT_NS     10000000ull   /* 10 ms after INIT (SDM 9.4.4.1) */
#define SIPI_WAIT_NS     200000ull     /* 200 us after each start-up IPI */
#define ANSWER_WAIT_NS   1000000000ull /* how long an AP may take to say "started" */
#define ONLINE_WAIT_NS   1000000000ull /* and then to be online */
#define AP_STACK_SIZE    (16 * 1024)
#define AP_IST_SIZE      (8 * 1024)
#define IST_SLOTS        3
#define TABLE_PRESENT    0x1ull
#define TABLE_WRITABLE   0x2ull
#define TABLE_HUGE       0x80ull
#define PML4_KERNEL_HALF 256

static struct cpu_info cpus[KEEL_MAX_CPUS] = {[0] = {.state = CPU_ONLINE}}; /* the boot CPU */
static unsigned cpu_count = 1;
static bool apic_mode;
static bool x2apic;
static volatile uint32_t *lapic_mmio;
static const struct madt_info *madt;
static uint64_t boot_cr4, boot_pat;
static const struct kernel_stack *ap_boot_stacks[KEEL_MAX_CPUS];
static uintptr_t ap_ist_tops[KEEL_MAX_CPUS][IST_SLOTS];
static char stack_names[KEEL_MAX_CPUS][IST_SLOTS + 1][16];

/* Set by the boot CPU when it gives up on an AP: if that AP wakes later
 * after all, it halts instead of joining. */
static volatile bool given_up[KEEL_MAX_CPUS];
static uint64_t shootdowns;

unsigned smp_cpu_count(void)
{
    return cpu_count;
}

static bool is_online(unsigned cpu);

unsigned smp_cpus_online(void)
{
    unsigned count = 0;
    for (unsigned cpu = 0; cpu < cpu_count; cpu++)
        count += is_online(cpu);
    return count;
}

bool smp_apic_mode(void)
{
    return apic_mode;
}

bool smp_cpu_info(unsigned cpu, struct cpu_info *out)
{
    if (cpu >= cpu_count)
        return false;
    *out = cpus[cpu];
    return true;
}

const char *cpu_state_name(enum cpu_state state)
{
    switch (state) {
    case CPU_STARTING:
        return "starting";
    case CPU_ONLINE:
        return "online";
    case CPU_FAILED:
        return "failed";
    default:
        return "absent";
    }
}

static void wait_ns(uint64_t ns)
{
    uint64_t end = timer_now_ns() + ns;
    while (timer_now_ns() < end)
        cpu_relax();
}

/* The MADT's NMI inputs that apply to the CPU with ACPI uid `uid`. */
static void set_nmi_inputs(uint32_t uid)
{
    for (size_t i = 0; i < madt->nmi_count; i++)
        if (madt->nmis[i].uid == MADT_UID_ALL_CPUS || madt->nmis[i].uid == uid)
            lapic_set_lint_nmi(madt->nmis[i].lint, madt->nmis[i].flags);
}

static uint32_t uid_of(uint32_t apic_id)
{
    for (size_t i = 0; i < madt->cpu_count; i++)
        if (madt->cpus[i].apic_id == apic_id)
            return madt->cpus[i].uid;
    return MADT_UID_ALL_CPUS - 1; /* matches only the "every CPU" entries */
}

/* irq_use_apic's router: ISA line irq to the boot CPU on vector 48 + irq. */
static bool route_isa_irq(unsigned irq)
{
    uint32_t gsi;
    uint16_t flags;
    madt_isa_irq(madt, (uint8_t)irq, &gsi, &flags);
    bool level = (flags & MADT_TRIGGER_MASK) == MADT_TRIGGER_LEVEL;
    bool low = (flags & MADT_POLARITY_MASK) == MADT_POLARITY_LOW;
    return ioapic_route(gsi, (uint8_t)(APIC_IRQ_VECTOR_BASE + irq), cpus[0].apic_id, level, low);
}

static bool setup_ioapics(void)
{
    for (size_t i = 0; i < madt->ioapic_count; i++) {
        void *mmio;
        int err =
            memory_map_device(madt->ioapics[i].phys, PAGE_SIZE, MAP_WRITE | MAP_NOCACHE, &mmio);
        if (err) {
            kprintf("smp: cannot map the I/O APIC at %#x (%s)\n", madt->ioapics[i].phys,
                    error_name(err));
            continue;
        }
        ioapic_add(mmio, madt->ioapics[i].gsi_base);
    }
    return ioapic_count() > 0;
}

/* ------------------------------------------------------------ calls on other CPUs */

/* One mailbox per CPU: a function another CPU wants run there, in the
 * handler of VECTOR_IPI_CALL. A CPU that waits (for a mailbox to be free,
 * or for its call to be done) empties its own mailbox meanwhile, so two
 * CPUs calling each other with interrupts off cannot deadlock. */
struct mailbox {
    volatile uint32_t busy; /* a sender owns it */
    void (*fn)(void *arg);
    void *arg;
    volatile uint32_t pending; /* filled, not yet run */
};

static struct mailbox mailboxes[KEEL_MAX_CPUS];

static void run_my_mailbox(void)
{
    struct mailbox *m = &mailboxes[this_cpu()->id];
    if (!__atomic_load_n(&m->pending, __ATOMIC_ACQUIRE))
        return;
    m->fn(m->arg);
    __atomic_store_n(&m->pending, 0, __ATOMIC_RELEASE);
}

static void call_interrupt(void)
{
    run_my_mailbox();
}

void (*spin_wait_poll)(void);

/* Post fn(arg) to cpu's mailbox and interrupt it. */
static void post(unsigned cpu, void (*fn)(void *), void *arg)
{
    struct mailbox *m = &mailboxes[cpu];
    while (__atomic_exchange_n(&m->busy, 1, __ATOMIC_ACQUIRE)) {
        run_my_mailbox();
        cpu_relax();
    }
    m->fn = fn;
    m->arg = arg;
    __atomic_store_n(&m->pending, 1, __ATOMIC_RELEASE);
    lapic_send_ipi(cpus[cpu].apic_id, VECTOR_IPI_CALL);
}

/* Wait until cpu has run what was posted to it, then free its mailbox. */
static void wait_done(unsigned cpu)
{
    struct mailbox *m = &mailboxes[cpu];
    while (__atomic_load_n(&m->pending, __ATOMIC_ACQUIRE)) {
        run_my_mailbox();
        cpu_relax();
    }
    __atomic_store_n(&m->busy, 0, __ATOMIC_RELEASE);
}

static bool is_online(unsigned cpu)
{
    return cpu < cpu_count && __atomic_load_n(&cpus[cpu].state, __ATOMIC_ACQUIRE) == CPU_ONLINE;
}

int smp_call_on(unsigned cpu, void (*fn)(void *arg), void *arg)
{
    if (!is_online(cpu))
        return -EINVAL;
    if (cpu == this_cpu()->id) {
        uint64_t flags = cpu_save_and_disable_interrupts();
        fn(arg);
        cpu_restore_interrupts(flags);
        return 0;
    }
    post(cpu, fn, arg);
    wait_done(cpu);
    return 0;
}

static void drop_page(void *virt)
{
    invlpg((uintptr_t)virt);
}

/* A CPU running its idle thread is lazy: it touches no kernel page that
 * can be unmapped (thread stacks are the only kernel pages that ever are)
 * until it switches to a thread. So instead of an IPI it gets a flag, and
 * drops its whole TLB, global entries too, before that switch
 * (smp_tlb_catch_up, called by the scheduler). Both sides write their
 * flag, then read the other's, in sequentially consistent order: either
 * the shooting CPU sees the thread and sends the IPI, or the switching CPU
 * sees the flag and flushes (or both). */
static volatile bool flush_due[KEEL_MAX_CPUS];

static void flush_everything(void)
{
    uint64_t cr4 = read_cr4();
    if (cr4 & CR4_PGE) {
        write_cr4(cr4 & ~CR4_PGE); /* clearing PGE drops every entry, global ones too */
        write_cr4(cr4);
    } else
        write_cr3(read_cr3());
}

void smp_tlb_catch_up(void)
{
    unsigned me = this_cpu()->id;
    if (__atomic_load_n(&flush_due[me], __ATOMIC_SEQ_CST) &&
        __atomic_exchange_n(&flush_due[me], false, __ATOMIC_SEQ_CST))
        flush_everything();
}

/* memory_set_shootdown's hook: every other online CPU drops virt too. */
static void shootdown(uint64_t virt)
{
    unsigned me = this_cpu()->id;
    uint32_t sent = 0; /* one bit per CPU posted to */
    for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
        if (cpu == me || !is_online(cpu))
            continue;
        __atomic_store_n(&flush_due[cpu], true, __ATOMIC_SEQ_CST);
        if (sched_cpu_is_idle(cpu))
            continue; /* lazy: it flushes before it runs a thread */
        post(cpu, drop_page, (void *)(uintptr_t)virt);
        sent |= 1u << cpu;
    }
    for (unsigned cpu = 0; cpu < cpu_count; cpu++)
        if (sent & (1u << cpu))
            wait_done(cpu);
    __atomic_fetch_add(&shootdowns, 1, __ATOMIC_RELAXED);
}

uint64_t smp_shootdowns(void)
{
    return shootdowns;
}

void smp_restore_shootdown(void)
{
    if (cpu_count > 1)
        memory_set_shootdown(shootdown);
}

void invlpg_page(void *virt)
{
    invlpg((uintptr_t)virt);
}

/* ------------------------------------------------------------ stopping every CPU */

static volatile bool stopping;

/* The NMI hook: when a CPU panics, every other one halts here for good. */
static bool stop_requested(struct interrupt_frame *f)
{
    if (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
        return watchdog_nmi(f->rip, f->rbp);
    cpu_halt_forever();
}

void smp_stop_others(void)
{
    if (smp_cpus_online() < 2 || __atomic_exchange_n(&stopping, true, __ATOMIC_ACQ_REL))
        return;
    lapic_send_nmi_others();
}

/* ------------------------------------------------------------ application processors */

/* Where an AP's C code starts, on its boot stack, with the start-up page
 * tables still in CR3 and interrupts off. */
static __attribute__((noreturn)) void ap_entry(uint64_t cpu)
{
    write_cr3(kernel_address_space()->root);
    if (given_up[cpu])
        cpu_halt_forever();
    if (boot_pat)
        wrmsr(MSR_PAT, boot_pat);
    write_cr4(boot_cr4);
    gdt_init_ap((unsigned)cpu, ap_ist_tops[cpu]);
    idt_load();
    cpu_local_init_ap((unsigned)cpu);
    user_mode_init_cpu();
    lapic_enable(x2apic, lapic_mmio);
    set_nmi_inputs(uid_of(lapic_id()));
    timer_init_ap();
    cpus[cpu].online_since_ns = timer_now_ns();
    __atomic_store_n(&cpus[cpu].state, CPU_ONLINE, __ATOMIC_RELEASE);
    sched_start_ap(ap_boot_stacks[cpu]); /* this flow becomes the CPU's idle thread */
}

/* The four start-up pages: the trampoline, and page tables that map the
 * first 2 MiB one to one beside the kernel's half. False if that memory is
 * not free RAM. */
static bool prepare_trampoline(const struct boot_info *info)
{
    uint64_t start = AP_TRAMPOLINE_PHYS, end = start + AP_TRAMPOLINE_PAGES * PAGE_SIZE;
    bool free_ram = false;
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        if (r->type == MEM_USABLE && r->base <= start && r->base + r->length >= end)
            free_ram = true;
    }
    if (!free_ram)
        return false;
    size_t code = (size_t)(ap_trampoline_end - ap_trampoline_start);
    memcpy(phys_to_virt(start), ap_trampoline_start, code);
    uint64_t *pml4 = phys_to_virt(start + PAGE_SIZE);
    uint64_t *pdpt = phys_to_virt(start + 2 * PAGE_SIZE);
    uint64_t *pd = phys_to_virt(start + 3 * PAGE_SIZE);
    const uint64_t *kernel_pml4 = phys_to_virt(kernel_address_space()->root);
    memset(pml4, 0, 3 * PAGE_SIZE);
    for (unsigned i = PML4_KERNEL_HALF; i < PAGE_TABLE_ENTRIES; i++)
        pml4[i] = kernel_pml4[i];
    pml4[0] = (start + 2 * PAGE_SIZE) | TABLE_PRESENT | TABLE_WRITABLE;
    pdpt[0] = (start + 3 * PAGE_SIZE) | TABLE_PRESENT | TABLE_WRITABLE;
    pd[0] = 0 | TABLE_PRESENT | TABLE_WRITABLE | TABLE_HUGE;
    return true;
}

static struct ap_start_params *trampoline_params(void)
{
    return phys_to_virt(AP_TRAMPOLINE_PHYS +
                        (uint64_t)(ap_trampoline_params - ap_trampoline_start));
}

/* The AP's boot stack (its idle thread's, later) and IST stacks. */
static int make_stacks(unsigned cpu)
{
    static const char *const kinds[IST_SLOTS + 1] = {"idle", "#DF", "NMI", "#MC"};
    for (unsigned i = 0; i <= IST_SLOTS; i++) {
        char *name = stack_names[cpu][i];
        strlcpy(name, kinds[i], sizeof(stack_names[cpu][i]));
        size_t len = strlen(name);
        name[len] = (char)('0' + cpu / 10 % 10);
        name[len + 1] = (char)('0' + cpu % 10);
        name[len + 2] = '\0';
        const struct kernel_stack *stack;
        int err = memory_stack_create(name, i == 0 ? AP_STACK_SIZE : AP_IST_SIZE, &stack);
        if (err)
            return err;
        if (i == 0)
            ap_boot_stacks[cpu] = stack;
        else
            ap_ist_tops[cpu][i - 1] = stack->top;
    }
    return 0;
}

static bool wait_for(volatile uint64_t *flag, uint64_t ns)
{
    uint64_t end = timer_now_ns() + ns;
    while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
        if (timer_now_ns() >= end)
            return false;
        cpu_relax();
    }
    return true;
}

static bool start_ap(unsigned cpu)
{
    struct ap_start_params *params = trampoline_params();
    uint32_t apic_id = cpus[cpu].apic_id;
    int err = make_stacks(cpu);
    if (err) {
        kprintf("smp: CPU %u (APIC id %u): no stacks (%s); left out\n", cpu, apic_id,
                error_name(err));
        return false;
    }
    params->cr3 = AP_TRAMPOLINE_PHYS + PAGE_SIZE;
    params->stack = ap_boot_stacks[cpu]->top;
    params->entry = (uint64_t)(uintptr_t)ap_entry;
    params->cpu = cpu;
    __atomic_store_n(&params->started, 0, __ATOMIC_RELEASE);
    cpus[cpu].state = CPU_STARTING;

    bool sent = lapic_send_init(apic_id);
    wait_ns(INIT_WAIT_NS);
    for (int sipi = 0; sipi < 2 && sent; sipi++) {
        sent = lapic_send_startup(apic_id, AP_STARTUP_VECTOR);
        wait_ns(SIPI_WAIT_NS);
        if (__atomic_load_n(&params->started, __ATOMIC_ACQUIRE))
            break;
    }
    uint64_t begin = timer_now_ns();
    if (!sent || !wait_for(&params->started, ANSWER_WAIT_NS)) {
        given_up[cpu] = true;
        cpus[cpu].state = CPU_FAILED;
        kprintf("smp: CPU %u (APIC id %u) did not answer %s; left out\n", cpu, apic_id,
                sent ? "its start-up IPIs" : "(the IPI was never sent)");
        return false;
    }
    while (__atomic_load_n(&cpus[cpu].state, __ATOMIC_ACQUIRE) != CPU_ONLINE) {
        if (timer_now_ns() - begin > ONLINE_WAIT_NS) {
            given_up[cpu] = true;
            cpus[cpu].state = CPU_FAILED;
            kprintf("smp: CPU %u (APIC id %u) started but never came online; left out\n", cpu,
                    apic_id);
            return false;
        }
        cpu_relax();
    }
    return true;
}

/* The scheduler's kick: make that CPU look at the run queue. */
static void kick(unsigned cpu)
{
    lapic_send_ipi(cpus[cpu].apic_id, VECTOR_IPI_KICK);
}

/* Before the first AP starts: everything by which CPUs reach each other. */
static void install_cross_cpu_hooks(void)
{
    interrupt_install_local(VECTOR_IPI_CALL, call_interrupt);
    interrupt_install_local(VECTOR_IPI_KICK, sched_kick_received);
    exception_set_nmi_hook(stop_requested);
    memory_set_shootdown(shootdown);
    spin_wait_poll = run_my_mailbox;
    sched_set_kick(kick);
    panic_set_stop_others(smp_stop_others);
}

/* How many CPUs the command line allows (a word `cpus=N`), else KEEL_MAX_CPUS. */
static unsigned cpu_limit(const struct boot_info *info)
{
    static const char key[] = "cpus=";
    const char *line = info->command_line;
    for (const char *p = line; *p; p++) {
        if ((p != line && p[-1] != ' ') || strncmp(p, key, sizeof(key) - 1) != 0)
            continue;
        unsigned n = 0;
        for (p += sizeof(key) - 1; *p >= '0' && *p <= '9' && n < 1000; p++)
            n = n * 10 + (unsigned)(*p - '0');
        return n == 0 ? 1 : n < KEEL_MAX_CPUS ? n : KEEL_MAX_CPUS;
    }
    return KEEL_MAX_CPUS;
}

void smp_init(const struct boot_info *info)
{
    enum acpi_status status = acpi_madt(&madt);
    if (status != ACPI_OK || !lapic_present()) {
        timer_print_line();
        kprintf("interrupts: 8259 PICs at vectors %d-%d, IST for #DF/NMI/#MC; one CPU (%s)\n",
                IRQ_VECTOR_BASE, IRQ_VECTOR_BASE + IRQ_COUNT - 1,
                status != ACPI_OK ? acpi_status_name(status) : "no local APIC");
        return;
    }
    x2apic = lapic_x2apic_supported();
    if (!x2apic) {
        void *mmio;
        int err = memory_map_device(madt->lapic_phys, PAGE_SIZE, MAP_WRITE | MAP_NOCACHE, &mmio);
        if (err) {
            timer_print_line();
            kprintf("interrupts: 8259 PICs, IST for #DF/NMI/#MC; one CPU (local APIC at %#llx: "
                    "%s)\n",
                    (unsigned long long)madt->lapic_phys, error_name(err));
            return;
        }
        lapic_mmio = mmio;
    }
    uint64_t flags = cpu_save_and_disable_interrupts();
    lapic_enable(x2apic, lapic_mmio);
    cpus[0].apic_id = lapic_id();
    set_nmi_inputs(uid_of(cpus[0].apic_id));
    cpu_restore_interrupts(flags);
    timer_use_lapic();
    if (setup_ioapics()) {
        flags = cpu_save_and_disable_interrupts();
        irq_use_apic(route_isa_irq);
        apic_mode = true;
        cpu_restore_interrupts(flags);
    }
    timer_print_line();

    unsigned limit = cpu_limit(info);
    boot_cr4 = read_cr4();
    uint32_t a, b, c, d;
    cpuid(CPUID_FEATURES, &a, &b, &c, &d);
    boot_pat = (d & CPUID_EDX_PAT) ? rdmsr(MSR_PAT) : 0;
    bool trampoline = false;
    for (size_t i = 0; i < madt->cpu_count; i++) {
        if (madt->cpus[i].apic_id == cpus[0].apic_id || !madt->cpus[i].enabled)
            continue;
        if (cpu_count == limit) {
            kprintf("smp: CPU with APIC id %u not started (limit %u)\n", madt->cpus[i].apic_id,
                    limit);
            continue;
        }
        if (!trampoline && !(trampoline = prepare_trampoline(info))) {
            kprintf("smp: memory at %#x is not free RAM: no other CPU started\n",
                    AP_TRAMPOLINE_PHYS);
            break;
        }
        if (!timer_lapic_hz()) {
            kprintf("smp: the local APIC timer does not count: no other CPU started\n");
            break;
        }
        if (cpu_count == 1)
            install_cross_cpu_hooks();
        unsigned cpu = cpu_count++;
        cpus[cpu].apic_id = madt->cpus[i].apic_id;
        start_ap(cpu);
    }
    kprintf("interrupts: %s + %s, IST for #DF/NMI/#MC; %u of %zu CPUs online\n",
            x2apic ? "x2APIC" : "xAPIC", apic_mode ? "I/O APIC (PICs masked)" : "8259 PICs",
            smp_cpus_online(), madt->cpu_count);
}
