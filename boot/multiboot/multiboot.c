/*
 * multiboot.c - translate Multiboot 1 and 2 information blocks into struct
 * boot_info (see multiboot.h).
 *
 * Specs: "Multiboot Specification" 0.6.96, section 3.3 (Boot information
 * format) and "Multiboot2 Specification" 2.0, section 3.6 (Boot information).
 * Both are little endian; fields are read byte by byte so that no alignment
 * is assumed and no C structure layout has to match the loader's.
 *
 * The loader is trusted about where the block is, not about what is in it:
 * every read is bounded by a size the block itself states (total_size, a
 * tag's size, mmap_length), a size that would not advance or would run past
 * its container ends the walk with -MULTIBOOT_ERR_MALFORMED, and strings are
 * copied with a bound. What was read until then stays in *out.
 *
 * A Multiboot 2 block may carry two memory maps: the basic one (tag 6) and,
 * from a UEFI loader, the firmware's own (tag 17). The EFI map says more
 * (boot services memory is free after ExitBootServices(), persistent memory
 * is not RAM), so when it is present and sound it is the one read, each
 * descriptor translated by boot/uefi/efi_memmap.c; otherwise tag 6 is.
 *
 * Modules (Multiboot 1 mods_count/mods_addr, Multiboot 2 tag 3) are listed
 * with their range and string; their contents are not read here. A module
 * that cannot be taken is counted in modules_dropped: one beyond
 * BOOT_INFO_MAX_MODULES merely does not fit, one that ends before it starts
 * or whose fields run past its tag or the block is malformed information.
 *
 * Memory map entries are first gathered into a local array of
 * RAW_REGIONS_MAX regions, then memmap_normalize() sorts and merges them into
 * out->regions. If the raw array overflows, only usable memory is ever lost:
 * see raw_add().
 */
#include <boot/memmap.h>
#include <boot/multiboot/multiboot.h>
#include <boot/uefi/efi_memmap.h>

#include <stdbool.h>

/* Multiboot 1 information block: byte offsets and flag bits (spec 3.3). */
#define MB1_FLAGS            0
#define MB1_MEM_LOWER        4 /* KiB at physical 0, valid with MB1_FLAG_MEM */
#define MB1_MEM_UPPER        8 /* KiB at physical 1 MiB, valid with MB1_FLAG_MEM */
#define MB1_CMDLINE          16
#define MB1_MODS_COUNT       20 /* valid with MB1_FLAG_MODS */
#define MB1_MODS_ADDR        24
#define MB1_MMAP_LENGTH      44
#define MB1_MMAP_ADDR        48
#define MB1_BOOT_LOADER_NAME 64
#define MB1_FLAG_MEM         (1u << 0)
#define MB1_FLAG_CMDLINE     (1u << 2)
#define MB1_FLAG_MODS        (1u << 3)
#define MB1_FLAG_MMAP        (1u << 6)
#define MB1_FLAG_LOADER_NAME (1u << 9)

/* Multiboot 1 memory map entry: u32 size, u64 base_addr, u64 length, u32 type.
 * `size` does not count itself, so the next entry is at entry + 4 + size. */
#define MB1_MMAP_SIZE_FIELD 4
#define MB1_MMAP_BASE       4
#define MB1_MMAP_LEN        12
#define MB1_MMAP_TYPE       20
#define MB1_MMAP_MIN_SIZE   20 /* base_addr + length + type */

/* Multiboot 1 module entry (3.3): u32 mod_start, u32 mod_end (one past the
 * last byte), u32 string (physical address, 0: none), u32 reserved. */
#define MB1_MOD_START      0
#define MB1_MOD_END        4
#define MB1_MOD_STRING     8
#define MB1_MOD_ENTRY_SIZE 16

/* The Multiboot 2 offsets (MB2_*) are in boot/multiboot/protocol.h. */

#define KIB              1024u
#define LOWER_MEMORY_END 0x100000u /* upper memory starts at 1 MiB */

/* Enough for any firmware map seen in practice (QEMU gives ~7, real PCs
 * 20-60); 3 KiB of stack. */
#define RAW_REGIONS_MAX 128

/* Entries as the loader listed them, before normalisation. */
struct raw_map {
    struct mem_region regions[RAW_REGIONS_MAX];
    size_t count;
    size_t dropped;
};

/* Where the Multiboot 2 memory map tags are (NULL: absent): read once the
 * walk has seen them all, the EFI one preferred. */
struct mb2_maps {
    const uint8_t *mmap, *efi_mmap;
    uint32_t mmap_size, efi_mmap_size;
};

/* Basic memory information (Multiboot 1 mem_* or the Multiboot 2 tag 4). */
struct basic_meminfo {
    bool valid;
    uint32_t lower_kib;
    uint32_t upper_kib;
};

static const uint8_t *phys_to_ptr(uintptr_t phys_window, uint64_t phys)
{
    return (const uint8_t *)(phys_window + (uintptr_t)phys);
}

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read_u64(const uint8_t *p)
{
    return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

/* Copy the NUL-terminated string at src into dest (BOOT_INFO_STRING_MAX
 * bytes), reading at most `limit` bytes of src; always NUL-terminates. */
static void copy_string(char *dest, const uint8_t *src, uint64_t limit)
{
    size_t i = 0;

    while (i < BOOT_INFO_STRING_MAX - 1 && i < limit && src[i] != '\0') {
        dest[i] = (char)src[i];
        i++;
    }
    dest[i] = '\0';
}

static enum mem_type mem_type_from_multiboot(uint32_t type)
{
    switch (type) {
    case MULTIBOOT_MEMORY_AVAILABLE:
        return MEM_USABLE;
    case MULTIBOOT_MEMORY_ACPI_RECLAIMABLE:
        return MEM_ACPI_RECLAIMABLE;
    case MULTIBOOT_MEMORY_NVS:
        return MEM_ACPI_NVS;
    case MULTIBOOT_MEMORY_BADRAM:
        return MEM_BAD;
    }
    return MEM_RESERVED; /* 2 and every type the spec does not define */
}

/* Index of the shortest usable region in m, or RAW_REGIONS_MAX if none. */
static size_t shortest_usable(const struct raw_map *m)
{
    size_t best = RAW_REGIONS_MAX;

    for (size_t i = 0; i < m->count; i++)
        if (m->regions[i].type == MEM_USABLE &&
            (best == RAW_REGIONS_MAX || m->regions[i].length < m->regions[best].length))
            best = i;
    return best;
}

/* Record a region. An entry touching the previous one with the same type
 * extends it (firmware maps are often split). When the array is full, one
 * region is dropped, and it is always a usable one where possible: losing a
 * reserved region could let an overlapping usable one hand out reserved
 * memory, losing usable memory merely wastes it. */
static void raw_add(struct raw_map *m, uint64_t base, uint64_t length, enum mem_type type)
{
    struct mem_region region = {.base = base, .length = length, .type = type};

    if (length == 0)
        return;
    if (m->count > 0) {
        struct mem_region *last = &m->regions[m->count - 1];
        if (last->type == type && last->base + last->length == base && base >= last->base &&
            length <= UINT64_MAX - last->length) {
            last->length += length;
            return;
        }
    }
    if (m->count < RAW_REGIONS_MAX) {
        m->regions[m->count++] = region;
        return;
    }
    m->dropped++;
    size_t victim = shortest_usable(m);
    if (victim == RAW_REGIONS_MAX)
        return; /* nothing usable to give up: drop the new region */
    if (type != MEM_USABLE || m->regions[victim].length < length)
        m->regions[victim] = region;
}

/* Without a memory map, describe lower and upper memory as usable. */
static void raw_add_basic(struct raw_map *m, const struct basic_meminfo *mem)
{
    raw_add(m, 0, (uint64_t)mem->lower_kib * KIB, MEM_USABLE);
    raw_add(m, LOWER_MEMORY_END, (uint64_t)mem->upper_kib * KIB, MEM_USABLE);
}

static void begin(struct boot_info *out, enum boot_protocol protocol)
{
    out->protocol = protocol;
    out->loader_name[0] = '\0';
    out->command_line[0] = '\0';
    out->region_count = 0;
    out->regions_dropped = 0;
    out->framebuffer = (struct framebuffer_info){.present = false};
    out->rsdp = (struct acpi_rsdp_info){.present = false};
    out->module_count = 0;
    out->modules_dropped = 0;
}

/* Normalise the gathered map into out (falling back to basic memory info
 * when the map gave nothing) and return the final status. */
static int finish(struct boot_info *out, struct raw_map *raw, const struct basic_meminfo *mem,
                  int status)
{
    if (raw->count == 0 && raw->dropped == 0 && mem->valid)
        raw_add_basic(raw, mem);
    if (raw->count == 0 && raw->dropped == 0 && status == 0)
        status = -MULTIBOOT_ERR_NO_MEMORY_MAP;

    size_t needed = memmap_normalize(raw->regions, raw->count, out->regions, BOOT_INFO_MAX_REGIONS);
    out->region_count = needed < BOOT_INFO_MAX_REGIONS ? needed : BOOT_INFO_MAX_REGIONS;
    out->regions_dropped = raw->dropped + (needed - out->region_count);
    return status;
}

/* Walk a Multiboot 1 memory map of `length` bytes at `map`. */
static int mb1_read_mmap(struct raw_map *raw, const uint8_t *map, uint32_t length)
{
    uint64_t offset = 0;

    while (offset < length) {
        if (length - offset < MB1_MMAP_SIZE_FIELD)
            return -MULTIBOOT_ERR_MALFORMED;
        const uint8_t *entry = map + offset;
        uint32_t size = read_u32(entry);
        if (size < MB1_MMAP_MIN_SIZE || size > length - offset - MB1_MMAP_SIZE_FIELD)
            return -MULTIBOOT_ERR_MALFORMED;
        raw_add(raw, read_u64(entry + MB1_MMAP_BASE), read_u64(entry + MB1_MMAP_LEN),
                mem_type_from_multiboot(read_u32(entry + MB1_MMAP_TYPE)));
        offset += MB1_MMAP_SIZE_FIELD + (uint64_t)size;
    }
    return 0;
}

/* Record one module; its string is read at most string_max bytes far. One
 * that ends before it starts is malformed, and, like one beyond
 * BOOT_INFO_MAX_MODULES, counted in modules_dropped. */
static int add_module(struct boot_info *out, uint64_t start, uint64_t end, const uint8_t *string,
                      uint64_t string_max)
{
    if (end < start) {
        out->modules_dropped++;
        return -MULTIBOOT_ERR_MALFORMED;
    }
    if (out->module_count == BOOT_INFO_MAX_MODULES) {
        out->modules_dropped++;
        return 0;
    }
    struct boot_module *m = &out->modules[out->module_count++];
    m->phys_start = start;
    m->phys_end = end;
    copy_string(m->command_line, string, string_max);
    return 0;
}

/* Walk the `count` module entries at `mods`. Entries past the last one
 * modules[] can hold are counted, not read: a wild mods_count must not make
 * the walk run through memory. */
static int mb1_read_modules(struct boot_info *out, const uint8_t *mods, uint32_t count,
                            uintptr_t phys_window)
{
    int status = 0;

    for (uint32_t i = 0; i < count; i++) {
        if (out->module_count == BOOT_INFO_MAX_MODULES) {
            out->modules_dropped += count - i;
            break;
        }
        const uint8_t *entry = mods + (size_t)i * MB1_MOD_ENTRY_SIZE;
        uint32_t string = read_u32(entry + MB1_MOD_STRING);
        int err = add_module(out, read_u32(entry + MB1_MOD_START), read_u32(entry + MB1_MOD_END),
                             string ? phys_to_ptr(phys_window, string) : (const uint8_t *)"",
                             BOOT_INFO_STRING_MAX);
        if (status == 0)
            status = err;
    }
    return status;
}

int boot_info_from_multiboot1(struct boot_info *out, uint32_t mbi_phys, uintptr_t phys_window)
{
    const uint8_t *mbi = phys_to_ptr(phys_window, mbi_phys);
    uint32_t flags = read_u32(mbi + MB1_FLAGS);
    struct basic_meminfo mem = {.valid = false};
    struct raw_map raw;
    int status = 0;

    begin(out, BOOT_PROTOCOL_MULTIBOOT1);
    raw.count = 0;
    raw.dropped = 0;
    if (flags & MB1_FLAG_MEM) {
        mem.valid = true;
        mem.lower_kib = read_u32(mbi + MB1_MEM_LOWER);
        mem.upper_kib = read_u32(mbi + MB1_MEM_UPPER);
    }
    if (flags & MB1_FLAG_CMDLINE)
        copy_string(out->command_line, phys_to_ptr(phys_window, read_u32(mbi + MB1_CMDLINE)),
                    BOOT_INFO_STRING_MAX);
    if (flags & MB1_FLAG_LOADER_NAME)
        copy_string(out->loader_name,
                    phys_to_ptr(phys_window, read_u32(mbi + MB1_BOOT_LOADER_NAME)),
                    BOOT_INFO_STRING_MAX);
    if (flags & MB1_FLAG_MMAP)
        status = mb1_read_mmap(&raw, phys_to_ptr(phys_window, read_u32(mbi + MB1_MMAP_ADDR)),
                               read_u32(mbi + MB1_MMAP_LENGTH));
    if (flags & MB1_FLAG_MODS) {
        int mods_status =
            mb1_read_modules(out, phys_to_ptr(phys_window, read_u32(mbi + MB1_MODS_ADDR)),
                             read_u32(mbi + MB1_MODS_COUNT), phys_window);
        if (status == 0)
            status = mods_status;
    }
    return finish(out, &raw, &mem, status);
}

/* Read the entries of a Multiboot 2 memory map tag of `size` bytes. */
static int mb2_read_mmap(struct raw_map *raw, const uint8_t *tag, uint32_t size)
{
    if (size < MB2_MMAP_ENTRIES)
        return -MULTIBOOT_ERR_MALFORMED;
    uint32_t entry_size = read_u32(tag + MB2_MMAP_ENTRY_SIZE_AT);
    if (entry_size < MB2_MMAP_ENTRY_BYTES)
        return -MULTIBOOT_ERR_MALFORMED;

    uint32_t count = (size - MB2_MMAP_ENTRIES) / entry_size;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *entry = tag + MB2_MMAP_ENTRIES + (size_t)i * entry_size;
        raw_add(raw, read_u64(entry + MB2_ENTRY_BASE), read_u64(entry + MB2_ENTRY_LENGTH),
                mem_type_from_multiboot(read_u32(entry + MB2_ENTRY_TYPE)));
    }
    return 0;
}

/* Read the descriptors of an EFI memory map tag of `size` bytes, one at a
 * time through efi_memmap_to_regions(), so that raw_add() merges the many
 * neighbouring descriptors firmware lists. A descriptor size below the
 * spec's, or a map that is not a whole number of descriptors, is refused. */
static int mb2_read_efi_mmap(struct raw_map *raw, const uint8_t *tag, uint32_t size)
{
    if (size < MB2_EFI_MMAP_ENTRIES)
        return -MULTIBOOT_ERR_MALFORMED;
    uint32_t desc_size = read_u32(tag + MB2_EFI_MMAP_DESC_SIZE);
    uint32_t map_size = size - MB2_EFI_MMAP_ENTRIES;
    if (desc_size < EFI_MEMORY_DESCRIPTOR_SIZE || map_size % desc_size != 0)
        return -MULTIBOOT_ERR_MALFORMED;

    for (uint32_t offset = 0; offset < map_size; offset += desc_size) {
        struct mem_region region;
        size_t count;
        efi_memmap_to_regions(tag + MB2_EFI_MMAP_ENTRIES + offset, desc_size, desc_size, &region, 1,
                              &count);
        if (count == 1)
            raw_add(raw, region.base, region.length, region.type);
    }
    return 0;
}

/* The EFI memory map when there is a sound one, else the basic one. */
static int mb2_read_maps(struct raw_map *raw, const struct mb2_maps *maps)
{
    int status = 0;

    if (maps->efi_mmap) {
        status = mb2_read_efi_mmap(raw, maps->efi_mmap, maps->efi_mmap_size);
        if (status == 0)
            return 0; /* a refused EFI map added nothing: its checks come first */
    }
    if (maps->mmap) {
        int mmap_status = mb2_read_mmap(raw, maps->mmap, maps->mmap_size);
        if (status == 0)
            status = mmap_status;
    }
    return status;
}

/* Read a Multiboot 2 framebuffer tag of `size` bytes. A tag too short for
 * its fields, or of a type the spec does not define, leaves no framebuffer. */
static int mb2_read_framebuffer(struct framebuffer_info *fb, const uint8_t *tag, uint32_t size)
{
    struct framebuffer_info f = {.present = true};

    if (size < MB2_FB_MIN_SIZE)
        return -MULTIBOOT_ERR_MALFORMED;
    switch (tag[MB2_FB_TYPE]) {
    case MULTIBOOT2_FRAMEBUFFER_INDEXED:
        f.type = FRAMEBUFFER_INDEXED;
        break;
    case MULTIBOOT2_FRAMEBUFFER_RGB:
        if (size < MB2_FB_RGB_SIZE)
            return -MULTIBOOT_ERR_MALFORMED;
        f.type = FRAMEBUFFER_RGB;
        f.red = (struct framebuffer_field){tag[MB2_FB_COLORS], tag[MB2_FB_COLORS + 1]};
        f.green = (struct framebuffer_field){tag[MB2_FB_COLORS + 2], tag[MB2_FB_COLORS + 3]};
        f.blue = (struct framebuffer_field){tag[MB2_FB_COLORS + 4], tag[MB2_FB_COLORS + 5]};
        break;
    case MULTIBOOT2_FRAMEBUFFER_EGA_TEXT:
        f.type = FRAMEBUFFER_EGA_TEXT;
        break;
    default:
        return -MULTIBOOT_ERR_MALFORMED;
    }
    f.phys_addr = read_u64(tag + MB2_FB_ADDR);
    f.pitch = read_u32(tag + MB2_FB_PITCH);
    f.width = read_u32(tag + MB2_FB_WIDTH);
    f.height = read_u32(tag + MB2_FB_HEIGHT);
    f.bpp = tag[MB2_FB_BPP];
    *fb = f;
    return 0;
}

/* Copy the RSDP of an ACPI old (version 1) or new (version 2) tag of `size`
 * bytes. The new RSDP describes more (the XSDT), so an old tag never replaces
 * it, whichever comes first. */
static int mb2_read_rsdp(struct acpi_rsdp_info *rsdp, const uint8_t *tag, uint32_t size,
                         uint8_t version)
{
    size_t length = version == 2 ? MB2_RSDP_NEW_LENGTH : MB2_RSDP_OLD_LENGTH;

    if (size - MB2_TAG_HEADER < length)
        return -MULTIBOOT_ERR_MALFORMED;
    if (rsdp->present && rsdp->version > version)
        return 0;
    rsdp->present = true;
    rsdp->version = version;
    rsdp->length = length;
    for (size_t i = 0; i < BOOT_INFO_RSDP_MAX; i++)
        rsdp->bytes[i] = i < length ? tag[MB2_TAG_HEADER + i] : 0;
    return 0;
}

/* Take what we know from one tag (the header is already checked: size >= 8
 * and the whole tag lies inside the block). Unknown tags are skipped. */
static int mb2_read_tag(struct boot_info *out, struct mb2_maps *maps, struct basic_meminfo *mem,
                        const uint8_t *tag, uint32_t type, uint32_t size)
{
    switch (type) {
    case MULTIBOOT2_TAG_CMDLINE:
        copy_string(out->command_line, tag + MB2_TAG_HEADER, size - MB2_TAG_HEADER);
        return 0;
    case MULTIBOOT2_TAG_LOADER_NAME:
        copy_string(out->loader_name, tag + MB2_TAG_HEADER, size - MB2_TAG_HEADER);
        return 0;
    case MULTIBOOT2_TAG_BASIC_MEMINFO:
        if (size < MB2_MEMINFO_SIZE)
            return -MULTIBOOT_ERR_MALFORMED;
        mem->valid = true;
        mem->lower_kib = read_u32(tag + MB2_MEMINFO_LOWER);
        mem->upper_kib = read_u32(tag + MB2_MEMINFO_UPPER);
        return 0;
    case MULTIBOOT2_TAG_MMAP:
        maps->mmap = tag;
        maps->mmap_size = size;
        return 0;
    case MULTIBOOT2_TAG_EFI_MMAP:
        maps->efi_mmap = tag;
        maps->efi_mmap_size = size;
        return 0;
    case MULTIBOOT2_TAG_FRAMEBUFFER:
        return mb2_read_framebuffer(&out->framebuffer, tag, size);
    case MULTIBOOT2_TAG_ACPI_OLD:
        return mb2_read_rsdp(&out->rsdp, tag, size, 1);
    case MULTIBOOT2_TAG_ACPI_NEW:
        return mb2_read_rsdp(&out->rsdp, tag, size, 2);
    case MULTIBOOT2_TAG_MODULE:
        if (size < MB2_MODULE_STRING) {
            out->modules_dropped++; /* its fields would run past the tag */
            return -MULTIBOOT_ERR_MALFORMED;
        }
        return add_module(out, read_u32(tag + MB2_MODULE_START), read_u32(tag + MB2_MODULE_END),
                          tag + MB2_MODULE_STRING, size - MB2_MODULE_STRING);
    }
    return 0;
}

/* Walk the tags of the block at mbi (total_size bytes) up to the end tag.
 * A bad tag header ends the walk (the next tag cannot be found); a tag whose
 * header is sound but whose contents are not is skipped, and reported. */
static int mb2_walk_tags(struct boot_info *out, struct mb2_maps *maps, struct basic_meminfo *mem,
                         const uint8_t *mbi, uint32_t total_size)
{
    uint64_t offset = MB2_FIRST_TAG;
    int status = 0;

    while (offset + MB2_TAG_HEADER <= total_size) {
        const uint8_t *tag = mbi + offset;
        uint32_t type = read_u32(tag + MB2_TAG_TYPE);
        uint32_t size = read_u32(tag + MB2_TAG_SIZE);
        if (size < MB2_TAG_HEADER || size > total_size - offset) {
            if (type == MULTIBOOT2_TAG_MODULE)
                out->modules_dropped++; /* a module the walk cannot read */
            return -MULTIBOOT_ERR_MALFORMED;
        }
        if (type == MULTIBOOT2_TAG_END)
            return status;
        int tag_status = mb2_read_tag(out, maps, mem, tag, type, size);
        if (status == 0)
            status = tag_status;
        offset +=
            ((uint64_t)size + MULTIBOOT2_TAG_ALIGN - 1) & ~(uint64_t)(MULTIBOOT2_TAG_ALIGN - 1);
    }
    return -MULTIBOOT_ERR_MALFORMED; /* no end tag inside total_size */
}

int boot_info_from_multiboot2(struct boot_info *out, uint32_t mbi_phys, uintptr_t phys_window)
{
    const uint8_t *mbi = phys_to_ptr(phys_window, mbi_phys);
    uint32_t total_size = read_u32(mbi + MB2_TOTAL_SIZE);
    struct basic_meminfo mem = {.valid = false};
    struct raw_map raw;

    struct mb2_maps maps = {.mmap = NULL, .efi_mmap = NULL};

    begin(out, BOOT_PROTOCOL_MULTIBOOT2);
    raw.count = 0;
    raw.dropped = 0;
    int status = mb2_walk_tags(out, &maps, &mem, mbi, total_size);
    int map_status = mb2_read_maps(&raw, &maps);
    return finish(out, &raw, &mem, status ? status : map_status);
}
