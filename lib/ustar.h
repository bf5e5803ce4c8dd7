/*
 * ustar.h - reading a ustar archive in memory (the ramdisk, build/initrd.tar).
 *
 * Format (POSIX.1-2017, pax, "ustar Interchange Format"): the archive is a
 * sequence of 512-byte blocks. Each entry is one header block followed by
 * its data, padded to a whole block; two blocks of zeros end the archive.
 * Header numbers are octal ASCII, and the header carries a checksum. Both
 * the POSIX magic ("ustar\0", version "00") and GNU tar's ("ustar ",
 * version " \0") are read; a GNU header has no prefix field (GNU keeps
 * other data there), so its names come from the name field alone.
 *
 * Nothing is copied or allocated: an entry's data points into the archive,
 * which must stay in place while entries are used. The archive is trusted
 * for nothing: every field is checked before it is used.
 */
#ifndef KEEL_LIB_USTAR_H
#define KEEL_LIB_USTAR_H

#include <stddef.h>
#include <stdint.h>

#include <keel/syscall.h>

#define USTAR_BLOCK_SIZE 512

/* Type flags (POSIX "typeflag"): a regular file is '0', or '\0' in old archives. */
#define USTAR_TYPE_REGULAR     '0'
#define USTAR_TYPE_REGULAR_OLD '\0'
#define USTAR_TYPE_DIRECTORY   '5'

struct ustar_file {
    /* prefix "/" name when prefix is set; a leading "./" removed, and a
     * directory's trailing "/" (so the archive's root "./" is ""). */
    char name[KEEL_PATH_MAX];
    const uint8_t *data; /* points into the archive */
    uint64_t size;       /* bytes of data; 0 for links, devices, FIFOs and directories */
    uint32_t mode;       /* permission bits from the octal mode field (mode & 07777) */
    char type;           /* '0' (or '\0') regular file, '5' directory, others as found */
};

struct ustar_reader {
    const uint8_t *archive;
    size_t size;
    size_t offset; /* of the next header; size once the end is reached */
};

/* Start reading the size bytes at archive from its first entry. */
void ustar_open(struct ustar_reader *r, const void *archive, size_t size);

/* 1: *f is the next entry; 0: the end (two zero blocks, a zero block that
 * ends the data, or a clean end of data at a block boundary); -EINVAL: a
 * damaged archive, and *why (when why is not NULL) says what: bad checksum,
 * no "ustar" magic, truncated header, data running past the end, a bad octal
 * number, a name too long for KEEL_PATH_MAX... After the end or an error,
 * further calls give the same answer again. */
int ustar_next(struct ustar_reader *r, struct ustar_file *f, const char **why);

/* Find a regular file by name ("README", "hello"; a leading "/" is ignored):
 * the first entry of that name. 0 with *f filled, -ENOENT when there is none
 * (a directory of that name does not count), or -EINVAL (with *why) when the
 * archive is damaged before such an entry is reached. */
int ustar_find(const void *archive, size_t size, const char *name, struct ustar_file *f,
               const char **why);

#endif
