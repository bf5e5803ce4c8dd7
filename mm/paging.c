/*
 * paging.c - walking and editing 4-level page tables (Intel SDM vol. 3,
 * 4.5): PML4 -> PDPT -> PD -> PT, PAGE_TABLE_ENTRIES entries of 8 bytes
 * each; the entry bits are in paging.h. Intermediate entries are created
 * with P | R/W (| U/S for user mappings) so that the leaf alone decides the
 * permissions.
 */
#include <lib/errno.h>
#include <mm/paging.h>
#include <stddef.h>

#define TABLE_LINK         (PTE_PRESENT | PTE_WRITABLE)
#define LOWER_HALF_ENTRIES (PAGE_TABLE_ENTRIES / 2) /* PML4 entries of addresses below 2^47 */

enum level { LEVEL_PT = 1, LEVEL_PD = 2, LEVEL_PDPT = 3, LEVEL_PML4 = 4 };

unsigned pml4_index(uint64_t virt)
{
    return (virt >> 39) & (PAGE_TABLE_ENTRIES - 1);
}

unsigned pdpt_index(uint64_t virt)
{
    return (virt >> 30) & (PAGE_TABLE_ENTRIES - 1);
}

unsigned pd_index(uint64_t virt)
{
    return (virt >> 21) & (PAGE_TABLE_ENTRIES - 1);
}

unsigned pt_index(uint64_t virt)
{
    return (virt >> 12) & (PAGE_TABLE_ENTRIES - 1);
}

bool virt_is_canonical(uint64_t virt)
{
    uint64_t top = virt >> 47; /* bits 63..47 must be all 0 or all 1 */
    return top == 0 || top == 0x1FFFF;
}

static unsigned index_at(uint64_t virt, enum level level)
{
    return (virt >> (12 + 9 * (level - 1))) & (PAGE_TABLE_ENTRIES - 1);
}

static uint64_t *table(const struct address_space *as, uint64_t phys)
{
    return as->ops->phys_to_virt(phys & PTE_ADDRESS);
}

static uint64_t leaf_bits(unsigned flags)
{
    uint64_t bits = PTE_PRESENT;
    if (flags & MAP_WRITE)
        bits |= PTE_WRITABLE;
    if (!(flags & MAP_EXEC))
        bits |= PTE_NO_EXECUTE;
    if (flags & MAP_USER)
        bits |= PTE_USER;
    if (flags & MAP_GLOBAL)
        bits |= PTE_GLOBAL;
    if (flags & MAP_NOCACHE)
        bits |= PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
    else if (flags & MAP_WRITE_COMBINE)
        bits |= PTE_WRITE_THROUGH;
    return bits;
}

static unsigned flags_of(uint64_t entry)
{
    unsigned flags = 0;
    if (entry & PTE_WRITABLE)
        flags |= MAP_WRITE;
    if (!(entry & PTE_NO_EXECUTE))
        flags |= MAP_EXEC;
    if (entry & PTE_USER)
        flags |= MAP_USER;
    if (entry & PTE_GLOBAL)
        flags |= MAP_GLOBAL;
    if (entry & PTE_CACHE_DISABLE)
        flags |= MAP_NOCACHE;
    else if (entry & PTE_WRITE_THROUGH)
        flags |= MAP_WRITE_COMBINE;
    return flags;
}

static int new_table(struct address_space *as, uint64_t *phys)
{
    int err = as->ops->alloc_table(phys);
    if (err)
        return err;
    uint64_t *t = table(as, *phys);
    for (unsigned i = 0; i < PAGE_TABLE_ENTRIES; i++)
        t[i] = 0;
    return 0;
}

int vm_create(struct address_space *as, const struct page_table_ops *ops)
{
    as->ops = ops;
    as->keep_upper_half_tables = false;
    return new_table(as, &as->root);
}

/* Level at which a page of this size is a leaf (PT for 4 KiB, PD for 2 MiB). */
static int leaf_level(uint64_t page_size)
{
    if (page_size == PAGE_SIZE)
        return LEVEL_PT;
    if (page_size == PAGE_SIZE_2M)
        return LEVEL_PD;
    return -EINVAL;
}

static int check_arguments(uint64_t virt, uint64_t page_size)
{
    int level = leaf_level(page_size);
    if (level < 0 || virt % page_size != 0 || !virt_is_canonical(virt))
        return -EINVAL;
    return level;
}

/* The entry for virt at `level`, walking down from the PML4 and creating
 * missing tables when `create`. NULL with *err set when the walk stops: a
 * missing table (-ENOENT), a large page in the way (-EBUSY), or no memory. */
static uint64_t *walk(struct address_space *as, uint64_t virt, int level, bool create, int *err)
{
    uint64_t *entries = table(as, as->root);
    for (int l = LEVEL_PML4; l > level; l--) {
        uint64_t *entry = &entries[index_at(virt, l)];
        if (!(*entry & PTE_PRESENT)) {
            uint64_t phys;
            if (!create) {
                *err = -ENOENT;
                return NULL;
            }
            if ((*err = new_table(as, &phys)) != 0)
                return NULL;
            *entry = phys | TABLE_LINK;
        } else if (*entry & PTE_HUGE) {
            *err = -EBUSY;
            return NULL;
        }
        entries = table(as, *entry);
    }
    return &entries[index_at(virt, level)];
}

static bool table_empty(const uint64_t *entries)
{
    for (unsigned i = 0; i < PAGE_TABLE_ENTRIES; i++)
        if (entries[i] & PTE_PRESENT)
            return false;
    return true;
}

/* After a leaf at `level` was cleared, or a map ran out of memory part way
 * down: free the tables on virt's path that are empty, from the bottom up.
 * The PML4 itself stays. */
static void free_empty_tables(struct address_space *as, uint64_t virt, int level)
{
    for (int l = level + 1; l <= LEVEL_PML4; l++) {
        int err;
        uint64_t *link = walk(as, virt, l, false, &err);
        if (!link || !(*link & PTE_PRESENT))
            continue; /* a failed map stopped above this level */
        if ((*link & PTE_HUGE) || !table_empty(table(as, *link)))
            return;
        if (l == LEVEL_PML4 && as->keep_upper_half_tables && pml4_index(virt) >= LOWER_HALF_ENTRIES)
            return;
        as->ops->free_table(*link & PTE_ADDRESS);
        *link = 0;
    }
}

/* User pages need U/S in every entry above the leaf as well (SDM 4.6.1). */
static void allow_user_above(struct address_space *as, uint64_t virt, int level)
{
    int err;
    for (int l = LEVEL_PML4; l > level; l--)
        *walk(as, virt, l, false, &err) |= PTE_USER;
}

int vm_map(struct address_space *as, uint64_t virt, uint64_t phys, uint64_t page_size,
           unsigned flags)
{
    int level = check_arguments(virt, page_size);
    if (level < 0 || phys % page_size != 0 || (phys & ~PTE_ADDRESS) != 0)
        return -EINVAL;
    int err = 0;
    uint64_t *entry = walk(as, virt, level, true, &err);
    if (!entry) {
        if (err == -ENOMEM)
            free_empty_tables(as, virt, level); /* the tables this walk made */
        return err;
    }
    if (*entry & PTE_PRESENT)
        return level == LEVEL_PD && !(*entry & PTE_HUGE) ? -EBUSY : -EEXIST;
    if (flags & MAP_USER)
        allow_user_above(as, virt, level);
    *entry = phys | leaf_bits(flags) | (level == LEVEL_PD ? PTE_HUGE : 0);
    return 0;
}

/* The present leaf for a page of this size, or NULL with *err. */
static uint64_t *find_leaf(struct address_space *as, uint64_t virt, uint64_t page_size, int *err)
{
    int level = check_arguments(virt, page_size);
    if (level < 0) {
        *err = level;
        return NULL;
    }
    uint64_t *entry = walk(as, virt, level, false, err);
    if (!entry)
        return NULL;
    if (!(*entry & PTE_PRESENT)) {
        *err = -ENOENT;
        return NULL;
    }
    if (level == LEVEL_PD && !(*entry & PTE_HUGE)) {
        *err = -EBUSY; /* 4 KiB pages live here, not one 2 MiB page */
        return NULL;
    }
    return entry;
}

int vm_unmap(struct address_space *as, uint64_t virt, uint64_t page_size)
{
    int err = 0;
    uint64_t *entry = find_leaf(as, virt, page_size, &err);
    if (!entry)
        return err;
    *entry = 0;
    as->ops->invalidate(virt);
    free_empty_tables(as, virt, leaf_level(page_size));
    return 0;
}

int vm_protect(struct address_space *as, uint64_t virt, uint64_t page_size, unsigned flags)
{
    int err = 0;
    uint64_t *entry = find_leaf(as, virt, page_size, &err);
    if (!entry)
        return err;
    uint64_t address = *entry & (page_size == PAGE_SIZE_2M ? PTE_HUGE_2M_ADDRESS : PTE_ADDRESS);
    *entry = address | leaf_bits(flags) | (page_size == PAGE_SIZE_2M ? PTE_HUGE : 0);
    if (flags & MAP_USER)
        allow_user_above(as, virt, leaf_level(page_size));
    as->ops->invalidate(virt);
    return 0;
}

int vm_translate(const struct address_space *as, uint64_t virt, uint64_t *phys, unsigned *flags,
                 uint64_t *page_size)
{
    if (!virt_is_canonical(virt))
        return -EINVAL;
    const uint64_t *entries = table(as, as->root);
    for (int l = LEVEL_PML4; l >= LEVEL_PT; l--) {
        uint64_t entry = entries[index_at(virt, l)];
        if (!(entry & PTE_PRESENT))
            return -ENOENT;
        bool leaf = l == LEVEL_PT || (entry & PTE_HUGE);
        if (!leaf) {
            entries = table(as, entry);
            continue;
        }
        uint64_t size = 1ull << (12 + 9 * (l - 1));
        uint64_t base = entry & PTE_ADDRESS & ~(size - 1);
        if (phys)
            *phys = base | (virt & (size - 1));
        if (flags)
            *flags = flags_of(entry);
        if (page_size)
            *page_size = size;
        return 0;
    }
    return -ENOENT;
}

int vm_map_range(struct address_space *as, uint64_t virt, uint64_t phys, uint64_t length,
                 unsigned flags)
{
    if ((virt | phys | length) % PAGE_SIZE != 0)
        return -EINVAL;
    if (length != 0 && length - 1 > UINT64_MAX - virt)
        return -EINVAL; /* would wrap around to address 0 */
    for (uint64_t done = 0; done < length;) {
        uint64_t v = virt + done, p = phys + done;
        uint64_t size =
            (v % PAGE_SIZE_2M == 0 && p % PAGE_SIZE_2M == 0 && length - done >= PAGE_SIZE_2M)
                ? PAGE_SIZE_2M
                : PAGE_SIZE;
        int err = vm_map(as, v, p, size, flags);
        if (err) {
            for (uint64_t undo = 0; undo < done;) {
                uint64_t mapped;
                if (vm_translate(as, virt + undo, NULL, NULL, &mapped) != 0)
                    break;
                vm_unmap(as, virt + undo, mapped);
                undo += mapped;
            }
            return err;
        }
        done += size;
    }
    return 0;
}

/* Free the table at phys, a table of `level`, and everything below it. */
static void release_table(struct address_space *as, uint64_t phys, int level,
                          void (*free_page)(uint64_t, uint64_t, void *), void *ctx)
{
    uint64_t *entries = table(as, phys);
    for (unsigned i = 0; i < PAGE_TABLE_ENTRIES; i++) {
        uint64_t entry = entries[i];
        if (!(entry & PTE_PRESENT))
            continue;
        if (level == LEVEL_PT)
            free_page(entry & PTE_ADDRESS, PAGE_SIZE, ctx);
        else if (level == LEVEL_PD && (entry & PTE_HUGE))
            free_page(entry & PTE_HUGE_2M_ADDRESS, PAGE_SIZE_2M, ctx);
        else
            release_table(as, entry & PTE_ADDRESS, level - 1, free_page, ctx);
    }
    as->ops->free_table(phys);
}

void vm_release_lower_half(struct address_space *as,
                           void (*free_page)(uint64_t phys, uint64_t page_size, void *ctx),
                           void *ctx)
{
    uint64_t *pml4 = table(as, as->root);
    for (unsigned i = 0; i < LOWER_HALF_ENTRIES; i++) {
        if (pml4[i] & PTE_PRESENT)
            release_table(as, pml4[i] & PTE_ADDRESS, LEVEL_PDPT, free_page, ctx);
        pml4[i] = 0;
    }
}
