/*
 * tables.h - the ACPI tables power-off needs: RSDP, RSDT/XSDT, FADT, DSDT.
 *
 * The parser (drivers/acpi/tables.c) never touches physical memory itself: it asks a
 * caller-supplied map function for a pointer to [phys, phys + len), so the
 * same code runs in the kernel (drivers/acpi/acpi.c maps through the direct map)
 * and in host tests (over byte arrays). Every read is bounds-checked against
 * the length the map function granted and against the table's own Length;
 * a bad checksum, a truncated table or a missing object is an error value.
 *
 * Facts from the ACPI specification (6.x, chapter 5 and 20):
 *   - RSDP: "RSD PTR " on a 16-byte boundary in the first KiB of the EBDA
 *     (real-mode segment at physical 0x40E) or in 0xE0000-0xFFFFF. The first
 *     20 bytes sum to 0 (ACPI 1.0); with Revision >= 2 all Length bytes sum
 *     to 0 as well (the extended checksum) and XsdtAddress is valid.
 *   - RSDT entries are 32-bit physical addresses, XSDT entries 64-bit; every
 *     table starts with a 36-byte header whose bytes (Length of them) sum to 0.
 *   - The FADT ("FACP") gives the PM1a/PM1b control register blocks, the SMI
 *     command port with the ACPI_ENABLE value, and the DSDT. The DSDT's AML,
 *     or that of an SSDT, holds Name(\_S5, Package(){SLP_TYPa, SLP_TYPb, ...}).
 */
#ifndef KEEL_DRIVERS_ACPI_TABLES_H
#define KEEL_DRIVERS_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum acpi_status {
    ACPI_OK = 0,
    ACPI_ERR_NO_RSDP,       /* no "RSD PTR " signature in the search areas */
    ACPI_ERR_BAD_CHECKSUM,  /* a signature was found, but its bytes do not sum to 0 */
    ACPI_ERR_UNMAPPABLE,    /* the map function refused an address range */
    ACPI_ERR_TRUNCATED,     /* a length field too small, too large or past the mapping */
    ACPI_ERR_BAD_SIGNATURE, /* a pointer led to a table with the wrong signature */
    ACPI_ERR_NO_TABLE,      /* the RSDT/XSDT lists no table with that signature */
    ACPI_ERR_NO_FADT,       /* the root table lists no "FACP" */
    ACPI_ERR_NO_DSDT,       /* the FADT's DSDT address is 0 */
    ACPI_ERR_NO_S5,         /* neither DSDT nor SSDTs have Name(\_S5, Package) */
    ACPI_ERR_BAD_AML,       /* \_S5 is there but its package cannot be decoded */
};

/* Short text for a status ("bad checksum", ...), for messages. */
const char *acpi_status_name(enum acpi_status status);

/* Return a pointer through which [phys, phys + len) can be read, or NULL. */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len, void *ctx);

struct acpi_memory {
    acpi_map_fn map;
    void *ctx;
    /* A copy of the RSDP a boot loader handed over (UEFI machines keep it
     * outside the BIOS area), or NULL: loader_rsdp_length bytes. */
    const uint8_t *loader_rsdp;
    size_t loader_rsdp_length;
};

#define ACPI_RSDP_V1_LENGTH   20         /* the part the ACPI 1.0 checksum covers */
#define ACPI_RSDP_V2_LENGTH   36         /* ACPI 2.0+ RSDP, covered by the extended checksum */
#define ACPI_HEADER_LENGTH    36         /* every system description table starts with one */
#define ACPI_TABLE_MAX_LENGTH 0x1000000u /* 16 MiB: larger Length fields are treated as damage */

#define ACPI_RSDP_FROM_LOADER UINT64_MAX /* acpi_rsdp.phys of the loader's copy */

struct acpi_rsdp {
    uint64_t phys;    /* where it was found, or ACPI_RSDP_FROM_LOADER */
    uint8_t revision; /* 0 = ACPI 1.0, 2 = ACPI 2.0 and later */
    char oem_id[7];
    uint32_t rsdt_phys;
    uint64_t xsdt_phys; /* 0 unless revision >= 2 */
};

/* A Generic Address Structure (ACPI 5.2.3.2): where a register lives. */
struct acpi_address {
    uint8_t space; /* ACPI_SPACE_MEMORY, ACPI_SPACE_IO, ... */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address; /* 0: not present */
};

#define ACPI_SPACE_MEMORY 0
#define ACPI_SPACE_IO     1

struct acpi_fadt {
    uint8_t revision;
    uint32_t length;
    uint64_t dsdt_phys; /* X_DSDT when present and nonzero, else DSDT */
    uint32_t smi_cmd;   /* 0: the hardware is always in ACPI mode */
    uint8_t acpi_enable;
    uint8_t acpi_disable;
    struct acpi_address pm1a_cnt; /* X_PM1a_CNT_BLK when present, else PM1a_CNT_BLK as I/O */
    struct acpi_address pm1b_cnt; /* address 0: there is no PM1b block */
    uint8_t pm1_cnt_len;          /* bytes in each PM1 control block */
    uint32_t flags;
};

/* Little-endian fields at any alignment, and a signature comparison. */
static inline uint16_t acpi_read16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_read32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_read64(const uint8_t *p)
{
    return (uint64_t)acpi_read32(p) | (uint64_t)acpi_read32(p + 4) << 32;
}

static inline bool acpi_bytes_equal(const uint8_t *p, const char *text, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)text[i])
            return false;
    return true;
}

/* True if the len bytes at p sum to 0 modulo 256. */
bool acpi_checksum_ok(const void *p, size_t len);

/* Check an RSDP candidate at p (avail readable bytes, found at phys):
 * signature, ACPI 1.0 checksum and, for revision >= 2, Length and the
 * extended checksum. ACPI_ERR_NO_RSDP if the signature is not there. */
enum acpi_status acpi_parse_rsdp(const void *p, size_t avail, uint64_t phys, struct acpi_rsdp *out);

/* Find a valid RSDP: the loader's copy when mem->loader_rsdp is set and it
 * checks out (out->phys is then ACPI_RSDP_FROM_LOADER), else a search of the
 * first KiB of the EBDA, then the BIOS area. */
enum acpi_status acpi_find_rsdp(const struct acpi_memory *mem, struct acpi_rsdp *out);

/* Map the whole table at phys and check its header: Length within
 * [ACPI_HEADER_LENGTH, ACPI_TABLE_MAX_LENGTH], checksum, and the signature
 * if one is given. On success *table points to Length bytes. */
enum acpi_status acpi_map_table(const struct acpi_memory *mem, uint64_t phys,
                                const char signature[4], const uint8_t **table, uint32_t *length);

/* Find the index-th table (from 0) with `signature` through the XSDT
 * (revision >= 2 and nonzero) or the RSDT; a damaged XSDT falls back to the
 * RSDT. Entries whose tables do not check out are skipped and not counted. */
enum acpi_status acpi_find_table(const struct acpi_memory *mem, const struct acpi_rsdp *rsdp,
                                 const char signature[4], unsigned index, uint64_t *phys,
                                 bool *used_xsdt, uint64_t *root_phys);

/* Read the FADT fields above from a checked table of `length` bytes;
 * fields beyond length count as absent. ACPI_ERR_TRUNCATED below the ACPI
 * 1.0 FADT size (116 bytes). */
enum acpi_status acpi_parse_fadt(const uint8_t *fadt, uint32_t length, struct acpi_fadt *out);

#endif
