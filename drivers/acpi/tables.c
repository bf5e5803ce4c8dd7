/*
 * tables.c - finding and checking the ACPI tables (see tables.h): the RSDP,
 * the RSDT or XSDT, any table they list, and the FADT's fields.
 *
 * Pure: memory is reached only through the caller's map function, and all
 * multi-byte fields are read byte by byte in little-endian order (tables
 * need not be aligned). Each length is checked before the bytes it covers
 * are read: the RSDP against the search area, a table against its Length
 * (capped at ACPI_TABLE_MAX_LENGTH).
 */
#include <drivers/acpi/tables.h>

/* Where the RSDP may be (ACPI 5.2.5.1, "Finding the RSDP on IA-PC Systems"). */
#define BDA_EBDA_SEGMENT   0x40E   /* BIOS data area: real-mode segment of the EBDA */
#define EBDA_SEARCH_LENGTH 1024    /* only the first KiB of the EBDA is searched */
#define EBDA_LOWEST        0x500   /* above the real-mode IVT and BIOS data area */
#define EBDA_END           0xA0000 /* conventional memory ends at 640 KiB */
#define BIOS_AREA_START    0xE0000
#define BIOS_AREA_LENGTH   0x20000 /* up to 0xFFFFF */
#define RSDP_ALIGNMENT     16

/* RSDP field offsets (ACPI 5.2.5.3). */
#define RSDP_SIGNATURE      "RSD PTR "
#define RSDP_OEM_ID         9
#define RSDP_REVISION       15
#define RSDP_RSDT_ADDRESS   16
#define RSDP_LENGTH         20
#define RSDP_XSDT_ADDRESS   24
#define RSDP_REVISION_ACPI2 2

/* System description table header (ACPI 5.2.6). */
#define HEADER_LENGTH   4
#define HEADER_REVISION 8

/* FADT field offsets (ACPI 5.2.9, table "FADT Format"). */
#define FADT_DSDT         40
#define FADT_SMI_CMD      48
#define FADT_ACPI_ENABLE  52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_PM1_CNT_LEN  89
#define FADT_FLAGS        112
#define FADT_V1_LENGTH    116 /* the ACPI 1.0 FADT ends after Flags */
#define FADT_X_DSDT       140
#define FADT_X_PM1A_CNT   172
#define FADT_X_PM1B_CNT   184
#define GAS_LENGTH        12 /* Generic Address Structure */

const char *acpi_status_name(enum acpi_status status)
{
    switch (status) {
    case ACPI_OK:
        return "ok";
    case ACPI_ERR_NO_RSDP:
        return "no RSDP";
    case ACPI_ERR_BAD_CHECKSUM:
        return "bad checksum";
    case ACPI_ERR_UNMAPPABLE:
        return "table memory not mappable";
    case ACPI_ERR_TRUNCATED:
        return "truncated or oversized table";
    case ACPI_ERR_BAD_SIGNATURE:
        return "wrong table signature";
    case ACPI_ERR_NO_TABLE:
        return "table not listed";
    case ACPI_ERR_NO_FADT:
        return "no FADT";
    case ACPI_ERR_NO_DSDT:
        return "no DSDT";
    case ACPI_ERR_NO_S5:
        return "no \\_S5 object";
    case ACPI_ERR_BAD_AML:
        return "undecodable \\_S5 package";
    }
    return "unknown ACPI status";
}

bool acpi_checksum_ok(const void *p, size_t len)
{
    const uint8_t *bytes = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + bytes[i]);
    return sum == 0;
}

enum acpi_status acpi_parse_rsdp(const void *p, size_t avail, uint64_t phys, struct acpi_rsdp *out)
{
    const uint8_t *rsdp = p;
    if (avail < 8 || !acpi_bytes_equal(rsdp, RSDP_SIGNATURE, 8))
        return ACPI_ERR_NO_RSDP;
    if (avail < ACPI_RSDP_V1_LENGTH)
        return ACPI_ERR_TRUNCATED;
    if (!acpi_checksum_ok(rsdp, ACPI_RSDP_V1_LENGTH))
        return ACPI_ERR_BAD_CHECKSUM;
    uint64_t xsdt = 0;
    uint8_t revision = rsdp[RSDP_REVISION];
    if (revision >= RSDP_REVISION_ACPI2) {
        if (avail < ACPI_RSDP_V2_LENGTH)
            return ACPI_ERR_TRUNCATED;
        uint32_t length = acpi_read32(rsdp + RSDP_LENGTH);
        if (length < ACPI_RSDP_V2_LENGTH || length > avail)
            return ACPI_ERR_TRUNCATED;
        if (!acpi_checksum_ok(rsdp, length))
            return ACPI_ERR_BAD_CHECKSUM;
        xsdt = acpi_read64(rsdp + RSDP_XSDT_ADDRESS);
    }
    out->phys = phys;
    out->revision = revision;
    for (int i = 0; i < 6; i++)
        out->oem_id[i] = (char)rsdp[RSDP_OEM_ID + i];
    out->oem_id[6] = '\0';
    out->rsdt_phys = acpi_read32(rsdp + RSDP_RSDT_ADDRESS);
    out->xsdt_phys = xsdt;
    return ACPI_OK;
}

/* Scan [start, start + len) on 16-byte boundaries. *problem keeps the
 * first reason a candidate was rejected, or that the area was unmappable. */
static bool scan_for_rsdp(const struct acpi_memory *mem, uint64_t start, size_t len,
                          struct acpi_rsdp *out, enum acpi_status *problem)
{
    const uint8_t *area = mem->map(start, len, mem->ctx);
    if (!area) {
        if (*problem == ACPI_ERR_NO_RSDP)
            *problem = ACPI_ERR_UNMAPPABLE;
        return false;
    }
    for (size_t offset = 0; offset + 8 <= len; offset += RSDP_ALIGNMENT) {
        enum acpi_status status = acpi_parse_rsdp(area + offset, len - offset, start + offset, out);
        if (status == ACPI_OK)
            return true;
        if (status != ACPI_ERR_NO_RSDP &&
            (*problem == ACPI_ERR_NO_RSDP || *problem == ACPI_ERR_UNMAPPABLE))
            *problem = status;
    }
    return false;
}

enum acpi_status acpi_find_rsdp(const struct acpi_memory *mem, struct acpi_rsdp *out)
{
    enum acpi_status problem = ACPI_ERR_NO_RSDP;
    /* A damaged copy is no reason to give up: the search may still find one. */
    if (mem->loader_rsdp && acpi_parse_rsdp(mem->loader_rsdp, mem->loader_rsdp_length,
                                            ACPI_RSDP_FROM_LOADER, out) == ACPI_OK)
        return ACPI_OK;
    const uint8_t *bda = mem->map(BDA_EBDA_SEGMENT, 2, mem->ctx);
    if (bda) {
        uint64_t ebda = (uint64_t)acpi_read16(bda) << 4;
        if (ebda >= EBDA_LOWEST && ebda + EBDA_SEARCH_LENGTH <= EBDA_END &&
            scan_for_rsdp(mem, ebda, EBDA_SEARCH_LENGTH, out, &problem))
            return ACPI_OK;
    }
    if (scan_for_rsdp(mem, BIOS_AREA_START, BIOS_AREA_LENGTH, out, &problem))
        return ACPI_OK;
    return problem;
}

enum acpi_status acpi_map_table(const struct acpi_memory *mem, uint64_t phys,
                                const char signature[4], const uint8_t **table, uint32_t *length)
{
    const uint8_t *header = mem->map(phys, ACPI_HEADER_LENGTH, mem->ctx);
    if (!header)
        return ACPI_ERR_UNMAPPABLE;
    if (signature && !acpi_bytes_equal(header, signature, 4))
        return ACPI_ERR_BAD_SIGNATURE;
    uint32_t declared = acpi_read32(header + HEADER_LENGTH);
    if (declared < ACPI_HEADER_LENGTH || declared > ACPI_TABLE_MAX_LENGTH)
        return ACPI_ERR_TRUNCATED;
    const uint8_t *whole = mem->map(phys, declared, mem->ctx);
    if (!whole)
        return ACPI_ERR_UNMAPPABLE;
    if (!acpi_checksum_ok(whole, declared))
        return ACPI_ERR_BAD_CHECKSUM;
    *table = whole;
    *length = declared;
    return ACPI_OK;
}

/* Look for the index-th sound table with `signature` among the entries
 * (entry_size bytes each) of the root table at root_phys; *root_ok says
 * whether the root itself checked out. */
static enum acpi_status search_root(const struct acpi_memory *mem, uint64_t root_phys,
                                    const char *root_signature, size_t entry_size,
                                    const char signature[4], unsigned index, uint64_t *phys,
                                    bool *root_ok)
{
    const uint8_t *root;
    uint32_t length;
    enum acpi_status status = acpi_map_table(mem, root_phys, root_signature, &root, &length);
    *root_ok = status == ACPI_OK;
    if (status != ACPI_OK)
        return status;
    enum acpi_status problem = ACPI_ERR_NO_TABLE;
    size_t count = (length - ACPI_HEADER_LENGTH) / entry_size;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *entry = root + ACPI_HEADER_LENGTH + i * entry_size;
        uint64_t address = entry_size == 8 ? acpi_read64(entry) : acpi_read32(entry);
        if (address == 0)
            continue;
        const uint8_t *table;
        uint32_t table_length;
        status = acpi_map_table(mem, address, signature, &table, &table_length);
        if (status == ACPI_OK && index-- == 0) {
            *phys = address;
            return ACPI_OK;
        }
        if (status == ACPI_OK)
            continue;
        /* Another table, or a damaged copy of this one: keep looking. */
        if (status != ACPI_ERR_BAD_SIGNATURE && problem == ACPI_ERR_NO_TABLE)
            problem = status;
    }
    return problem;
}

enum acpi_status acpi_find_table(const struct acpi_memory *mem, const struct acpi_rsdp *rsdp,
                                 const char signature[4], unsigned index, uint64_t *phys,
                                 bool *used_xsdt, uint64_t *root_phys)
{
    enum acpi_status status = ACPI_ERR_NO_TABLE;
    bool root_ok = false;
    if (rsdp->revision >= RSDP_REVISION_ACPI2 && rsdp->xsdt_phys) {
        *used_xsdt = true;
        *root_phys = rsdp->xsdt_phys;
        status = search_root(mem, rsdp->xsdt_phys, "XSDT", 8, signature, index, phys, &root_ok);
        /* A sound XSDT is the answer, whether it lists the table or not;
         * only a damaged one sends us to the RSDT. */
        if (root_ok || !rsdp->rsdt_phys)
            return status;
    }
    if (!rsdp->rsdt_phys)
        return status;
    *used_xsdt = false;
    *root_phys = rsdp->rsdt_phys;
    return search_root(mem, rsdp->rsdt_phys, "RSDT", 4, signature, index, phys, &root_ok);
}

/* A Generic Address Structure: space, bit width, bit offset, access size,
 * 64-bit address. */
static struct acpi_address read_gas(const uint8_t *p)
{
    return (struct acpi_address){
        .space = p[0],
        .bit_width = p[1],
        .bit_offset = p[2],
        .access_size = p[3],
        .address = acpi_read64(p + 4),
    };
}

/* A 32-bit block address from the ACPI 1.0 part of the FADT: I/O space. */
static struct acpi_address legacy_io_block(uint32_t port, uint8_t length)
{
    return (struct acpi_address){
        .space = ACPI_SPACE_IO,
        .bit_width = (uint8_t)(length * 8),
        .address = port,
    };
}

enum acpi_status acpi_parse_fadt(const uint8_t *fadt, uint32_t length, struct acpi_fadt *out)
{
    if (length < FADT_V1_LENGTH)
        return ACPI_ERR_TRUNCATED;
    out->revision = fadt[HEADER_REVISION];
    out->length = length;
    out->dsdt_phys = acpi_read32(fadt + FADT_DSDT);
    if (length >= FADT_X_DSDT + 8 && acpi_read64(fadt + FADT_X_DSDT))
        out->dsdt_phys = acpi_read64(fadt + FADT_X_DSDT);
    out->smi_cmd = acpi_read32(fadt + FADT_SMI_CMD);
    out->acpi_enable = fadt[FADT_ACPI_ENABLE];
    out->acpi_disable = fadt[FADT_ACPI_DISABLE];
    out->pm1_cnt_len = fadt[FADT_PM1_CNT_LEN];
    out->flags = acpi_read32(fadt + FADT_FLAGS);
    out->pm1a_cnt = legacy_io_block(acpi_read32(fadt + FADT_PM1A_CNT_BLK), out->pm1_cnt_len);
    out->pm1b_cnt = legacy_io_block(acpi_read32(fadt + FADT_PM1B_CNT_BLK), out->pm1_cnt_len);
    /* The extended blocks, where present and nonzero, replace the 32-bit ones. */
    if (length >= FADT_X_PM1A_CNT + GAS_LENGTH) {
        struct acpi_address x = read_gas(fadt + FADT_X_PM1A_CNT);
        if (x.address)
            out->pm1a_cnt = x;
    }
    if (length >= FADT_X_PM1B_CNT + GAS_LENGTH) {
        struct acpi_address x = read_gas(fadt + FADT_X_PM1B_CNT);
        if (x.address)
            out->pm1b_cnt = x;
    }
    return ACPI_OK;
}
