/*
 * percpu.c - every CPU's struct cpu_local (see percpu.h).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/percpu.h>
#include <stddef.h>

_Static_assert(offsetof(struct cpu_local, self) == CPU_LOCAL_SELF, "syscall.S offsets");
_Static_assert(offsetof(struct cpu_local, kernel_rsp) == CPU_LOCAL_KERNEL_RSP, "syscall.S offsets");
_Static_assert(offsetof(struct cpu_local, user_rsp) == CPU_LOCAL_USER_RSP, "syscall.S offsets");

struct cpu_local cpu_locals[KEEL_MAX_CPUS];
unsigned cpus_online;

struct cpu_local *cpu_local_of(unsigned id)
{
    return id < KEEL_MAX_CPUS ? &cpu_locals[id] : NULL;
}

void cpu_local_init_ap(unsigned id)
{
    struct cpu_local *cpu = &cpu_locals[id];
    cpu->self = cpu;
    cpu->id = id;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)cpu);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void cpu_local_init(void)
{
    cpu_local_init_ap(0);
}

void cpu_set_kernel_stack(uint64_t top)
{
    gdt_set_kernel_stack(top);
    this_cpu()->kernel_rsp = top;
}
