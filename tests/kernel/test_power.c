/*
 * test_power.c - in-kernel checks of what `shutdown` and `cpu` rely on, on
 * the machine QEMU gives the test kernel: the ACPI tables are found, sound
 * and readable through the direct map, \_S5 decodes, and CPUID answers.
 * Powering off and resetting end the machine, so they are tried by booting
 * (see kernel/power.c), not here.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/cpuinfo.h>
#include <drivers/acpi/acpi.h>
#include <kernel/ktest.h>
#include <kernel/main.h>
#include <lib/string.h>
#include <mm/layout.h>
#include <mm/memory.h>

#define BIOS_AREA_START  0x80000 /* lowest EBDA address */
#define BIOS_AREA_END    0x100000
#define QEMU_PM1A_CNT    0x604 /* SeaBIOS puts the PIIX4/ICH9 PM block at 0x600 */
#define CPUID_BRAND_LAST 0x80000004u

static const struct acpi_power_info *power_info(void)
{
    const struct acpi_power_info *info;
    enum acpi_status status = acpi_power_info(&info);
    if (status != ACPI_OK) {
        ktest_fail(__FILE__, __LINE__, "ACPI: %s", acpi_status_name(status));
        return NULL;
    }
    return info;
}

static uint32_t table_length(uint64_t phys)
{
    const uint8_t *p = phys_to_virt(phys);
    return (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
}

/* Signature and checksum of the table at phys, read here independently. */
static bool table_is_sound(uint64_t phys, const char *signature)
{
    const uint8_t *p = phys_to_virt(phys);
    return memcmp(p, signature, 4) == 0 && acpi_checksum_ok(p, table_length(phys));
}

KTEST(acpi_rsdp_found_and_checksums_pass)
{
    const struct acpi_power_info *info = power_info();
    if (!info)
        return;
    if (info->rsdp.phys != ACPI_RSDP_FROM_LOADER) { /* found by the search, not a loader's copy */
        KTEST_CHECK(info->rsdp.phys >= BIOS_AREA_START && info->rsdp.phys < BIOS_AREA_END);
        KTEST_CHECK_EQ(info->rsdp.phys % 16, 0);
        const uint8_t *rsdp = phys_to_virt(info->rsdp.phys);
        KTEST_CHECK(memcmp(rsdp, "RSD PTR ", 8) == 0);
        KTEST_CHECK(acpi_checksum_ok(rsdp, ACPI_RSDP_V1_LENGTH));
    }
    KTEST_CHECK(table_is_sound(info->root_phys, info->used_xsdt ? "XSDT" : "RSDT"));
    KTEST_CHECK(table_is_sound(info->fadt_phys, "FACP"));
    KTEST_CHECK(table_is_sound(info->fadt.dsdt_phys, "DSDT"));
    KTEST_CHECK(table_is_sound(info->s5_table_phys, "DSDT") ||
                table_is_sound(info->s5_table_phys, "SSDT"));
}

KTEST(acpi_fadt_and_s5_found)
{
    const struct acpi_power_info *info = power_info();
    if (!info)
        return;
    KTEST_CHECK_EQ(info->fadt.pm1a_cnt.space, ACPI_SPACE_IO);
    KTEST_CHECK(info->fadt.pm1a_cnt.address != 0);
    KTEST_CHECK(info->fadt.pm1_cnt_len >= 2);
    KTEST_CHECK(info->s5.element_count >= 2);
    KTEST_CHECK(info->s5.slp_typa <= 7 && info->s5.slp_typb <= 7);
    /* QEMU's values: the fixed-port fallback in power.c depends on them. */
    KTEST_CHECK_EQ(info->fadt.pm1a_cnt.address, QEMU_PM1A_CNT);
    KTEST_CHECK_EQ(info->s5.slp_typa, 0);
}

static enum mem_type region_type(uint64_t phys, bool *listed)
{
    const struct boot_info *boot = ktest_boot_info();
    for (size_t i = 0; i < boot->region_count; i++) {
        const struct mem_region *r = &boot->regions[i];
        if (phys >= r->base && phys - r->base < r->length) {
            *listed = true;
            return r->type;
        }
    }
    *listed = false;
    return MEM_RESERVED;
}

/* Tables outside RAM were mapped for reading only, never executable. */
KTEST(acpi_tables_mapped_read_only_outside_ram)
{
    const struct acpi_power_info *info = power_info();
    if (!info)
        return;
    const uint64_t tables[] = {info->root_phys, info->fadt_phys, info->fadt.dsdt_phys,
                               info->s5_table_phys};
    for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        uint64_t phys = 0;
        unsigned flags = 0;
        KTEST_CHECK_EQ(
            vm_translate(kernel_address_space(), DIRECT_MAP_BASE + tables[i], &phys, &flags, NULL),
            0);
        KTEST_CHECK_EQ(phys, tables[i]);
        KTEST_CHECK(!(flags & MAP_EXEC));
        bool listed;
        enum mem_type type = region_type(tables[i], &listed);
        KTEST_CHECK(listed);
        if (type == MEM_RESERVED)
            KTEST_CHECK_EQ(flags, 0);
    }
}

/* Whether the space-separated list has `word` as one of its items. */
static bool list_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t item = end ? (size_t)(end - p) : strlen(p);
        if (item == n && strncmp(p, word, n) == 0)
            return true;
        p += item + (end != NULL);
    }
    return false;
}

KTEST(cpu_info_vendor_brand_and_long_mode)
{
    struct cpu_info info;
    cpu_info_read(&info);
    KTEST_CHECK(strcmp(info.vendor, "GenuineIntel") == 0 ||
                strcmp(info.vendor, "AuthenticAMD") == 0);
    KTEST_CHECK(info.max_leaf >= 1);
    KTEST_CHECK(info.family != 0);
    KTEST_CHECK(cpu_has(&info, CPU_FEATURE_LM));
    KTEST_CHECK(cpu_has(&info, CPU_FEATURE_PAE));
    if (info.max_ext_leaf >= CPUID_BRAND_LAST)
        KTEST_CHECK(info.brand[0] != '\0');
    char names[CPU_FEATURE_NAMES_MAX];
    size_t length = cpu_feature_names(&info, names, sizeof(names));
    KTEST_CHECK(length < sizeof(names));
    KTEST_CHECK_EQ(strlen(names), length);
    KTEST_CHECK(list_has(names, "fpu"));
    KTEST_CHECK(list_has(names, "lm"));
    KTEST_CHECK(!list_has(names, "l"));
}

/* What CPUID says matches what the kernel switched on. */
KTEST(cpu_info_agrees_with_efer)
{
    struct cpu_info info;
    cpu_info_read(&info);
    uint64_t efer = rdmsr(MSR_EFER);
    KTEST_CHECK_EQ(!!(efer & EFER_NXE), cpu_has(&info, CPU_FEATURE_NX));
    KTEST_CHECK(efer & EFER_LMA);
}
