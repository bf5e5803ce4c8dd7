/*
 * test_boot_state.c - in-kernel checks of the machine state that entry.S
 * and boot/ promise kernel_main: long mode with paging as configured, the
 * higher-half and identity mappings, the boot stack, a zeroed .bss and a
 * normalised struct boot_info.
 */
#include <arch/x86_64/cpu.h>
#include <boot/boot_info.h>
#include <kernel/ktest.h>
#include <kernel/main.h>
#include <mm/layout.h>
#include <mm/paging.h>
#include <mm/stacks.h>

#define MIN_BOOT_STACK (16 * 1024)

extern char __kernel_phys_start[], __kernel_phys_end[];

KTEST(long_mode_and_paging_enabled)
{
    uint64_t efer = rdmsr(MSR_EFER);
    KTEST_CHECK(read_cr0() & CR0_PG);
    KTEST_CHECK(read_cr0() & CR0_WP);
    KTEST_CHECK(read_cr4() & CR4_PAE);
    KTEST_CHECK(efer & EFER_LME);
    KTEST_CHECK(efer & EFER_LMA);
}

KTEST(nx_enabled_when_cpu_has_it)
{
    uint32_t eax, ebx, ecx, edx;
    cpuid(CPUID_EXT_FEATURES, &eax, &ebx, &ecx, &edx);
    bool cpu_has_nx = edx & CPUID_EXT_EDX_NX;
    bool nxe = rdmsr(MSR_EFER) & EFER_NXE;
    KTEST_CHECK_EQ(nxe, cpu_has_nx);
}

static volatile uint32_t alias_probe;

/* A store to a kernel variable must be visible through the direct map of
 * its physical address: both lead to the same memory. */
KTEST(direct_map_and_kernel_image_alias)
{
    uint64_t phys = (uintptr_t)&alias_probe - KERNEL_VMA;
    volatile uint32_t *direct = (volatile uint32_t *)(uintptr_t)(DIRECT_MAP_BASE + phys);
    alias_probe = 0x4B45454C; /* "KEEL" */
    KTEST_CHECK_EQ(*direct, 0x4B45454C);
    *direct = 0x12345678;
    KTEST_CHECK_EQ(alias_probe, 0x12345678);
}

KTEST(kernel_linked_in_higher_half)
{
    KTEST_CHECK_EQ((uintptr_t)__kernel_start, KERNEL_VMA + KERNEL_PHYS);
    KTEST_CHECK((uintptr_t)&kernel_main >= KERNEL_VMA);
    KTEST_CHECK((uintptr_t)__text_start < (uintptr_t)__text_end);
    KTEST_CHECK((uintptr_t)__text_end <= (uintptr_t)__rodata_start);
    KTEST_CHECK((uintptr_t)__rodata_end <= (uintptr_t)__data_start);
    KTEST_CHECK((uintptr_t)__data_end <= (uintptr_t)__bss_start);
    KTEST_CHECK((uintptr_t)__bss_end <= (uintptr_t)__kernel_end);
    KTEST_CHECK_EQ((uintptr_t)__text_start % PAGE_SIZE, 0);
    KTEST_CHECK_EQ((uintptr_t)__rodata_start % PAGE_SIZE, 0);
    KTEST_CHECK_EQ((uintptr_t)__data_start % PAGE_SIZE, 0);
}

KTEST(boot_stack_is_large_enough_and_in_use)
{
    const struct kernel_stack *stack = stack_get(STACK_BOOT);
    uintptr_t rsp = read_rsp();
    KTEST_CHECK(stack->top - stack->bottom >= MIN_BOOT_STACK);
    KTEST_CHECK_EQ(stack->top % 16, 0);
    KTEST_CHECK(rsp >= stack->bottom && rsp < stack->top);
    KTEST_CHECK(rsp >= STACK_REGION_BASE);
}

static uint8_t zero_filled[8192];

KTEST(bss_is_zeroed)
{
    KTEST_CHECK((uintptr_t)zero_filled >= (uintptr_t)__bss_start);
    KTEST_CHECK((uintptr_t)zero_filled + sizeof(zero_filled) <= (uintptr_t)__bss_end);
    for (size_t i = 0; i < sizeof(zero_filled); i++)
        KTEST_CHECK_EQ(zero_filled[i], 0);
}

KTEST(memory_map_is_sorted_disjoint_and_merged)
{
    const struct boot_info *info = ktest_boot_info();
    KTEST_CHECK(info->region_count > 0);
    KTEST_CHECK_EQ(info->regions_dropped, 0);
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        KTEST_CHECK(r->length > 0);
        KTEST_CHECK(r->type >= MEM_USABLE && r->type <= MEM_BAD);
        if (i == 0)
            continue;
        const struct mem_region *prev = &info->regions[i - 1];
        uint64_t prev_end = prev->base + prev->length;
        KTEST_CHECK(prev_end <= r->base);
        KTEST_CHECK(prev_end < r->base || prev->type != r->type);
    }
}

KTEST(kernel_range_is_usable_memory)
{
    const struct boot_info *info = ktest_boot_info();
    KTEST_CHECK_EQ(info->kernel_phys_start, KERNEL_PHYS);
    KTEST_CHECK_EQ(info->kernel_phys_end, (uintptr_t)__kernel_end - KERNEL_VMA);
    bool inside = false;
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        if (r->type == MEM_USABLE && r->base <= info->kernel_phys_start &&
            info->kernel_phys_end <= r->base + r->length)
            inside = true;
    }
    KTEST_CHECK(inside);
}

KTEST(loader_identified)
{
    const struct boot_info *info = ktest_boot_info();
    KTEST_CHECK(info->protocol == BOOT_PROTOCOL_MULTIBOOT1 ||
                info->protocol == BOOT_PROTOCOL_MULTIBOOT2);
    KTEST_CHECK(info->loader_name[0] != '\0');
}
