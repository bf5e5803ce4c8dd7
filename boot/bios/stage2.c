/*
 * stage2.c - Keel's BIOS loader, second stage: from the disk to the kernel.
 *
 * Entered in 32-bit protected mode (stage2_entry.S) with the boot drive and
 * the MBR's active partition entry. Steps, each with a clear message when
 * it fails:
 *   1. check stage 2's own checksum and the boot header (boot/bios/bootimg.h)
 *   2. enable A20, get the memory map (E820, else E801)
 *   3. read the kernel ELF file in chunks of 127 sectors (the most one BIOS
 *      call may read, loader.h); the first chunk must hold
 *      the ELF and program headers and a Multiboot 2 header; every PT_LOAD
 *      segment is copied to its physical address as its bytes stream past
 *   4. check the file's CRC-32, zero the .bss parts
 *   5. load the ramdisk above the kernel (ramdisk.c), if the image has one,
 *      build a Multiboot 2 information block and jump to the entry point
 *      with EAX = MULTIBOOT2_BOOTLOADER_MAGIC, EBX = the block, like any
 *      Multiboot 2 loader.
 * Where everything lies in low memory: addresses.h.
 */
#include <boot/bios/bootimg.h>
#include <lib/crc32.h>
#include <lib/string.h>

#include <boot/bios/bios.h>
#include <boot/bios/loader.h>
#include <boot/loader/elf_load.h>

#define LOADER_NAME   "Keel BIOS loader"
#define PROGRESS_DOTS 40
#define KIB           1024u

/* The first chunk read is the part of the file that is planned from. */
#define FIRST_READ_BYTES (LOADER_BOUNCE_SECTORS * BOOTIMG_SECTOR_SIZE)
_Static_assert(FIRST_READ_BYTES <= LOADER_ELF_HEAD_SIZE, "the first chunk fits its area");

static struct e820_entry memory_map[LOADER_MAX_E820];
static size_t memory_map_count;

/* Whether [base, base + size) lies inside one usable region of the map. */
bool memory_usable(uint64_t base, uint64_t size)
{
    for (size_t i = 0; i < memory_map_count; i++) {
        const struct e820_entry *e = &memory_map[i];
        if (e->type == E820_TYPE_USABLE && e->base <= base && base + size <= e->base + e->length)
            return true;
    }
    return false;
}

static uint64_t usable_bytes(void)
{
    uint64_t total = 0;
    for (size_t i = 0; i < memory_map_count; i++)
        if (memory_map[i].type == E820_TYPE_USABLE)
            total += memory_map[i].length;
    return total;
}

/* CRC-32 of stage 2 as stage 1 loaded it. Must run before the first BIOS
 * call, which patches the thunk's `int` instruction (stage2_entry.S); the
 * variables are not covered, .bss starts on the page after the image. */
static uint32_t stage2_crc(void)
{
    const struct bootimg_header *header = (const struct bootimg_header *)BOOT_HEADER_ADDR;
    uint32_t sectors = header->stage2_sectors;
    if (sectors > BOOTIMG_STAGE2_MAX_SECTORS)
        sectors = BOOTIMG_STAGE2_MAX_SECTORS; /* bootimg_check reports it below */
    return crc32_update(0, (const void *)STAGE2_ADDR, sectors * BOOTIMG_SECTOR_SIZE);
}

static const struct bootimg_header *check_image(uint32_t crc)
{
    const struct bootimg_header *header = (const struct bootimg_header *)BOOT_HEADER_ADDR;
    enum bootimg_error err = bootimg_check(header);
    if (err != BOOTIMG_OK)
        loader_fail("bad image header: %s", bootimg_error_text(err));
    if (crc != header->stage2_crc32)
        loader_fail("stage 2 is damaged (CRC-32 %08x, header says %08x)", (unsigned)crc,
                    (unsigned)header->stage2_crc32);
    return header;
}

static void detect_memory(void)
{
    const char *method;
    memory_map_count = memory_detect(memory_map, LOADER_MAX_E820, &method);
    if (memory_map_count == 0)
        loader_fail("the BIOS reports no memory map (E820 and E801 both failed)");
    uint32_t low_kib = memory_conventional_kib();
    loader_printf("memory: %llu MiB usable (%s, %u entries), %u KiB below 640 KiB\n",
                  (unsigned long long)(usable_bytes() >> 20), method, (unsigned)memory_map_count,
                  (unsigned)low_kib);
    if (low_kib * KIB < LOADER_LOW_MEMORY_END)
        loader_fail("not enough memory below the load address: %u KiB, need %u KiB",
                    (unsigned)low_kib, LOADER_LOW_MEMORY_END / KIB);
}

/* Check the first chunk of the kernel file and plan its segments. */
static void plan_kernel(const struct bootimg_header *header, struct elf_load_plan *plan)
{
    size_t head = header->kernel_bytes < FIRST_READ_BYTES ? header->kernel_bytes : FIRST_READ_BYTES;
    enum elf_error err =
        elf_plan_load((const void *)LOADER_ELF_HEAD_ADDR, head, header->kernel_bytes, plan);
    if (err != ELF_OK)
        loader_fail("bad kernel ELF: %s", elf_error_text(err));
    if (!multiboot2_header_present((const void *)LOADER_ELF_HEAD_ADDR, head))
        loader_fail("the kernel has no Multiboot 2 header");
    for (size_t i = 0; i < plan->segment_count; i++) {
        const struct elf_segment *s = &plan->segments[i];
        if (!memory_usable(s->phys_addr, s->mem_size))
            loader_fail("not enough memory for the kernel (%llu KiB at 0x%llx)",
                        (unsigned long long)(s->mem_size / KIB), (unsigned long long)s->phys_addr);
    }
}

/* Copy the part of file bytes [offset, offset + len) in `chunk` that
 * belongs to a segment to the segment's place in memory. */
static void place_chunk(const struct elf_load_plan *plan, uint64_t offset, const uint8_t *chunk,
                        uint64_t len)
{
    for (size_t i = 0; i < plan->segment_count; i++) {
        const struct elf_segment *s = &plan->segments[i];
        uint64_t start = offset > s->file_offset ? offset : s->file_offset;
        uint64_t end = offset + len;
        if (end > s->file_offset + s->file_size)
            end = s->file_offset + s->file_size;
        if (start >= end)
            continue;
        memcpy((void *)(uintptr_t)(s->phys_addr + (start - s->file_offset)),
               chunk + (start - offset), (size_t)(end - start));
    }
}

/* Stream the kernel file through the bounce buffer in chunks: the first
 * chunk is checked and planned from, every chunk's segment bytes are put in
 * place, the CRC-32 covers the whole file. A line of '#' grows meanwhile. */
static void load_kernel(const struct bootimg_header *header, uint64_t partition_lba,
                        struct elf_load_plan *plan)
{
    uint32_t bytes = header->kernel_bytes;
    uint32_t sectors = (bytes + BOOTIMG_SECTOR_SIZE - 1) / BOOTIMG_SECTOR_SIZE;
    uint32_t crc = 0, dots = 0;
    loader_printf("kernel: %u KiB ", (unsigned)(bytes / KIB));
    for (uint32_t done = 0; done < sectors;) {
        uint32_t count =
            sectors - done < LOADER_BOUNCE_SECTORS ? sectors - done : LOADER_BOUNCE_SECTORS;
        const uint8_t *chunk =
            disk_read_to_bounce(partition_lba + header->kernel_lba + done, count);
        uint32_t offset = done * BOOTIMG_SECTOR_SIZE;
        uint32_t len = bytes - offset < count * BOOTIMG_SECTOR_SIZE ? bytes - offset
                                                                    : count * BOOTIMG_SECTOR_SIZE;
        crc = crc32_update(crc, chunk, len);
        if (offset == 0) {
            memcpy((void *)LOADER_ELF_HEAD_ADDR, chunk, len);
            plan_kernel(header, plan);
            loader_printf("[");
        }
        place_chunk(plan, offset, chunk, len);
        done += count;
        for (; dots < (uint64_t)done * PROGRESS_DOTS / sectors; dots++)
            loader_printf("#");
    }
    loader_printf("]\n");
    if (crc != header->kernel_crc32)
        loader_fail("the kernel is damaged (CRC-32 %08x, header says %08x)", (unsigned)crc,
                    (unsigned)header->kernel_crc32);
    for (size_t i = 0; i < plan->segment_count; i++) {
        const struct elf_segment *s = &plan->segments[i];
        memset((void *)(uintptr_t)(s->phys_addr + s->file_size), 0,
               (size_t)(s->mem_size - s->file_size));
    }
}

__attribute__((noreturn)) void stage2_main(uint32_t drive, uint32_t partition_entry);

void stage2_main(uint32_t drive, uint32_t partition_entry)
{
    uint32_t crc = stage2_crc();
    loader_console_init();
    loader_printf("Keel BIOS loader\n");
    const struct bootimg_header *header = check_image(crc);
    uint32_t partition_lba;
    memcpy(&partition_lba, (const void *)(uintptr_t)(partition_entry + MBR_ENTRY_LBA_START),
           sizeof(partition_lba));
    disk_init((uint8_t)drive);
    loader_printf("disk: BIOS drive 0x%02x, partition at sector %u\n", (unsigned)drive,
                  (unsigned)partition_lba);

    const char *a20 = a20_enable();
    if (!a20)
        loader_fail("cannot enable the A20 line (BIOS, port 0x92 and keyboard controller tried)");
    loader_printf("A20: %s\n", a20);
    detect_memory();

    static struct elf_load_plan plan;
    load_kernel(header, partition_lba, &plan);

    struct mb2_module ramdisk;
    struct mb2_extra_tags modules = {.modules = &ramdisk, .module_count = 0};
    if (ramdisk_load(header, partition_lba, &plan, &ramdisk))
        modules.module_count = 1;

    size_t info_size =
        mb2_build_info_extra((void *)LOADER_INFO_ADDR, LOADER_INFO_SIZE, header->cmdline,
                             LOADER_NAME, memory_map, memory_map_count, &modules);
    if (info_size == 0)
        loader_fail("the Multiboot 2 information does not fit in %u KiB", LOADER_INFO_SIZE / KIB);
    loader_printf("starting the kernel at 0x%x\n", (unsigned)plan.entry);
    enter_kernel(plan.entry, LOADER_INFO_ADDR);
}
