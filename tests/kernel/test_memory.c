/*
 * test_memory.c - in-kernel checks of the frame allocator, the kernel's own
 * page tables (least privilege, no identity map, guard pages) and the
 * faults that protect them. Should-fault cases pass only when the report on
 * the screen names the fault and its cause.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/vga/cursor.h>
#include <kernel/ktest.h>
#include <kernel/main.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/memory.h>

static unsigned flags_at(uint64_t virt, int *err)
{
    unsigned flags = 0;
    *err = vm_translate(kernel_address_space(), virt, NULL, &flags, NULL);
    return flags;
}

KTEST(kernel_sections_have_least_privilege)
{
    int err;
    unsigned text = flags_at((uintptr_t)&kernel_main, &err);
    KTEST_CHECK_EQ(err, 0);
    KTEST_CHECK_EQ(text, MAP_EXEC); /* read + execute, not writable */
    unsigned rodata = flags_at((uintptr_t)__rodata_start, &err);
    KTEST_CHECK_EQ(err, 0);
    KTEST_CHECK_EQ(rodata, 0); /* read only, not executable */
    unsigned data = flags_at((uintptr_t)__data_start, &err);
    KTEST_CHECK_EQ(err, 0);
    KTEST_CHECK_EQ(data, MAP_WRITE);
    unsigned bss = flags_at((uintptr_t)__bss_end - 1, &err);
    KTEST_CHECK_EQ(err, 0);
    KTEST_CHECK_EQ(bss, MAP_WRITE);
}

KTEST(low_memory_and_boot_code_unmapped)
{
    const struct address_space *as = kernel_address_space();
    static const uint64_t unmapped[] = {0,           PAGE_SIZE, VGA_TEXT_BUFFER_PHYS,
                                        KERNEL_PHYS, 0x200000,  0x3FFFF000};
    for (unsigned i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++)
        KTEST_CHECK(vm_translate(as, unmapped[i], NULL, NULL, NULL) == -ENOENT);
    /* The 32-bit entry code (.boot) is not mapped in the higher half either. */
    KTEST_CHECK(vm_translate(as, KERNEL_VMA + KERNEL_PHYS, NULL, NULL, NULL) == -ENOENT);
    KTEST_CHECK_EQ(read_cr3(), as->root);
}

/* Every usable byte of RAM is in the direct map, writable and not executable. */
KTEST(direct_map_covers_all_usable_memory)
{
    const struct boot_info *info = ktest_boot_info();
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        if (r->type != MEM_USABLE)
            continue;
        uint64_t probes[] = {r->base, r->base + r->length / 2, r->base + r->length - 1};
        for (unsigned p = 0; p < 3; p++) {
            uint64_t phys = 0;
            int err;
            unsigned flags = flags_at(DIRECT_MAP_BASE + probes[p], &err);
            KTEST_CHECK_EQ(err, 0);
            KTEST_CHECK_EQ(flags, MAP_WRITE);
            vm_translate(kernel_address_space(), DIRECT_MAP_BASE + probes[p], &phys, NULL, NULL);
            KTEST_CHECK_EQ(phys, probes[p]);
        }
    }
}

KTEST(frame_statistics_add_up)
{
    struct frame_allocator *fa = kernel_frames();
    struct frame_stats before, during, after;
    frame_get_stats(fa, &before);
    KTEST_CHECK_EQ(before.total, before.free + before.used);
    uint64_t frames[64];
    for (unsigned i = 0; i < 64; i++)
        KTEST_CHECK_EQ(frame_alloc(fa, &frames[i]), 0);
    frame_get_stats(fa, &during);
    KTEST_CHECK_EQ(during.free, before.free - 64);
    KTEST_CHECK_EQ(during.total, during.free + during.used);
    for (unsigned i = 0; i < 64; i++) {
        KTEST_CHECK_EQ(frames[i] % PAGE_SIZE, 0);
        KTEST_CHECK(frames[i] >= 0x100000); /* never the first MiB */
        KTEST_CHECK(frames[i] < ktest_boot_info()->kernel_phys_start ||
                    frames[i] >= ktest_boot_info()->kernel_phys_end);
    }
    for (unsigned i = 0; i < 64; i++)
        KTEST_CHECK_EQ(frame_free(fa, frames[i]), 0);
    frame_get_stats(fa, &after);
    KTEST_CHECK_EQ(after.free, before.free);
    uint64_t again;
    KTEST_CHECK_EQ(frame_alloc(fa, &again), 0);
    KTEST_CHECK_EQ(again, frames[63]); /* freed frames are reused first */
    frame_free(fa, again);
    KTEST_CHECK_EQ(frame_free(fa, 0x1234), -EINVAL);
}

KTEST(map_translate_protect_unmap_in_kernel_space)
{
    struct address_space *as = kernel_address_space();
    uint64_t virt = HEAP_BASE + HEAP_MAX_SIZE - 16 * PAGE_SIZE_2M; /* far from the live heap */
    uint64_t phys;
    KTEST_CHECK_EQ(frame_alloc(kernel_frames(), &phys), 0);
    KTEST_CHECK_EQ(vm_map(as, virt, phys, PAGE_SIZE, MAP_WRITE), 0);
    KTEST_CHECK_EQ(vm_map(as, virt, phys, PAGE_SIZE, MAP_WRITE), -EEXIST);
    *(volatile uint64_t *)(uintptr_t)virt = 0x600DF00D;
    KTEST_CHECK_EQ(*(volatile uint64_t *)phys_to_virt(phys), 0x600DF00D);
    KTEST_CHECK_EQ(vm_protect(as, virt, PAGE_SIZE, 0), 0);
    int err;
    KTEST_CHECK_EQ(flags_at(virt, &err), 0);
    KTEST_CHECK_EQ(vm_unmap(as, virt, PAGE_SIZE), 0);
    KTEST_CHECK_EQ(vm_unmap(as, virt, PAGE_SIZE), -ENOENT);
    KTEST_CHECK(vm_translate(as, virt, NULL, NULL, NULL) == -ENOENT);
    frame_free(kernel_frames(), phys);
}

KTEST_SHOULD_PANIC(writing_to_text_faults,
                   "exception #PF Page Fault|kernel write to a present (protection violation)")
{
    *(volatile uint8_t *)&kernel_main = 0xC3;
}

KTEST_SHOULD_PANIC(reading_address_zero_faults,
                   "exception #PF Page Fault|kernel read from a non-present page, "
                   "cr2=0x0000000000000000|NULL pointer")
{
    volatile uint64_t *null = (volatile uint64_t *)(uintptr_t)0;
    (void)*null;
}

/* A `ret` instruction: executing it where it lies must fault before it runs. */
static volatile uint8_t data_code[16] = {0xC3};

KTEST_SHOULD_PANIC(executing_data_faults,
                   "exception #PF Page Fault|kernel instruction fetch from a present")
{
    ((void (*)(void))(uintptr_t)data_code)();
}

KTEST_SHOULD_PANIC(executing_the_stack_faults,
                   "exception #PF Page Fault|kernel instruction fetch from a present")
{
    volatile uint8_t stack_code[16] = {0xC3};
    ((void (*)(void))(uintptr_t)stack_code)();
}
