/*
 * bootimg_verify.h - checking a whole build/keel.img in memory (host only).
 *
 * Used by `mkimage --check`, by mkimage itself on every image it writes, and
 * by tests/host/test_bootimg.c. The checks are the ones the BIOS and the two
 * loaders rely on: the MBR signature, exactly one active partition and it of
 * type BOOTIMG_PARTITION_TYPE, a valid struct bootimg_header at its start
 * (bootimg_check), stage 2, the kernel and the module (when there is one)
 * inside the partition and the image, their CRC-32s, and an ELF magic at the
 * start of the kernel.
 */
#ifndef KEEL_TOOLS_BOOTIMG_VERIFY_H
#define KEEL_TOOLS_BOOTIMG_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <boot/bios/bootimg.h>

/* What a successful check found, for printing. */
struct bootimg_image_info {
    unsigned partition_index;   /* 0..3: the active entry in the MBR table */
    uint32_t partition_lba;     /* absolute start of the partition */
    uint32_t partition_sectors; /* its length in sectors */
    struct bootimg_header header;
};

/* Check the image img[0..len). Returns 0 when it is sound; otherwise -1 with
 * a one-line reason (no trailing newline) in why, truncated to why_len bytes
 * and always NUL-terminated (why may be NULL when why_len is 0). When info is
 * not NULL it is filled in on success. */
int bootimg_inspect_image(const uint8_t *img, size_t len, struct bootimg_image_info *info,
                          char *why, size_t why_len);

/* bootimg_inspect_image without the details. */
int bootimg_verify_image(const uint8_t *img, size_t len, char *why, size_t why_len);

#endif
