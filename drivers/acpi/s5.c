/*
 * s5.c - the sleep type for soft-off: Name(\_S5, Package(){...}) in the AML
 * of the DSDT or of an SSDT, and the whole walk power-off needs (see s5.h).
 *
 * Pure, like tables.c: an AML package is checked against its table's length
 * before any of its bytes are read.
 *
 * AML facts used (ACPI 6.x, 20.2): NameOp 0x08 NameString DataRefObject;
 * a NameString may start with the root prefix '\' (0x5C); PackageOp 0x12
 * PkgLength NumElements(byte) PackageElementList; integers are ZeroOp 0x00,
 * OneOp 0x01, BytePrefix 0x0A + 1 byte, WordPrefix 0x0B + 2, DWordPrefix
 * 0x0C + 4. PkgLength: bits 7-6 of the lead byte count the bytes that
 * follow (0-3); with none, bits 5-0 are the length; otherwise bits 3-0 are
 * its low nibble, bits 5-4 must be 0, and each following byte adds 8 more
 * bits. The length counts from the PkgLength's first byte to the package's
 * end.
 */
#include <drivers/acpi/s5.h>

/* AML encodings (ACPI 20.2). */
#define AML_NAME_OP      0x08
#define AML_ROOT_PREFIX  0x5C /* '\' */
#define AML_PACKAGE_OP   0x12
#define AML_ZERO_OP      0x00
#define AML_ONE_OP       0x01
#define AML_BYTE_PREFIX  0x0A
#define AML_WORD_PREFIX  0x0B
#define AML_DWORD_PREFIX 0x0C
#define SLP_TYP_MAX      7 /* SLP_TYPx is a 3-bit field */

/* Decode a PkgLength at p (avail bytes): the package length and the
 * number of bytes the encoding takes. */
static bool decode_pkg_length(const uint8_t *p, size_t avail, uint32_t *length, size_t *size)
{
    if (avail < 1)
        return false;
    size_t follow = p[0] >> 6;
    if (1 + follow > avail)
        return false;
    uint32_t value;
    if (follow == 0) {
        value = p[0] & 0x3F;
    } else {
        if (p[0] & 0x30)
            return false;
        value = p[0] & 0x0F;
        for (size_t k = 1; k <= follow; k++)
            value |= (uint32_t)p[k] << (4 + 8 * (k - 1));
    }
    if (value < 1 + follow)
        return false;
    *length = value;
    *size = 1 + follow;
    return true;
}

/* Decode one integer package element at p[*pos] (the package ends at end). */
static bool decode_integer(const uint8_t *p, size_t *pos, size_t end, uint32_t *value)
{
    if (*pos >= end)
        return false;
    uint8_t op = p[*pos];
    size_t size;
    switch (op) {
    case AML_ZERO_OP:
    case AML_ONE_OP:
        *value = op;
        size = 1;
        break;
    case AML_BYTE_PREFIX:
        size = 2;
        break;
    case AML_WORD_PREFIX:
        size = 3;
        break;
    case AML_DWORD_PREFIX:
        size = 5;
        break;
    default:
        /* Some firmware writes small values as bare bytes. */
        if (op > SLP_TYP_MAX)
            return false;
        *value = op;
        size = 1;
        break;
    }
    if (*pos + size > end)
        return false;
    if (op == AML_BYTE_PREFIX)
        *value = p[*pos + 1];
    else if (op == AML_WORD_PREFIX)
        *value = acpi_read16(p + *pos + 1);
    else if (op == AML_DWORD_PREFIX)
        *value = acpi_read32(p + *pos + 1);
    *pos += size;
    return true;
}

/* The Package that follows the name \_S5 (p: avail bytes from PackageOp). */
static enum acpi_status decode_s5_package(const uint8_t *p, size_t avail,
                                          struct acpi_sleep_type *out)
{
    uint32_t length;
    size_t size;
    if (avail < 2 || p[0] != AML_PACKAGE_OP)
        return ACPI_ERR_BAD_AML;
    if (!decode_pkg_length(p + 1, avail - 1, &length, &size))
        return ACPI_ERR_BAD_AML;
    size_t end = 1 + (size_t)length;
    if (end > avail)
        return ACPI_ERR_TRUNCATED;
    size_t pos = 1 + size;
    if (pos >= end || p[pos] == 0)
        return ACPI_ERR_BAD_AML;
    uint8_t count = p[pos++];
    uint32_t typa, typb = 0;
    if (!decode_integer(p, &pos, end, &typa) || typa > SLP_TYP_MAX)
        return ACPI_ERR_BAD_AML;
    if (count >= 2 && (!decode_integer(p, &pos, end, &typb) || typb > SLP_TYP_MAX))
        return ACPI_ERR_BAD_AML;
    out->slp_typa = (uint8_t)typa;
    out->slp_typb = (uint8_t)typb;
    out->element_count = count;
    return ACPI_OK;
}

enum acpi_status acpi_find_s5(const uint8_t *aml, size_t len, struct acpi_sleep_type *out)
{
    enum acpi_status problem = ACPI_ERR_NO_S5;
    for (size_t i = 1; i + 4 <= len; i++) {
        if (!acpi_bytes_equal(aml + i, "_S5_", 4))
            continue;
        size_t name = aml[i - 1] == AML_ROOT_PREFIX ? i - 1 : i;
        if (name < 1 || aml[name - 1] != AML_NAME_OP)
            continue; /* a reference to \_S5, not its definition */
        enum acpi_status status = decode_s5_package(aml + i + 4, len - (i + 4), out);
        if (status == ACPI_OK)
            return ACPI_OK;
        if (problem == ACPI_ERR_NO_S5)
            problem = status;
    }
    return problem;
}

/* \_S5 in the AML of the definition block (DSDT or SSDT) at phys. */
static enum acpi_status find_s5_in_table(const struct acpi_memory *mem, uint64_t phys,
                                         const char *signature, struct acpi_sleep_type *out)
{
    const uint8_t *table;
    uint32_t length;
    enum acpi_status status = acpi_map_table(mem, phys, signature, &table, &length);
    if (status != ACPI_OK)
        return status;
    return acpi_find_s5(table + ACPI_HEADER_LENGTH, length - ACPI_HEADER_LENGTH, out);
}

/* \_S5 may be defined in the DSDT or in any SSDT (SeaBIOS's own tables
 * keep it in an SSDT); the DSDT is searched first. */
static enum acpi_status find_s5(const struct acpi_memory *mem, struct acpi_power_info *out)
{
    out->s5_table_phys = out->fadt.dsdt_phys;
    enum acpi_status status = find_s5_in_table(mem, out->fadt.dsdt_phys, "DSDT", &out->s5);
    for (unsigned i = 0; status == ACPI_ERR_NO_S5; i++) {
        uint64_t ssdt, root;
        bool used_xsdt;
        if (acpi_find_table(mem, &out->rsdp, "SSDT", i, &ssdt, &used_xsdt, &root) != ACPI_OK)
            break;
        out->s5_table_phys = ssdt;
        status = find_s5_in_table(mem, ssdt, "SSDT", &out->s5);
    }
    if (status != ACPI_OK)
        out->s5_table_phys = 0;
    return status;
}

enum acpi_status acpi_read_power_info(const struct acpi_memory *mem, struct acpi_power_info *out)
{
    *out = (struct acpi_power_info){0};
    enum acpi_status status = acpi_find_rsdp(mem, &out->rsdp);
    if (status != ACPI_OK)
        return status;
    status = acpi_find_table(mem, &out->rsdp, "FACP", 0, &out->fadt_phys, &out->used_xsdt,
                             &out->root_phys);
    if (status == ACPI_ERR_NO_TABLE)
        return ACPI_ERR_NO_FADT;
    if (status != ACPI_OK)
        return status;
    const uint8_t *table;
    uint32_t length;
    status = acpi_map_table(mem, out->fadt_phys, "FACP", &table, &length);
    if (status == ACPI_OK)
        status = acpi_parse_fadt(table, length, &out->fadt);
    if (status != ACPI_OK)
        return status;
    if (!out->fadt.dsdt_phys)
        return ACPI_ERR_NO_DSDT;
    return find_s5(mem, out);
}
