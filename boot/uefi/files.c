/*
 * files.c - files from the loader's partition (see files.h).
 *
 * EFI_FILE_PROTOCOL.Open() takes a UCS-2 path relative to the directory it
 * is called on; from the root, "\KEEL\KERNEL.ELF" works (13.5 Open()).
 * The size comes from GetInfo() with EFI_FILE_INFO_ID (13.5, EFI_FILE_INFO);
 * Read() may return fewer bytes than asked only at the end of the file, so
 * a short read means the file changed or the medium failed.
 */
#include <boot/uefi/console.h>
#include <boot/uefi/files.h>

#include <stdbool.h>

#define PATH_UNITS      128 /* UCS-2 units of a path, the NUL included */
#define FILE_INFO_BYTES 512 /* EFI_FILE_INFO with a name of up to ~200 characters */

static const struct efi_guid loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static const struct efi_guid file_system_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static const struct efi_guid file_info_guid = EFI_FILE_INFO_ID;

efi_status files_open_root(efi_handle image, struct efi_boot_services *bs,
                           struct efi_file_protocol **root)
{
    struct efi_loaded_image_protocol *loaded;
    struct efi_simple_file_system_protocol *fs;
    efi_status status = bs->handle_protocol(image, &loaded_image_guid, (void **)&loaded);

    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "the firmware gives no Loaded Image protocol for the loader");
    status = bs->handle_protocol(loaded->device_handle, &file_system_guid, (void **)&fs);
    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "the loader's device has no FAT file system the firmware reads");
    status = fs->open_volume(fs, root);
    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "cannot open the loader's partition");
    return EFI_SUCCESS;
}

/* ASCII path -> UCS-2; false if it does not fit. */
static bool to_ucs2(const char *path, efi_char16 out[PATH_UNITS])
{
    size_t i = 0;

    for (; path[i]; i++) {
        if (i == PATH_UNITS - 1)
            return false;
        out[i] = (unsigned char)path[i];
    }
    out[i] = 0;
    return true;
}

efi_status files_open(struct efi_file_protocol *root, const char *path, bool missing_is_quiet,
                      struct efi_file_protocol **file, uint64_t *size)
{
    static uint64_t info_buffer[FILE_INFO_BYTES / sizeof(uint64_t)]; /* 8-aligned for GetInfo */
    efi_char16 name[PATH_UNITS];
    uint64_t info_size = sizeof(info_buffer);

    if (!to_ucs2(path, name))
        return uefi_fail(EFI_INVALID_PARAMETER, "path too long: %s", path);
    efi_status status = root->open(root, file, name, EFI_FILE_MODE_READ, 0);
    if (status == EFI_NOT_FOUND && missing_is_quiet)
        return status;
    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "cannot open %s on the loader's partition", path);
    status = (*file)->get_info(*file, &file_info_guid, &info_size, info_buffer);
    if (EFI_IS_ERROR(status)) {
        (*file)->close(*file);
        return uefi_fail(status, "cannot read the size of %s", path);
    }
    *size = ((const struct efi_file_info *)info_buffer)->file_size;
    return EFI_SUCCESS;
}

efi_status files_read_at(struct efi_file_protocol *file, const char *path, uint64_t offset,
                         void *dest, uint64_t size)
{
    uint64_t done = size;
    efi_status status = file->set_position(file, offset);

    if (!EFI_IS_ERROR(status))
        status = file->read(file, &done, dest);
    if (EFI_IS_ERROR(status))
        return uefi_fail(status, "cannot read %s (%llu bytes at %llu)", path,
                         (unsigned long long)size, (unsigned long long)offset);
    if (done != size)
        return uefi_fail(EFI_DEVICE_ERROR, "%s ends early: %llu of %llu bytes at %llu", path,
                         (unsigned long long)done, (unsigned long long)size,
                         (unsigned long long)offset);
    return EFI_SUCCESS;
}

efi_status files_load_whole(struct efi_file_protocol *root, struct efi_boot_services *bs,
                            const char *path, uint64_t max_address, uint64_t *phys, uint64_t *size)
{
    struct efi_file_protocol *file;
    efi_status status = files_open(root, path, false, &file, size);

    if (EFI_IS_ERROR(status))
        return status;
    uint64_t pages = (*size + EFI_PAGE_SIZE - 1) >> EFI_PAGE_SHIFT;
    *phys = max_address;
    status = bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, EFI_LOADER_DATA, pages ? pages : 1, phys);
    if (EFI_IS_ERROR(status))
        status = uefi_fail(status, "no room for %s (%llu KiB) below %#llx", path,
                           (unsigned long long)(*size >> 10), (unsigned long long)max_address);
    else
        status = files_read_at(file, path, 0, (void *)(uintptr_t)*phys, *size);
    file->close(file);
    return status;
}
