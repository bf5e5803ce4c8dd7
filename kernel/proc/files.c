/*
 * files.c - the console and the ramdisk as files (see files.h).
 */
#include <kernel/proc/files.h>
#include <kernel/proc/ramdisk.h>
#include <kernel/proc/uaccess.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/kheap.h>

#define MODE_MASK 07777

static struct file console = {.kind = FILE_CONSOLE};

struct file *file_console(void)
{
    return &console;
}

static bool is_root(const char *path)
{
    return path[0] == '\0' || strcmp(path, "/") == 0;
}

int file_open(const char *path, struct file **out)
{
    struct file f = {.kind = FILE_DIRECTORY};
    if (!is_root(path)) {
        f.kind = FILE_RAMDISK;
        if (ramdisk_find(path, &f.entry) != 0)
            return -ENOENT;
    }
    struct file *copy = kmalloc(sizeof(*copy));
    if (!copy)
        return -ENOMEM;
    *copy = f;
    *out = copy;
    return 0;
}

void file_close(struct file *f)
{
    if (f != &console)
        kfree(f);
}

long file_read_user(struct file *f, uint64_t dst, size_t n)
{
    if (f->offset >= f->entry.size)
        return 0;
    uint64_t left = f->entry.size - f->offset;
    if (n > left)
        n = (size_t)left;
    int err = copy_to_user(dst, f->entry.data + f->offset, n);
    if (err)
        return err;
    f->offset += n;
    return (long)n;
}

static void fill_stat(const struct ustar_file *entry, struct keel_stat *st)
{
    st->size = entry->size;
    st->type = KEEL_FILE_REGULAR;
    st->mode = entry->mode & MODE_MASK;
}

int file_stat(const char *path, struct keel_stat *st)
{
    memset(st, 0, sizeof(*st));
    if (is_root(path)) {
        st->type = KEEL_FILE_DIRECTORY;
        st->mode = 0755;
        return 0;
    }
    struct ustar_file entry;
    if (ramdisk_find(path, &entry) != 0)
        return -ENOENT;
    fill_stat(&entry, st);
    return 0;
}

int file_next_entry(struct file *dir, struct keel_dirent *d)
{
    struct ustar_file entry;
    if (!ramdisk_entry((size_t)dir->offset, &entry))
        return 0;
    dir->offset++;
    memset(d, 0, sizeof(*d));
    strlcpy(d->name, entry.name, sizeof(d->name));
    fill_stat(&entry, &d->stat);
    return 1;
}
