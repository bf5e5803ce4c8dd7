/*
 * paging.h - x86_64 4-level page tables: map, unmap, translate, protect.
 *
 * An address space is a PML4 and the tables below it. Functions take
 * page-sized, page-aligned arguments (4 KiB or 2 MiB pages) and return 0 or
 * a negated error number (lib/errno.h): -EINVAL for misaligned or
 * non-canonical addresses and unknown sizes, -EEXIST when mapping over a
 * mapping, -ENOENT when unmapping or protecting what is not mapped, -EBUSY
 * when a page of the other size is in the way, -ENOMEM when no frame is left
 * for a table. Tables that become empty on unmap are freed.
 *
 * Memory is reached through the ops, so host tests run the same code on a
 * simulated physical memory.
 */
#ifndef KEEL_MM_PAGING_H
#define KEEL_MM_PAGING_H

#include <lib/const.h>

/* The hardware's numbers (Intel SDM vol. 3A, 4.5), shared with the boot
 * page tables of boot/multiboot/entry.S: preprocessor definitions only down
 * to the C part below. PAGE_SIZE is the one name of the 4 KiB page (and of
 * the physical frame, mm/frames.h). */
#define PAGE_SIZE          ULL(0x1000)
#define PAGE_SIZE_2M       ULL(0x200000)
#define PAGE_SIZE_1G       ULL(0x40000000)
#define PAGE_TABLE_ENTRIES 512 /* 8-byte entries in every level's 4 KiB table */

/* Entry bits: P (0), R/W (1), U/S (2), PWT (3), PCD (4), PS (7, a large page
 * in a PD or PDPT entry), G (8), XD (63); bits 51-12 hold the physical
 * address of the next table or page (51-21 for a 2 MiB page). */
#define PTE_PRESENT         BIT_ULL(0)
#define PTE_WRITABLE        BIT_ULL(1)
#define PTE_USER            BIT_ULL(2)
#define PTE_WRITE_THROUGH   BIT_ULL(3)
#define PTE_CACHE_DISABLE   BIT_ULL(4)
#define PTE_HUGE            BIT_ULL(7)
#define PTE_GLOBAL          BIT_ULL(8)
#define PTE_NO_EXECUTE      BIT_ULL(63)
#define PTE_ADDRESS         ULL(0x000FFFFFFFFFF000)
#define PTE_HUGE_2M_ADDRESS ULL(0x000FFFFFFFE00000)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* Mapping permissions: read is implied. Without MAP_EXEC the page gets the
 * NX bit (EFER.NXE must be on). */
#define MAP_WRITE   0x1u
#define MAP_EXEC    0x2u
#define MAP_USER    0x4u
#define MAP_GLOBAL  0x8u  /* survives CR3 reloads: kernel mappings */
#define MAP_NOCACHE 0x10u /* device memory: PCD | PWT */
/* Write-combining (framebuffers): PWT alone, which is PAT entry 1, made
 * write-combining by mm/memory.c (arch/x86_64/cpu_bits.h, PAT_KEEL). */
#define MAP_WRITE_COMBINE 0x20u

struct page_table_ops {
    void *(*phys_to_virt)(uint64_t phys);
    int (*alloc_table)(uint64_t *phys); /* a frame, contents don't matter */
    void (*free_table)(uint64_t phys);
    void (*invalidate)(uint64_t virt); /* drop a stale TLB entry */
};

struct address_space {
    uint64_t root; /* physical address of the PML4 */
    const struct page_table_ops *ops;
    /* The PDPTs that the upper half of the PML4 links to are never freed:
     * the kernel's, which every process's PML4 links to as well. */
    bool keep_upper_half_tables;
};

/* Indices into the four levels for a virtual address (bits 47-39, 38-30,
 * 29-21, 20-12), and whether the address is canonical (bits 63-48 copy 47). */
unsigned pml4_index(uint64_t virt);
unsigned pdpt_index(uint64_t virt);
unsigned pd_index(uint64_t virt);
unsigned pt_index(uint64_t virt);
bool virt_is_canonical(uint64_t virt);

/* A new, empty address space. */
int vm_create(struct address_space *as, const struct page_table_ops *ops);
int vm_map(struct address_space *as, uint64_t virt, uint64_t phys, uint64_t page_size,
           unsigned flags);
int vm_unmap(struct address_space *as, uint64_t virt, uint64_t page_size);
/* The physical address virt maps to, with the mapping's flags and page
 * size; -ENOENT if it is not mapped. Any of the outputs may be NULL. */
int vm_translate(const struct address_space *as, uint64_t virt, uint64_t *phys, unsigned *flags,
                 uint64_t *page_size);
int vm_protect(struct address_space *as, uint64_t virt, uint64_t page_size, unsigned flags);
/* Give back everything the lower half (PML4 entries 0-255) maps: each
 * leaf's page through free_page(phys, page_size, ctx), then every table
 * below those entries; the entries are cleared. The upper half and the
 * PML4 itself stay. The caller makes sure no CPU uses the mappings. */
void vm_release_lower_half(struct address_space *as,
                           void (*free_page)(uint64_t phys, uint64_t page_size, void *ctx),
                           void *ctx);
/* Map [virt, virt + length) to [phys, ...) with 2 MiB pages where both
 * addresses allow it and 4 KiB pages elsewhere (all page-aligned). On
 * failure, what was mapped by this call is unmapped again. */
int vm_map_range(struct address_space *as, uint64_t virt, uint64_t phys, uint64_t length,
                 unsigned flags);

#endif /* __ASSEMBLER__ */

#endif
