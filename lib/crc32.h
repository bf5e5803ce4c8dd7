/*
 * crc32.h - the CRC-32 of IEEE 802.3, zlib and PNG.
 */
#ifndef KEEL_LIB_CRC32_H
#define KEEL_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), continued from a
 * previous value: crc32_update(0, data, n) is the CRC of data; feeding the
 * data in pieces gives the same result. crc32 of "123456789" is 0xCBF43926. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
