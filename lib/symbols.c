/*
 * symbols.c - address-to-name lookup over a ksym_table (see symbols.h).
 *
 * A binary search for the last entry whose address is <= the target, then
 * a bounds check against that entry's size. Every function takes its table
 * as an argument (the kernel passes its own, from kernel/ksyms.c), so the
 * host tests link this file unchanged with tables of their own.
 */
#include <lib/format.h>
#include <lib/symbols.h>

/* Index of the last entry starting at or before address, or -1 if none
 * does (the table is empty or address precedes its first entry). */
static int64_t last_entry_at_or_before(const struct ksym_table *table, uint64_t address)
{
    uint64_t low = 0, high = table->count; /* the answer's index + 1 is in [low, high] */
    while (low < high) {
        uint64_t middle = low + (high - low) / 2;
        if (table->entries[middle].address <= address)
            low = middle + 1;
        else
            high = middle;
    }
    return (int64_t)low - 1;
}

bool ksym_lookup(const struct ksym_table *table, uint64_t address, const char **name,
                 uint64_t *offset)
{
    if (table == NULL || table->count == 0)
        return false;
    int64_t index = last_entry_at_or_before(table, address);
    if (index < 0)
        return false;
    const struct ksym_entry *entry = &table->entries[index];
    uint64_t distance = address - entry->address;
    if (entry->size != 0 && distance >= entry->size)
        return false;
    if (name)
        *name = table->names + entry->name_offset;
    if (offset)
        *offset = distance;
    return true;
}

/* Print shown_address as name+offset of the function containing
 * lookup_address (which lies at most one byte before it), else as hex. */
static int format_address(const struct ksym_table *table, char *buf, size_t size,
                          uint64_t lookup_address, uint64_t shown_address)
{
    const char *name;
    uint64_t offset;
    if (ksym_lookup(table, lookup_address, &name, &offset)) {
        offset += shown_address - lookup_address;
        return ksnprintf(buf, size, "%s+0x%llx", name, (unsigned long long)offset);
    }
    return ksnprintf(buf, size, "0x%llx", (unsigned long long)shown_address);
}

int ksym_format(const struct ksym_table *table, char *buf, size_t size, uint64_t address)
{
    return format_address(table, buf, size, address, address);
}

int ksym_format_return(const struct ksym_table *table, char *buf, size_t size,
                       uint64_t return_address)
{
    if (return_address == 0) /* the end of a frame chain, not a call */
        return format_address(table, buf, size, 0, 0);
    return format_address(table, buf, size, return_address - 1, return_address);
}
