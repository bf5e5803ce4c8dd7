/*
 * ramdisk.c - the module holding build/initrd.tar (see ramdisk.h).
 *
 * The archive stays where the loader put it (its frames are kept out of
 * the allocator) and is read through the direct map. It is checked whole
 * at boot, so later lookups only fail for names that are not there.
 */
#include <kernel/proc/ramdisk.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/layout.h>

#define USTAR_MAGIC_OFFSET 257

static const uint8_t *archive;
static size_t archive_size;

static bool is_ustar(const uint8_t *data, size_t size)
{
    return size > USTAR_MAGIC_OFFSET + 5 && memcmp(data + USTAR_MAGIC_OFFSET, "ustar", 5) == 0;
}

int ramdisk_init(const struct boot_info *info, const char **why)
{
    for (size_t i = 0; i < info->module_count; i++) {
        const struct boot_module *m = &info->modules[i];
        const uint8_t *data = phys_to_virt(m->phys_start);
        size_t size = (size_t)(m->phys_end - m->phys_start);
        if (!is_ustar(data, size))
            continue;
        struct ustar_reader reader;
        struct ustar_file file;
        int files = 0, result;
        ustar_open(&reader, data, size);
        while ((result = ustar_next(&reader, &file, why)) > 0)
            files += file.type == '0' || file.type == '\0';
        if (result < 0)
            return result;
        archive = data;
        archive_size = size;
        return files;
    }
    *why = "no module is a ustar archive";
    return -ENOENT;
}

bool ramdisk_present(void)
{
    return archive != NULL;
}

size_t ramdisk_size(void)
{
    return archive_size;
}

int ramdisk_find(const char *path, struct ustar_file *file)
{
    const char *why;
    if (!archive)
        return -ENOENT;
    return ustar_find(archive, archive_size, path, file, &why) == 0 ? 0 : -ENOENT;
}

int ramdisk_entry(size_t index, struct ustar_file *file)
{
    struct ustar_reader reader;
    const char *why;
    if (!archive)
        return 0;
    ustar_open(&reader, archive, archive_size);
    for (size_t seen = 0; ustar_next(&reader, file, &why) > 0;) {
        if (file->type != '0' && file->type != '\0')
            continue;
        if (seen++ == index)
            return 1;
    }
    return 0;
}
