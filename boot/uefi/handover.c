/*
 * handover.c - from boot services to the kernel (see handover.h).
 *
 * UEFI 2.10, 7.4 ExitBootServices(): the call succeeds only with the key of
 * the current memory map; any allocation (even a message on ConOut) changes
 * the map, so nothing runs between the last GetMemoryMap() and the exit. If
 * the key went stale the call returns EFI_INVALID_PARAMETER and the map must
 * be fetched again; after a first failure only memory services may be used.
 * Everything the handover needs is allocated before that: the map buffer
 * (with room for the descriptors these allocations add), the information
 * block and the stack below 1 GiB (the kernel's 32-bit entry maps only the
 * first 1 GiB before it reads the block), and the page the trampoline is
 * copied to. The trampoline must run from an address below 4 GiB, because
 * it ends up executing 32-bit code; the loader image itself may sit higher.
 *
 * The block is built only after the exit, from the final map: the basic
 * memory map tag from the EFI map translated by boot/uefi/efi_memmap.c (the
 * kernel's own translation) and normalised by boot/memmap.c, and the raw
 * EFI map as its own tag.
 */
#include <boot/memmap.h>
#include <boot/multiboot/protocol.h>
#include <boot/uefi/console.h>
#include <boot/uefi/handover.h>
#include <lib/string.h>

#define LOADER_NAME           "Keel UEFI loader"
#define MAP_SLACK_DESCRIPTORS 32 /* the allocations below add a few descriptors */
#define EXIT_ATTEMPTS         4
#define BELOW_1_GIB           (0x40000000ull - 1)
#define STACK_BYTES           (16 * 1024)
#define INFO_FIXED_BYTES      (16 * 1024) /* strings, module, framebuffer and ACPI tags */
#define MAX_REGIONS           512

/* trampoline.S: position-independent code, copied before it is called. */
extern const uint8_t trampoline_start[], trampoline_end[];
typedef void(EFIAPI *trampoline_fn)(uint64_t entry, uint64_t info, uint64_t stack_top);

struct handover_memory {
    void *map;
    uint64_t map_capacity;
    uint8_t *info;
    uint64_t info_capacity;
    uint8_t *trampoline;
    uint64_t stack_top;
};

static struct mem_region raw_regions[MAX_REGIONS], regions[MAX_REGIONS];
static struct e820_entry entries[MAX_REGIONS];

static efi_status allocate(struct efi_boot_services *bs, uint32_t memory_type, uint64_t bytes,
                           uint64_t max_address, uint64_t *phys)
{
    uint64_t pages = (bytes + EFI_PAGE_SIZE - 1) >> EFI_PAGE_SHIFT;
    *phys = max_address;
    efi_status status = bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, memory_type, pages, phys);
    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "no %llu KiB of memory below %#llx for the handover",
                         (unsigned long long)(bytes >> 10), (unsigned long long)max_address);
    return EFI_SUCCESS;
}

static efi_status reserve_memory(struct efi_boot_services *bs, struct handover_memory *m)
{
    uint64_t size = 0, key, descriptor_size, phys;
    uint32_t version;
    efi_status status = bs->get_memory_map(&size, NULL, &key, &descriptor_size, &version);

    if (status != EFI_BUFFER_TOO_SMALL)
        return uefi_fail(status, "GetMemoryMap() does not tell the size of the map");
    m->map_capacity = size + MAP_SLACK_DESCRIPTORS * descriptor_size;
    m->info_capacity = 2 * m->map_capacity + INFO_FIXED_BYTES; /* tag 17 + tag 6 < 2 maps */
    status = allocate(bs, EFI_LOADER_DATA, m->map_capacity, UINT64_MAX, &phys);
    m->map = (void *)(uintptr_t)phys;
    if (!EFI_IS_ERROR(status))
        status = allocate(bs, EFI_LOADER_DATA, m->info_capacity, BELOW_1_GIB, &phys);
    m->info = (uint8_t *)(uintptr_t)phys;
    if (!EFI_IS_ERROR(status))
        status = allocate(bs, EFI_LOADER_CODE, EFI_PAGE_SIZE, BELOW_1_GIB, &phys);
    m->trampoline = (uint8_t *)(uintptr_t)phys;
    if (!EFI_IS_ERROR(status))
        status = allocate(bs, EFI_LOADER_DATA, STACK_BYTES, BELOW_1_GIB, &phys);
    m->stack_top = phys + STACK_BYTES;
    return status;
}

/* GetMemoryMap() + ExitBootServices(), again while the key is stale. */
static efi_status exit_boot_services(efi_handle image, struct efi_boot_services *bs,
                                     const struct handover_memory *m, uint64_t *map_size,
                                     uint64_t *descriptor_size, uint32_t *version)
{
    efi_status status = EFI_SUCCESS;
    int attempt;

    for (attempt = 1; attempt <= EXIT_ATTEMPTS; attempt++) {
        uint64_t key;
        *map_size = m->map_capacity;
        status = bs->get_memory_map(map_size, m->map, &key, descriptor_size, version);
        if (EFI_IS_ERROR(status))
            return uefi_fail(status, "GetMemoryMap() failed before ExitBootServices()");
        status = bs->exit_boot_services(image, key);
        if (status != EFI_INVALID_PARAMETER)
            break;
    }
    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "ExitBootServices() refused after %d attempts", attempt - 1);
    return EFI_SUCCESS;
}

static uint32_t multiboot_memory_type(enum mem_type type)
{
    switch (type) {
    case MEM_USABLE:
        return MULTIBOOT_MEMORY_AVAILABLE;
    case MEM_ACPI_RECLAIMABLE:
        return MULTIBOOT_MEMORY_ACPI_RECLAIMABLE;
    case MEM_ACPI_NVS:
        return MULTIBOOT_MEMORY_NVS;
    case MEM_BAD:
        return MULTIBOOT_MEMORY_BADRAM;
    case MEM_RESERVED:
        break;
    }
    return MULTIBOOT_MEMORY_RESERVED;
}

/* The basic memory map from the EFI map; returns the number of entries. */
static size_t basic_map(const struct handover_memory *m, uint64_t map_size,
                        uint64_t descriptor_size)
{
    size_t count, normalized;

    if (efi_memmap_to_regions(m->map, map_size, descriptor_size, raw_regions, MAX_REGIONS,
                              &count) != 0)
        uefi_fail_after_exit("the firmware's memory map has descriptors of %llu bytes",
                             (unsigned long long)descriptor_size);
    if (count > MAX_REGIONS)
        count = MAX_REGIONS; /* the kernel reads the EFI map tag, which has them all */
    normalized = memmap_normalize(raw_regions, count, regions, MAX_REGIONS);
    if (normalized > MAX_REGIONS)
        normalized = MAX_REGIONS;
    for (size_t i = 0; i < normalized; i++)
        entries[i] = (struct e820_entry){.base = regions[i].base,
                                         .length = regions[i].length,
                                         .type = multiboot_memory_type(regions[i].type),
                                         .acpi_attributes = E820_ACPI_ENTRY_VALID};
    return normalized;
}

static void build_info(const struct handover *h, const struct handover_memory *m, uint64_t map_size,
                       uint64_t descriptor_size, uint32_t version)
{
    size_t count = basic_map(m, map_size, descriptor_size);
    struct mb2_extra_tags extra = {.modules = h->modules,
                                   .module_count = h->module_count,
                                   .framebuffer = h->framebuffer,
                                   .rsdp = h->rsdp,
                                   .rsdp_length = h->rsdp_length,
                                   .efi_map = m->map,
                                   .efi_map_size = map_size,
                                   .efi_descriptor_size = (uint32_t)descriptor_size,
                                   .efi_descriptor_version = version};

    if (!mb2_build_info_extra(m->info, m->info_capacity, h->cmdline, LOADER_NAME, entries, count,
                              &extra))
        uefi_fail_after_exit("the Multiboot 2 information does not fit in %llu KiB",
                             (unsigned long long)(m->info_capacity >> 10));
    uefi_printf("memory: %zu EFI descriptors, %zu regions; information at %p\n",
                (size_t)(map_size / descriptor_size), count, (void *)m->info);
}

efi_status handover_start(efi_handle image, struct efi_boot_services *bs, const struct handover *h)
{
    struct handover_memory m;
    uint64_t map_size, descriptor_size;
    uint32_t version;
    efi_status status = reserve_memory(bs, &m);

    if (EFI_IS_ERROR(status))
        return status;
    uefi_printf("exiting boot services; the kernel starts at %#x\n", (unsigned)h->entry);
    status = exit_boot_services(image, bs, &m, &map_size, &descriptor_size, &version);
    if (EFI_IS_ERROR(status))
        return status;
    __asm__ volatile("cli" : : : "memory"); /* the firmware's interrupt handlers are gone */
    uefi_console_after_exit();
    build_info(h, &m, map_size, descriptor_size, version);
    memcpy(m.trampoline, trampoline_start, (size_t)(trampoline_end - trampoline_start));
    ((trampoline_fn)(uintptr_t)m.trampoline)(h->entry, (uint64_t)(uintptr_t)m.info, m.stack_top);
    uefi_fail_after_exit("the trampoline returned");
}
