/*
 * files.h - what a process's file descriptors refer to: the console (fds
 * 0, 1, 2 at start), a ramdisk file, or the ramdisk's directory "/".
 */
#ifndef KEEL_KERNEL_PROC_FILES_H
#define KEEL_KERNEL_PROC_FILES_H

#include <keel/syscall.h>
#include <lib/ustar.h>
#include <stddef.h>
#include <stdint.h>

enum file_kind { FILE_CONSOLE, FILE_RAMDISK, FILE_DIRECTORY };

struct file {
    enum file_kind kind;
    struct ustar_file entry; /* FILE_RAMDISK */
    uint64_t offset;         /* FILE_RAMDISK: next byte; FILE_DIRECTORY: next entry */
};

/* The one console file every process starts with on fds 0-2 (never freed). */
struct file *file_console(void);
/* Open path: "/" (or "") the directory, else a ramdisk file. 0, -ENOENT,
 * -ENOMEM. */
int file_open(const char *path, struct file **out);
/* Free an open file (the console stays). */
void file_close(struct file *f);
/* A ramdisk file's bytes from its offset on, at most n, into user memory
 * at dst: bytes read (0 at the end), or -EFAULT. */
long file_read_user(struct file *f, uint64_t dst, size_t n);
/* What stat tells about path: 0 or -ENOENT. */
int file_stat(const char *path, struct keel_stat *st);
/* The directory's next entry: 1 and *d filled, 0 at the end. */
int file_next_entry(struct file *dir, struct keel_dirent *d);

#endif
