/*
 * kernel_load.c - kernel and modules from the ESP into memory (see
 * kernel_load.h).
 *
 * Only the first ELF_HEAD_BYTES of the kernel are read before planning:
 * they must hold the ELF and program headers and the Multiboot 2 header
 * (which lies in the first 32 KiB, Multiboot 2 spec 3.1.1), as for stage 2.
 * Then each segment's file bytes are read once, to their final place.
 */
#include <boot/multiboot/protocol.h>
#include <boot/uefi/console.h>
#include <boot/uefi/files.h>
#include <boot/uefi/kernel_load.h>
#include <lib/string.h>

#define ELF_HEAD_BYTES MULTIBOOT2_HEADER_SEARCH_LIMIT
#define FOUR_GIB       0x100000000ull
#define KIB            1024u

/* Pages covering [phys, phys + size), from the page phys lies in. */
static uint64_t pages_spanned(uint64_t phys, uint64_t size)
{
    uint64_t first = phys >> EFI_PAGE_SHIFT;
    uint64_t end = (phys + size + EFI_PAGE_SIZE - 1) >> EFI_PAGE_SHIFT;
    return end - first;
}

/* The firmware's pages at a segment's address, or a message naming them. */
static efi_status claim_segment(struct efi_boot_services *bs, const struct elf_segment *seg)
{
    uint64_t base = seg->phys_addr & ~(EFI_PAGE_SIZE - 1);
    uint64_t pages = pages_spanned(seg->phys_addr, seg->mem_size);
    uint64_t address = base;
    efi_status status = bs->allocate_pages(EFI_ALLOCATE_ADDRESS, EFI_LOADER_DATA, pages, &address);

    if (EFI_IS_ERROR(status))
        return uefi_fail(
            status, "the firmware holds memory %#llx-%#llx, where the kernel must be loaded",
            (unsigned long long)base, (unsigned long long)(base + (pages << EFI_PAGE_SHIFT) - 1));
    return EFI_SUCCESS;
}

static efi_status check_kernel(const void *head, size_t head_len, uint64_t file_size,
                               const char *path, struct elf_load_plan *plan)
{
    enum elf_error err = elf_plan_load(head, head_len, file_size, plan);

    if (err != ELF_OK)
        return uefi_fail(EFI_LOAD_ERROR, "%s is no kernel Keel can load: %s", path,
                         elf_error_text(err));
    if (!multiboot2_header_present(head, head_len))
        return uefi_fail(EFI_LOAD_ERROR, "%s has no Multiboot 2 header", path);
    return EFI_SUCCESS;
}

/* Claim, read and zero every segment of the plan. */
static efi_status place_segments(struct efi_file_protocol *file, struct efi_boot_services *bs,
                                 const char *path, const struct elf_load_plan *plan)
{
    for (size_t i = 0; i < plan->segment_count; i++) {
        const struct elf_segment *seg = &plan->segments[i];
        uint8_t *dest = (uint8_t *)(uintptr_t)seg->phys_addr; /* UEFI maps memory 1:1 (2.3.4) */
        efi_status status = claim_segment(bs, seg);
        if (EFI_IS_ERROR(status))
            return status;
        if (seg->file_size) {
            status = files_read_at(file, path, seg->file_offset, dest, seg->file_size);
            if (EFI_IS_ERROR(status))
                return status;
        }
        memset(dest + seg->file_size, 0, (size_t)(seg->mem_size - seg->file_size));
    }
    return EFI_SUCCESS;
}

efi_status kernel_load(struct efi_file_protocol *root, struct efi_boot_services *bs,
                       const char *path, struct elf_load_plan *plan)
{
    static uint8_t head[ELF_HEAD_BYTES];
    struct efi_file_protocol *file;
    uint64_t size;
    efi_status status = files_open(root, path, false, &file, &size);

    if (EFI_IS_ERROR(status))
        return status;
    size_t head_len = size < ELF_HEAD_BYTES ? (size_t)size : ELF_HEAD_BYTES;
    status = files_read_at(file, path, 0, head, head_len);
    if (!EFI_IS_ERROR(status))
        status = check_kernel(head, head_len, size, path, plan);
    if (!EFI_IS_ERROR(status))
        status = place_segments(file, bs, path, plan);
    file->close(file);
    if (!EFI_IS_ERROR(status))
        uefi_printf("kernel: %s, %llu KiB, %zu segments, entry %#x\n", path,
                    (unsigned long long)(size / KIB), plan->segment_count, (unsigned)plan->entry);
    return status;
}

efi_status modules_load(struct efi_file_protocol *root, struct efi_boot_services *bs,
                        const struct boot_cfg *cfg, struct mb2_module *modules)
{
    for (size_t i = 0; i < cfg->module_count; i++) {
        const struct boot_cfg_module *m = &cfg->modules[i];
        uint64_t phys, size;
        efi_status status = files_load_whole(root, bs, m->path, FOUR_GIB - 1, &phys, &size);
        if (EFI_IS_ERROR(status))
            return status;
        modules[i] = (struct mb2_module){.start = phys, .end = phys + size, .cmdline = m->cmdline};
        uefi_printf("module: %s, %llu KiB at %#llx\n", m->path, (unsigned long long)(size / KIB),
                    (unsigned long long)phys);
    }
    return EFI_SUCCESS;
}
