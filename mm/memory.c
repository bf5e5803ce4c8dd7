/*
 * memory.c - the kernel takes over its memory.
 *
 * Runs once, early: builds the frame allocator from the memory map, then a
 * fresh set of page tables in which
 *   - all RAM (usable and ACPI regions) and the first MiB (BIOS data, VGA
 *     text buffer) appear at DIRECT_MAP_BASE + phys, read-write, no-execute,
 *     with 2 MiB pages wherever alignment allows;
 *   - the kernel image appears at KERNEL_VMA + phys section by section:
 *     .text read+execute, .rodata read-only, .data and .bss read-write, both
 *     no-execute (the 32-bit .boot code is no longer mapped at all);
 *   - every kernel stack gets its own slot in the stack region, with the
 *     slot's lowest page left unmapped as a guard;
 *   - nothing else: no identity mapping, so page 0 and every low address
 *     fault.
 * CR0.WP (set by entry.S) makes read-only pages read-only for the kernel
 * too, EFER.NXE makes the NX bit count.
 *
 * While the new tables are built, page-table frames are reached through the
 * boot mapping of the first GiB (frames are handed out in ascending order,
 * so the first ones are low); from the switch on, through the direct map.
 */
#include <arch/x86_64/cpu.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/memory.h>
#include <mm/stacks.h>

#define LOW_MEMORY_END 0x100000ull /* the first MiB: BIOS data, VGA, option ROMs */

uint64_t phys_window_base = KERNEL_VMA;

static struct frame_allocator frames;
static struct address_space kernel_space;

static void *window(uint64_t phys)
{
    if (phys_window_base == KERNEL_VMA && phys >= BOOT_MAPPED_BYTES)
        panic("frame 0x%llx is beyond the boot mapping", (unsigned long long)phys);
    return phys_to_virt(phys);
}

static int alloc_table(uint64_t *phys)
{
    return frame_alloc(&frames, phys);
}

static void free_table(uint64_t phys)
{
    frame_free(&frames, phys);
}

/* Set by kernel/smp.c once other CPUs run: they drop the entry too. */
static void (*invalidate_others)(uint64_t virt);

void memory_set_shootdown(void (*hook)(uint64_t virt))
{
    invalidate_others = hook;
}

/* A mapping changed. In the kernel half every CPU may cache it (kernel
 * pages are global, and every address space shares that half), so the
 * other CPUs drop it too. A process's lower half is cached only by the CPU
 * that runs its one thread: a CPU that ran it before has switched CR3
 * since, which dropped those (non-global) entries. */
static void invalidate(uint64_t virt)
{
    invlpg((uintptr_t)virt);
    if (invalidate_others && virt >= DIRECT_MAP_BASE)
        invalidate_others(virt);
}

static const struct page_table_ops kernel_table_ops = {
    .phys_to_virt = window,
    .alloc_table = alloc_table,
    .free_table = free_table,
    .invalidate = invalidate,
};

struct frame_allocator *kernel_frames(void)
{
    return &frames;
}

struct address_space *kernel_address_space(void)
{
    return &kernel_space;
}

static void map_or_panic(uint64_t virt, uint64_t phys, uint64_t length, unsigned flags,
                         const char *what)
{
    int err = vm_map_range(&kernel_space, virt, phys, length, flags);
    if (err)
        panic("cannot map %s (0x%llx, %llu KiB): %s", what, (unsigned long long)virt,
              (unsigned long long)(length >> 10), error_name(err));
}

static bool is_ram(enum mem_type type)
{
    return type == MEM_USABLE || type == MEM_ACPI_RECLAIMABLE || type == MEM_ACPI_NVS;
}

static void map_direct(const struct boot_info *info)
{
    map_or_panic(DIRECT_MAP_BASE, 0, LOW_MEMORY_END, MAP_WRITE, "the first MiB");
    for (size_t i = 0; i < info->region_count; i++) {
        const struct mem_region *r = &info->regions[i];
        if (!is_ram(r->type))
            continue;
        uint64_t start = r->base & ~(PAGE_SIZE - 1),
                 end = (r->base + r->length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        if (start < LOW_MEMORY_END)
            start = LOW_MEMORY_END;
        if (start < end)
            map_or_panic(DIRECT_MAP_BASE + start, start, end - start, MAP_WRITE, "RAM");
    }
}

/* Make PAT entry 1 write-combining (arch/x86_64/cpu_bits.h, PAT_KEEL) before
 * any mapping uses it; without a PAT the entry stays write-through, which
 * a framebuffer that is never read back tolerates. Only entries no page
 * table uses yet change, and the switch of CR3 flushes the TLB after. */
static void set_memory_types(void)
{
    uint32_t eax, ebx, ecx, edx;

    cpuid(CPUID_FEATURES, &eax, &ebx, &ecx, &edx);
    if (edx & CPUID_EDX_PAT)
        wrmsr(MSR_PAT, PAT_KEEL);
}

/* Bytes of physical address space the direct map's PML4 entries cover
 * (fix_kernel_half): RAM, and devices up to there. */
static uint64_t direct_map_span;

int memory_map_device(uint64_t phys, uint64_t length, unsigned flags, void **virt)
{
    uint64_t start = phys & ~(PAGE_SIZE - 1);
    uint64_t end = (phys + length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

    if (length == 0 || end < start || end > direct_map_span)
        return -EINVAL;
    int err = vm_map_range(&kernel_space, DIRECT_MAP_BASE + start, start, end - start,
                           flags & (MAP_WRITE | MAP_NOCACHE | MAP_WRITE_COMBINE));
    if (err)
        return err;
    *virt = (void *)(uintptr_t)(DIRECT_MAP_BASE + phys);
    return 0;
}

static void map_section(const char *start, const char *end, unsigned flags, const char *name)
{
    uint64_t virt = (uintptr_t)start & ~(PAGE_SIZE - 1);
    uint64_t length = (((uintptr_t)end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)) - virt;
    map_or_panic(virt, virt - KERNEL_VMA, length, flags, name);
}

static void map_kernel_image(void)
{
    map_section(__text_start, __text_end, MAP_EXEC, ".text");
    map_section(__rodata_start, __rodata_end, 0, ".rodata");
    map_section(__data_start, __kernel_end, MAP_WRITE, ".data and .bss");
}

/* Unmap pages mapped by map_new_pages and free their frames. */
static void unmap_pages(uint64_t virt, uint64_t pages)
{
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t mapped;
        if (vm_translate(&kernel_space, virt + i * PAGE_SIZE, &mapped, NULL, NULL) != 0)
            continue;
        vm_unmap(&kernel_space, virt + i * PAGE_SIZE, PAGE_SIZE);
        frame_free(&frames, mapped);
    }
}

static int map_new_pages(uint64_t virt, uint64_t pages)
{
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t phys;
        int err = frame_alloc(&frames, &phys);
        if (!err) {
            memset(kernel_space.ops->phys_to_virt(phys), 0, PAGE_SIZE);
            err = vm_map(&kernel_space, virt + i * PAGE_SIZE, phys, PAGE_SIZE, MAP_WRITE);
            if (err)
                frame_free(&frames, phys);
        }
        if (err) {
            unmap_pages(virt, i);
            return err;
        }
    }
    return 0;
}

/* Frames and page tables are shared by every thread: one lock, taken
 * with interrupts off, around each change (heap growth nests inside the
 * heap's own lock, always in that order). */
static struct spinlock memory_lock = SPINLOCK_INIT("memory_lock");

int memory_map_new_pages(uint64_t virt, uint64_t pages)
{
    uint64_t flags = spin_lock_irqsave(&memory_lock);
    int err = map_new_pages(virt, pages);
    spin_unlock_irqrestore(&memory_lock, flags);
    return err;
}

int memory_stack_create(const char *name, uint64_t size, const struct kernel_stack **out)
{
    uint64_t flags = spin_lock_irqsave(&memory_lock);
    int slot = stack_slot_reserve(name);
    int err = slot < 0 ? -ENOMEM : 0;
    if (!err) {
        uint64_t guard = stack_slot_base((unsigned)slot), bottom = guard + PAGE_SIZE;
        err = map_new_pages(bottom, size / PAGE_SIZE);
        if (err)
            stack_slot_release((unsigned)slot);
        else
            *stack_slot((unsigned)slot) = (struct kernel_stack){
                .name = name, .guard = guard, .bottom = bottom, .top = bottom + size};
        if (!err)
            *out = stack_slot((unsigned)slot);
    }
    spin_unlock_irqrestore(&memory_lock, flags);
    return err;
}

void memory_stack_destroy(const struct kernel_stack *stack)
{
    uint64_t bottom = stack->bottom, pages = (stack->top - stack->bottom) / PAGE_SIZE;
    unsigned slot = (unsigned)((stack->guard - STACK_REGION_BASE) / KERNEL_STACK_SLOT);
    uint64_t flags = spin_lock_irqsave(&memory_lock);
    unmap_pages(bottom, pages); /* each page shot down on the other CPUs (invalidate) */
    stack_slot_release(slot);
    spin_unlock_irqrestore(&memory_lock, flags);
}

/* Each stack in its slot: guard page (left unmapped), then the stack. */
static void create_stacks(void)
{
    for (unsigned id = 0; id < STACK_COUNT; id++) {
        uint64_t guard = STACK_REGION_BASE + (uint64_t)id * KERNEL_STACK_SLOT;
        uint64_t bottom = guard + PAGE_SIZE, size = stack_size(id);
        int err = memory_map_new_pages(bottom, size / PAGE_SIZE);
        if (err)
            panic("cannot create the %s: %s", stack_name(id), error_name(err));
        stack_register(id, guard, bottom, bottom + size);
    }
}

/* Give the PML4 entries the kernel will ever use their tables now, so that
 * the upper half never changes at the top level: every process's PML4 then
 * shares it by copying those 256 entries once. Used: the direct map up to
 * the end of RAM or 4 GiB (devices), whichever is higher; the heap; the
 * stack region; the kernel image (mapped already). */
static void fix_kernel_half(const struct boot_info *info)
{
    uint64_t top = 1ull << 32;
    for (size_t i = 0; i < info->region_count; i++)
        if (info->regions[i].base + info->regions[i].length > top)
            top = info->regions[i].base + info->regions[i].length;
    uint64_t slot = 1ull << 39; /* what one PML4 entry maps: 512 GiB */
    direct_map_span = (top + slot - 1) & ~(slot - 1);
    if (direct_map_span > HEAP_BASE - DIRECT_MAP_BASE)
        direct_map_span = HEAP_BASE - DIRECT_MAP_BASE;

    const struct phys_range used[] = {
        {DIRECT_MAP_BASE, DIRECT_MAP_BASE + direct_map_span},
        {HEAP_BASE, HEAP_BASE + HEAP_MAX_SIZE},
        {STACK_REGION_BASE, STACK_REGION_BASE + slot},
        {KERNEL_VMA, KERNEL_VMA + BOOT_MAPPED_BYTES},
    };
    uint64_t *pml4 = kernel_space.ops->phys_to_virt(kernel_space.root);
    for (size_t r = 0; r < sizeof(used) / sizeof(used[0]); r++) {
        for (unsigned i = pml4_index(used[r].start); i <= pml4_index(used[r].end - 1); i++) {
            uint64_t *entry = &pml4[i];
            uint64_t phys;
            if (*entry & PTE_PRESENT)
                continue;
            if (frame_alloc(&frames, &phys) != 0)
                panic("no frame for the kernel half's page tables");
            memset(kernel_space.ops->phys_to_virt(phys), 0, PAGE_SIZE);
            *entry = phys | PTE_PRESENT | PTE_WRITABLE;
        }
    }
    kernel_space.keep_upper_half_tables = true;
}

uint64_t memory_init(const struct boot_info *info)
{
    /* The kernel image and the modules (the ramdisk), which stay where the
     * loader put them; frames_init leaves out every page they touch. */
    struct phys_range excluded[1 + BOOT_INFO_MAX_MODULES] = {
        {info->kernel_phys_start, info->kernel_phys_end},
    };
    size_t excluded_count = 1;
    for (size_t i = 0; i < info->module_count; i++) {
        const struct boot_module *m = &info->modules[i];
        excluded[excluded_count++] = (struct phys_range){m->phys_start, m->phys_end};
    }
    uint64_t lost = frames_init(&frames, info, excluded, excluded_count, window);
    if (vm_create(&kernel_space, &kernel_table_ops) != 0)
        panic("no frame for the kernel's page tables");
    map_direct(info);
    map_kernel_image();
    create_stacks();
    fix_kernel_half(info);
    set_memory_types();

    write_cr3(kernel_space.root);
    phys_window_base = DIRECT_MAP_BASE;
    return lost;
}

/* ---- the address spaces of processes ---- */

int memory_user_space_create(struct address_space *as)
{
    uint64_t flags = spin_lock_irqsave(&memory_lock);
    int err = vm_create(as, &kernel_table_ops);
    if (!err) {
        uint64_t *mine = as->ops->phys_to_virt(as->root);
        const uint64_t *kernel = as->ops->phys_to_virt(kernel_space.root);
        for (unsigned i = PAGE_TABLE_ENTRIES / 2; i < PAGE_TABLE_ENTRIES; i++)
            mine[i] = kernel[i];
    }
    spin_unlock_irqrestore(&memory_lock, flags);
    return err;
}

static void free_user_page(uint64_t phys, uint64_t page_size, void *ctx)
{
    (void)ctx;
    for (uint64_t off = 0; off < page_size; off += PAGE_SIZE)
        frame_free(&frames, phys + off);
}

void memory_user_space_destroy(struct address_space *as)
{
    uint64_t flags = spin_lock_irqsave(&memory_lock);
    vm_release_lower_half(as, free_user_page, NULL);
    frame_free(&frames, as->root);
    as->root = 0;
    spin_unlock_irqrestore(&memory_lock, flags);
}

int memory_user_map_new(struct address_space *as, uint64_t virt, unsigned flags, void **page)
{
    uint64_t irq = spin_lock_irqsave(&memory_lock);
    uint64_t phys;
    int err = frame_alloc(&frames, &phys);
    if (!err) {
        memset(as->ops->phys_to_virt(phys), 0, PAGE_SIZE);
        err = vm_map(as, virt, phys, PAGE_SIZE, flags | MAP_USER);
        if (err)
            frame_free(&frames, phys);
        else if (page)
            *page = as->ops->phys_to_virt(phys);
    }
    spin_unlock_irqrestore(&memory_lock, irq);
    return err;
}

int memory_user_unmap(struct address_space *as, uint64_t virt)
{
    uint64_t irq = spin_lock_irqsave(&memory_lock);
    uint64_t phys;
    int err = vm_translate(as, virt, &phys, NULL, NULL);
    if (!err)
        err = vm_unmap(as, virt, PAGE_SIZE);
    if (!err)
        frame_free(&frames, phys & ~(PAGE_SIZE - 1));
    spin_unlock_irqrestore(&memory_lock, irq);
    return err;
}
