/*
 * verify_common.h - what the image tools' checks share: little-endian field
 * readers for on-disk structures (MBR, FAT, PE headers) and the reason
 * writer that turns every failed check into one `return verify_fail(...)`.
 * Host code only (tools/ and their tests).
 */
#ifndef KEEL_TOOLS_VERIFY_COMMON_H
#define KEEL_TOOLS_VERIFY_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static inline uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Write a reason into why (if there is room) and return -1. */
__attribute__((format(printf, 3, 4))) static inline int verify_fail(char *why, size_t why_len,
                                                                    const char *fmt, ...)
{
    va_list args;

    if (why != NULL && why_len > 0) {
        va_start(args, fmt);
        vsnprintf(why, why_len, fmt, args);
        va_end(args);
    }
    return -1;
}

#endif
