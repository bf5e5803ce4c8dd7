/*
 * main.c - kernel_main: what the kernel does once it runs in 64-bit C.
 *
 * Say who we are, how we were booted and what memory there is; set up the
 * CPU tables; take over memory (own page tables, then the console buffer,
 * the IST stacks and the running stack move to it); interrupt controllers,
 * timer and input; announce `ready` (the
 * line boot tests and people wait for); then hand over to the shell, which
 * sleeps in hlt whenever there is nothing to do. The test kernel (built
 * with KEEL_KTEST) runs the in-kernel tests instead of the shell.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/percpu.h>
#include <arch/x86_64/pic.h>
#include <arch/x86_64/stack_switch.h>
#include <arch/x86_64/user_mode.h>
#include <boot/boot_info.h>
#include <drivers/acpi/acpi.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/ktest.h>
#include <kernel/main.h>
#include <kernel/panic.h>
#include <kernel/proc/process.h>
#include <kernel/sched/sched.h>
#include <kernel/shell/shell.h>
#include <kernel/smp.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <mm/kheap.h>
#include <mm/layout.h>
#include <mm/memory.h>
#include <mm/stacks.h>

static const char *protocol_name(enum boot_protocol protocol)
{
    switch (protocol) {
    case BOOT_PROTOCOL_MULTIBOOT1:
        return "Multiboot 1";
    case BOOT_PROTOCOL_MULTIBOOT2:
        return "Multiboot 2";
    default:
        return "an unknown protocol";
    }
}

void kernel_print_memory_map(const struct boot_info *info)
{
    kprintf("  %-18s %-18s %10s  %s\n", "start", "end", "size KiB", "type");
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        kprintf("  0x%016llx 0x%016llx %10llu  %s\n", (unsigned long long)r->base,
                (unsigned long long)(r->base + r->length - 1),
                (unsigned long long)(r->length >> 10), mem_type_name(r->type));
    }
}

void kernel_print_boot_summary(const struct boot_info *info)
{
    console_set_color(VGA_LIGHT_CYAN, VGA_BLACK);
    kprintf("%s %s - a small x86_64 kernel\n", KEEL_NAME, KEEL_VERSION);
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    kprintf("boot: %s via %s\n", protocol_name(info->protocol),
            info->loader_name[0] ? info->loader_name : "an unnamed loader");
    if (info->command_line[0])
        kprintf("command line: %s\n", info->command_line);
    kprintf("kernel: physical %#llx-%#llx (%llu KiB)\n",
            (unsigned long long)info->kernel_phys_start,
            (unsigned long long)info->kernel_phys_end - 1,
            (unsigned long long)(info->kernel_phys_end - info->kernel_phys_start) >> 10);
    for (size_t i = 0; i < info->module_count; i++) {
        const struct boot_module *m = &info->modules[i];
        kprintf("module: %#llx-%#llx (%llu KiB) %s\n", (unsigned long long)m->phys_start,
                (unsigned long long)m->phys_end - 1,
                (unsigned long long)((m->phys_end - m->phys_start + 1023) >> 10), m->command_line);
    }
    if (info->modules_dropped)
        kprintf("module: %zu more modules not kept (at most %d)\n", info->modules_dropped,
                BOOT_INFO_MAX_MODULES);
    kprintf("Memory: %llu MiB detected\n",
            (unsigned long long)(boot_info_usable_bytes(info) >> 20));
    kernel_print_memory_map(info);
}

static const struct boot_info *boot_info;

const struct boot_info *kernel_boot_info(void)
{
    return boot_info;
}

static void print_memory_summary(void)
{
    struct frame_stats stats;
    frame_get_stats(kernel_frames(), &stats);
    kprintf("memory: %llu MiB in %llu frames free of %llu; own page tables active, no identity "
            "map\n",
            (unsigned long long)(stats.free * PAGE_SIZE >> 20), (unsigned long long)stats.free,
            (unsigned long long)stats.total);
    struct kheap_stats heap;
    kheap_get_stats(&heap);
    kprintf("heap: %zu KiB mapped at %#llx, grows on demand\n", heap.mapped_bytes >> 10,
            (unsigned long long)HEAP_BASE);
}

/* The interrupt controllers, the timer and input, then interrupts on. */
static void init_interrupts(void)
{
    pic_init();
    timer_init();
    input_init();
    cpu_enable_interrupts(); /* smp_init prints the line: it picks the controller */
}

#ifndef KEEL_KTEST
static void *shell_thread(void *unused)
{
    (void)unused;
    console_set_color(VGA_LIGHT_GREEN, VGA_BLACK);
    kprintf("Keel is ready. Type help for the commands (keyboard or serial line).\n");
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    shell_run();
}

/* The shell in a thread of its own, at interactive priority: a key wakes
 * it ahead of any CPU-bound work. */
static void start_shell(void)
{
    struct thread *shell = thread_create("shell", shell_thread, NULL, PRIORITY_INTERACTIVE);
    if (!shell)
        panic("cannot start the shell: %s", error_name(thread_last_error()));
    thread_protect(shell);
    thread_detach(shell);
}
#endif

/* The rest of start-up, on the kernel's own stack and page tables. */
static __attribute__((noreturn)) void kernel_continue(void)
{
    kheap_init();
    print_memory_summary();
    acpi_init(boot_info->regions, boot_info->region_count, &boot_info->rsdp);
    init_interrupts();
    sched_init(); /* from here on this flow is the thread "main" */
    irq_set_exit_hook(sched_interrupt_exit);
    smp_init(boot_info);
    process_init(boot_info);
#ifdef KEEL_KTEST
    ktest_main(boot_info);
#else
    start_shell();
    thread_reap_forever(); /* main's last job: free the threads that end */
#endif
}

/* The kernel's own page tables, then everything that pointed into the boot
 * mapping moves: the console's VGA buffer (or its framebuffer is mapped),
 * the IST stacks, the stack we run on. Nothing may print between the switch
 * and console_remap. */
static __attribute__((noreturn)) void take_over_memory(const struct boot_info *info)
{
    uint64_t lost = memory_init(info);
    console_remap();
    if (lost)
        kprintf("memory: %llu frames beyond the allocator's range table left unused\n",
                (unsigned long long)lost);
    gdt_set_ist_stack(IST_DOUBLE_FAULT, stack_get(STACK_DOUBLE_FAULT)->top);
    gdt_set_ist_stack(IST_NMI, stack_get(STACK_NMI)->top);
    gdt_set_ist_stack(IST_MACHINE_CHECK, stack_get(STACK_MACHINE_CHECK)->top);
    switch_stack(stack_get(STACK_BOOT)->top, kernel_continue);
}

void kernel_main(const struct boot_info *info)
{
    boot_info = info;
    kernel_print_boot_summary(info);
    gdt_init(); /* CPU tables first: from here on, faults are reported */
    idt_init();
    user_mode_init();
    take_over_memory(info);
}
