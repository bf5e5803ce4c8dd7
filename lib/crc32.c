/*
 * crc32.c - CRC-32 (see crc32.h), small enough for the BIOS loader's stage 2.
 *
 * Reflected polynomial 0xEDB88320, register preset to all ones and inverted
 * at the end; the inversions at entry and exit are what let crc32_update
 * continue from a previous result. A 16-entry table (64 bytes) processes
 * four bits at a time instead of the usual 1 KiB byte table: half the steps
 * of the bit-by-bit loop for a sixteenth of the table, which matters in a
 * loader that must fit its sectors.
 */
#include <lib/crc32.h>

#define CRC32_ALL_ONES 0xFFFFFFFFu /* preset and final XOR of IEEE 802.3 CRC-32 */

/* crc32_nibble[n]: the register change after shifting the 4-bit value n out
 * through the reflected polynomial 0xEDB88320, i.e. entry n of the byte
 * table's first 16 rows computed with 4 shifts instead of 8. */
static const uint32_t crc32_nibble[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
    0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *bytes = data;
    uint32_t reg = crc ^ CRC32_ALL_ONES;

    for (size_t i = 0; i < len; i++) {
        reg ^= bytes[i];
        /* Reflected CRC: the low nibble leaves first. */
        reg = (reg >> 4) ^ crc32_nibble[reg & 0xF];
        reg = (reg >> 4) ^ crc32_nibble[reg & 0xF];
    }
    return reg ^ CRC32_ALL_ONES;
}
