/*
 * early_paging.c - unmapping single pages in the boot page tables.
 *
 * entry.S maps the first 1 GiB with 2 MiB pages (one page directory shared
 * by the identity and the higher-half mapping). A guard page needs 4 KiB
 * granularity, so the 2 MiB entry that covers it is replaced by a page table
 * of 512 small pages with the same flags, from a small static pool. Page
 * table formats: Intel SDM vol. 3, 4.5 (4-level paging), tables 4-17/4-19.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/early_paging.h>
#include <keel/layout.h>
#include <stddef.h>

#define PAGE_SIZE        4096
#define ENTRIES          512
#define PTE_PRESENT      (1ull << 0)
#define PTE_WRITABLE     (1ull << 1)
#define PTE_HUGE         (1ull << 7) /* PS in a PD entry: this entry maps 2 MiB */
#define PTE_NO_EXECUTE   (1ull << 63)
#define PTE_ADDRESS      0x000FFFFFFFFFF000ull
#define PDE_HUGE_ADDRESS 0x000FFFFFFFE00000ull
/* Flags a 2 MiB entry shares with 4 KiB entries: P RW US PWT PCD A D, G, NX
 * (bit 7 is PS in one and PAT in the other, bit 12 PAT in the large one). */
#define PTE_INHERITED_FLAGS (0x17Full | PTE_NO_EXECUTE)
#define SPLIT_TABLES        4

static uint64_t split_pool[SPLIT_TABLES][ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static unsigned split_used;

static unsigned table_index(uintptr_t virt, unsigned level_shift)
{
    return (virt >> level_shift) & (ENTRIES - 1);
}

static uint64_t *table_at(uint64_t entry)
{
    return phys_to_virt(entry & PTE_ADDRESS);
}

/* The page-directory entry for virt, or NULL if a higher level is missing. */
static uint64_t *pd_entry(uintptr_t virt)
{
    uint64_t *pml4 = table_at(read_cr3());
    uint64_t pml4e = pml4[table_index(virt, 39)];
    if (!(pml4e & PTE_PRESENT))
        return NULL;
    uint64_t pdpte = table_at(pml4e)[table_index(virt, 30)];
    if (!(pdpte & PTE_PRESENT) || (pdpte & PTE_HUGE))
        return NULL;
    return &table_at(pdpte)[table_index(virt, 21)];
}

/* Replace a 2 MiB mapping by 512 4 KiB ones with the same flags. */
static bool split_huge_page(uint64_t *pde)
{
    if (split_used == SPLIT_TABLES)
        return false;
    uint64_t *table = split_pool[split_used++];
    uint64_t base = *pde & PDE_HUGE_ADDRESS;
    uint64_t flags = *pde & PTE_INHERITED_FLAGS;
    for (unsigned i = 0; i < ENTRIES; i++)
        table[i] = (base + (uint64_t)i * PAGE_SIZE) | flags;
    *pde = ((uintptr_t)table - KERNEL_VMA) | PTE_PRESENT | PTE_WRITABLE;
    return true;
}

bool early_unmap_page(uintptr_t virt)
{
    uint64_t *pde = pd_entry(virt);
    if (!pde || !(*pde & PTE_PRESENT))
        return true; /* not mapped at all */
    if ((*pde & PTE_HUGE) && !split_huge_page(pde))
        return false;
    table_at(*pde)[table_index(virt, 12)] &= ~PTE_PRESENT;
    write_cr3(read_cr3()); /* drop every cached translation, large ones included */
    return true;
}

bool early_page_mapped(uintptr_t virt)
{
    uint64_t *pde = pd_entry(virt);
    if (!pde || !(*pde & PTE_PRESENT))
        return false;
    if (*pde & PTE_HUGE)
        return true;
    return table_at(*pde)[table_index(virt, 12)] & PTE_PRESENT;
}
