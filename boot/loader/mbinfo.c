/*
 * mbinfo.c - turn the BIOS's memory answers into a Multiboot 2 information
 * block (see mbinfo.h).
 *
 * Sources: ACPI spec, "INT 15H, E820H - Query System Address Map" (20- or
 * 24-byte entries, extended attribute bit 0 = "enabled"); Ralf Brown's
 * interrupt list, INT 15h AX=E801h (AX/CX: KiB between 1 and 16 MiB, at most
 * 3C00h = 15 MiB; BX/DX: 64 KiB blocks above 16 MiB); "Multiboot2
 * Specification" 2.0, section 3.6 (boot information: fixed part, then tags
 * 8-byte aligned, a tag's size counting its header but not its padding).
 *
 * The tags only the UEFI loader gives: modules (3.6.6), framebuffer
 * (3.6.12, as GRUB writes it: a u16 reserved after the type, so the colour
 * fields start at byte 32, which is where boot/multiboot/multiboot.c reads
 * them), ACPI old and new RSDP (3.6.16-17) and the EFI memory map (3.6.19).
 *
 * Runs in stage 2 (32-bit code): no 64-bit division, only shifts; the block
 * is written byte by byte in little endian, so the host tests produce the
 * very same bytes.
 */
#include <boot/loader/mbinfo.h>
#include <boot/multiboot/protocol.h>

#include <lib/string.h>

#define KIB_SHIFT          10            /* bytes = KiB << 10 */
#define BLOCK_64K_SHIFT    16            /* E801 BX/DX count 64 KiB blocks */
#define CONVENTIONAL_MAX   (640u * 1024) /* above it: VGA memory and ROMs */
#define UPPER_MEMORY_START 0x100000u     /* 1 MiB */
#define E801_BOUNDARY      0x1000000u    /* 16 MiB: where BX/DX memory starts */
#define E801_EXT_MAX_KIB   15360u        /* AX/CX at most 3C00h: 1 MiB .. 16 MiB */

/* The Multiboot 2 offsets (MB2_*) are in boot/multiboot/protocol.h. */
#define MB2_MMAP_VERSION 0
/* Far more entries than any BIOS returns; keeps every size below 2^32. */
#define MB2_MMAP_MAX_ENTRIES 0x100000u
#define FOUR_GIB             0x100000000ull /* module addresses are u32 */
/* Any real EFI map or RSDP is far smaller; keeps every sum below 2^63. */
#define MB2_BLOB_MAX 0x10000000u

/* The memory map tag carries the BIOS's E820 types unchanged. */
_Static_assert(E820_TYPE_USABLE == MULTIBOOT_MEMORY_AVAILABLE &&
                   E820_TYPE_RESERVED == MULTIBOOT_MEMORY_RESERVED &&
                   E820_TYPE_ACPI_RECLAIMABLE == MULTIBOOT_MEMORY_ACPI_RECLAIMABLE &&
                   E820_TYPE_ACPI_NVS == MULTIBOOT_MEMORY_NVS &&
                   E820_TYPE_BAD == MULTIBOOT_MEMORY_BADRAM,
               "E820 and Multiboot number memory types alike");

bool e820_accept(struct e820_entry *entry, uint32_t size)
{
    if (size < E820_ENTRY_MIN_SIZE)
        return false; /* the BIOS did not even fill base, length and type */
    if (size < E820_ENTRY_FULL_SIZE)
        entry->acpi_attributes = E820_ACPI_ENTRY_VALID; /* pre-ACPI 3.0: all valid */
    return entry->length != 0 && (entry->acpi_attributes & E820_ACPI_ENTRY_VALID) != 0;
}

static struct e820_entry usable_entry(uint64_t base, uint64_t length)
{
    struct e820_entry entry = {.base = base,
                               .length = length,
                               .type = E820_TYPE_USABLE,
                               .acpi_attributes = E820_ACPI_ENTRY_VALID};
    return entry;
}

size_t e801_to_map(uint32_t conventional_kib, uint32_t ext_1m_16m_kib, uint32_t ext_16m_64k,
                   struct e820_entry out[3])
{
    uint64_t conventional = (uint64_t)conventional_kib << KIB_SHIFT;
    uint32_t ext_kib = ext_1m_16m_kib < E801_EXT_MAX_KIB ? ext_1m_16m_kib : E801_EXT_MAX_KIB;
    size_t count = 0;

    /* Clamp what cannot be RAM: above 640 KiB and from 16 MiB on, the
     * BIOS's other answers (or the VGA window) own the addresses. */
    if (conventional > CONVENTIONAL_MAX)
        conventional = CONVENTIONAL_MAX;
    if (conventional > 0)
        out[count++] = usable_entry(0, conventional);
    if (ext_kib > 0)
        out[count++] = usable_entry(UPPER_MEMORY_START, (uint64_t)ext_kib << KIB_SHIFT);
    /* Reported even when 1-16 MiB had a hole: the BIOS says it exists. */
    if (ext_16m_64k > 0)
        out[count++] = usable_entry(E801_BOUNDARY, (uint64_t)ext_16m_64k << BLOCK_64K_SHIFT);
    return count;
}

/* One past the last byte of an entry, saturating at 2^64 - 1. */
static uint64_t entry_end(const struct e820_entry *entry)
{
    return entry->length > UINT64_MAX - entry->base ? UINT64_MAX : entry->base + entry->length;
}

/* End of the usable memory that runs without a gap from `start`: usable
 * entries may come in any order, split or overlapping; any other entry
 * overlapping the run cuts it short. Returns start when none is usable. */
static uint64_t usable_run_end(const struct e820_entry *map, size_t count, uint64_t start)
{
    uint64_t end = start;
    bool grew = true;

    while (grew) {
        grew = false;
        for (size_t i = 0; i < count; i++)
            if (map[i].type == E820_TYPE_USABLE && map[i].base <= end && entry_end(&map[i]) > end) {
                end = entry_end(&map[i]);
                grew = true;
            }
    }
    for (size_t i = 0; i < count; i++)
        if (map[i].type != E820_TYPE_USABLE && map[i].length > 0 && map[i].base < end &&
            entry_end(&map[i]) > start)
            end = map[i].base > start ? map[i].base : start;
    return end;
}

void e820_basic_memory(const struct e820_entry *map, size_t count, uint32_t *mem_lower_kib,
                       uint32_t *mem_upper_kib)
{
    uint64_t lower = usable_run_end(map, count, 0);
    uint64_t upper = usable_run_end(map, count, UPPER_MEMORY_START) - UPPER_MEMORY_START;

    /* mem_lower is at most 640 KiB (spec 3.6.3); mem_upper saturates at
     * what a u32 of KiB can say (4 TiB). */
    if (lower > CONVENTIONAL_MAX)
        lower = CONVENTIONAL_MAX;
    upper >>= KIB_SHIFT;
    *mem_lower_kib = (uint32_t)(lower >> KIB_SHIFT);
    *mem_upper_kib = upper > UINT32_MAX ? UINT32_MAX : (uint32_t)upper;
}

static uint64_t align_tag(uint64_t size)
{
    return (size + MULTIBOOT2_TAG_ALIGN - 1) & ~(uint64_t)(MULTIBOOT2_TAG_ALIGN - 1);
}

static void write_u32(uint8_t *p, uint32_t value)
{
    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
    p[2] = (uint8_t)(value >> 16);
    p[3] = (uint8_t)(value >> 24);
}

static void write_u64(uint8_t *p, uint64_t value)
{
    write_u32(p, (uint32_t)value);
    write_u32(p + 4, (uint32_t)(value >> 32));
}

/* Write a tag header and zero the tag's padding; returns the aligned size. */
static size_t begin_tag(uint8_t *tag, uint32_t type, size_t size)
{
    size_t aligned = (size_t)align_tag(size); /* size < 2^32: checked by the caller */

    write_u32(tag, type);
    write_u32(tag + MB2_TAG_SIZE, (uint32_t)size);
    memset(tag + size, 0, aligned - size);
    return aligned;
}

/* Write a string tag (command line or loader name); returns its aligned size. */
static size_t put_string_tag(uint8_t *tag, uint32_t type, const char *text, size_t text_len)
{
    size_t size = MB2_TAG_HEADER + text_len + 1;

    memcpy(tag + MB2_TAG_HEADER, text, text_len);
    tag[MB2_TAG_HEADER + text_len] = '\0';
    return begin_tag(tag, type, size);
}

static size_t put_meminfo_tag(uint8_t *tag, const struct e820_entry *map, size_t count)
{
    uint32_t lower_kib, upper_kib;

    e820_basic_memory(map, count, &lower_kib, &upper_kib);
    write_u32(tag + MB2_MEMINFO_LOWER, lower_kib);
    write_u32(tag + MB2_MEMINFO_UPPER, upper_kib);
    return begin_tag(tag, MULTIBOOT2_TAG_BASIC_MEMINFO, MB2_MEMINFO_SIZE);
}

static size_t put_mmap_tag(uint8_t *tag, const struct e820_entry *map, size_t count)
{
    write_u32(tag + MB2_MMAP_ENTRY_SIZE_AT, MB2_MMAP_ENTRY_BYTES);
    write_u32(tag + MB2_MMAP_ENTRY_VERSION_AT, MB2_MMAP_VERSION);
    for (size_t i = 0; i < count; i++) {
        uint8_t *entry = tag + MB2_MMAP_ENTRIES + i * MB2_MMAP_ENTRY_BYTES;
        write_u64(entry + MB2_ENTRY_BASE, map[i].base);
        write_u64(entry + MB2_ENTRY_LENGTH, map[i].length);
        write_u32(entry + MB2_ENTRY_TYPE, map[i].type); /* E820 type = Multiboot type */
        write_u32(entry + MB2_ENTRY_RESERVED, 0);
    }
    return begin_tag(tag, MULTIBOOT2_TAG_MMAP, MB2_MMAP_ENTRIES + count * MB2_MMAP_ENTRY_BYTES);
}

/* Bytes the tags of *extra take, or 0 when they cannot be written. */
static uint64_t extra_size(const struct mb2_extra_tags *extra)
{
    uint64_t size = 0;

    if (!extra)
        return 0;
    if (extra->module_count > MB2_MMAP_MAX_ENTRIES || extra->efi_map_size > MB2_BLOB_MAX ||
        extra->rsdp_length > MB2_BLOB_MAX)
        return UINT64_MAX;
    for (size_t i = 0; i < extra->module_count; i++) {
        const struct mb2_module *m = &extra->modules[i];
        if (m->start > m->end || m->end >= FOUR_GIB) /* mod_end is a u32 too */
            return UINT64_MAX;
        size += align_tag(MB2_MODULE_STRING + (uint64_t)strlen(m->cmdline ? m->cmdline : "") + 1);
    }
    if (extra->framebuffer)
        size += align_tag(MB2_FB_RGB_SIZE);
    if (extra->rsdp) {
        if (extra->rsdp_length != MB2_RSDP_OLD_LENGTH && extra->rsdp_length < MB2_RSDP_NEW_LENGTH)
            return UINT64_MAX;
        size += align_tag(MB2_TAG_HEADER + (uint64_t)extra->rsdp_length);
    }
    if (extra->efi_map)
        size += align_tag(MB2_EFI_MMAP_ENTRIES + (uint64_t)extra->efi_map_size);
    return size;
}

static size_t put_module_tag(uint8_t *tag, const struct mb2_module *module)
{
    const char *text = module->cmdline ? module->cmdline : "";
    size_t len = strlen(text);

    write_u32(tag + MB2_MODULE_START, (uint32_t)module->start); /* < 4 GiB: checked */
    write_u32(tag + MB2_MODULE_END, (uint32_t)module->end);
    memcpy(tag + MB2_MODULE_STRING, text, len + 1);
    return begin_tag(tag, MULTIBOOT2_TAG_MODULE, MB2_MODULE_STRING + len + 1);
}

static size_t put_framebuffer_tag(uint8_t *tag, const struct mb2_framebuffer *fb)
{
    const uint8_t colors[6] = {fb->red_position, fb->red_size,      fb->green_position,
                               fb->green_size,   fb->blue_position, fb->blue_size};

    write_u64(tag + MB2_FB_ADDR, fb->addr);
    write_u32(tag + MB2_FB_PITCH, fb->pitch);
    write_u32(tag + MB2_FB_WIDTH, fb->width);
    write_u32(tag + MB2_FB_HEIGHT, fb->height);
    tag[MB2_FB_BPP] = fb->bpp;
    tag[MB2_FB_TYPE] = MULTIBOOT2_FRAMEBUFFER_RGB;
    tag[MB2_FB_RESERVED] = 0;
    tag[MB2_FB_RESERVED + 1] = 0;
    memcpy(tag + MB2_FB_COLORS, colors, sizeof(colors));
    return begin_tag(tag, MULTIBOOT2_TAG_FRAMEBUFFER, MB2_FB_RGB_SIZE);
}

/* A tag of `type` whose body is `len` bytes copied from src after `header`
 * bytes the caller fills (the tag header included). */
static size_t put_blob_tag(uint8_t *tag, uint32_t type, size_t header, const void *src, size_t len)
{
    memcpy(tag + header, src, len);
    return begin_tag(tag, type, header + len);
}

static size_t put_extra_tags(uint8_t *tag, const struct mb2_extra_tags *extra)
{
    size_t offset = 0;

    for (size_t i = 0; i < extra->module_count; i++)
        offset += put_module_tag(tag + offset, &extra->modules[i]);
    if (extra->framebuffer)
        offset += put_framebuffer_tag(tag + offset, extra->framebuffer);
    if (extra->rsdp)
        offset += put_blob_tag(tag + offset,
                               extra->rsdp_length == MB2_RSDP_OLD_LENGTH ? MULTIBOOT2_TAG_ACPI_OLD
                                                                         : MULTIBOOT2_TAG_ACPI_NEW,
                               MB2_TAG_HEADER, extra->rsdp, extra->rsdp_length);
    if (extra->efi_map) {
        write_u32(tag + offset + MB2_EFI_MMAP_DESC_SIZE, extra->efi_descriptor_size);
        write_u32(tag + offset + MB2_EFI_MMAP_DESC_VERS, extra->efi_descriptor_version);
        offset += put_blob_tag(tag + offset, MULTIBOOT2_TAG_EFI_MMAP, MB2_EFI_MMAP_ENTRIES,
                               extra->efi_map, extra->efi_map_size);
    }
    return offset;
}

size_t mb2_build_info_extra(void *buf, size_t capacity, const char *cmdline,
                            const char *loader_name, const struct e820_entry *map, size_t count,
                            const struct mb2_extra_tags *extra)
{
    const char *cmd = cmdline ? cmdline : "";
    const char *name = loader_name ? loader_name : "";
    size_t cmd_len = strlen(cmd), name_len = strlen(name);
    uint64_t extras = extra_size(extra);
    uint8_t *block = buf;
    uint64_t needed;
    size_t offset = MB2_FIRST_TAG;

    if (count > MB2_MMAP_MAX_ENTRIES || extras == UINT64_MAX)
        return 0;
    /* Sizes summed in 64 bits, so no term can wrap before the comparison. */
    needed = (uint64_t)MB2_FIRST_TAG + align_tag(MB2_TAG_HEADER + (uint64_t)cmd_len + 1) +
             align_tag(MB2_TAG_HEADER + (uint64_t)name_len + 1) + MB2_MEMINFO_SIZE +
             align_tag(MB2_MMAP_ENTRIES + count * MB2_MMAP_ENTRY_BYTES) + extras + MB2_TAG_HEADER;
    if (needed > capacity || needed > UINT32_MAX)
        return 0;

    offset += put_string_tag(block + offset, MULTIBOOT2_TAG_CMDLINE, cmd, cmd_len);
    offset += put_string_tag(block + offset, MULTIBOOT2_TAG_LOADER_NAME, name, name_len);
    offset += put_meminfo_tag(block + offset, map, count);
    offset += put_mmap_tag(block + offset, map, count);
    if (extra)
        offset += put_extra_tags(block + offset, extra);
    offset += begin_tag(block + offset, MULTIBOOT2_TAG_END, MB2_TAG_HEADER);
    write_u32(block + MB2_TOTAL_SIZE, (uint32_t)offset);
    write_u32(block + MB2_RESERVED, 0); /* always zero (spec 3.6.2) */
    return offset;
}

size_t mb2_build_info(void *buf, size_t capacity, const char *cmdline, const char *loader_name,
                      const struct e820_entry *map, size_t count)
{
    return mb2_build_info_extra(buf, capacity, cmdline, loader_name, map, count, NULL);
}
