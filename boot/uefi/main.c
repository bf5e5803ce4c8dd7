/*
 * main.c - Keel's UEFI loader: from the firmware to the kernel.
 *
 * The firmware starts BOOTX64.EFI (a PE32+ application, UEFI 2.10, 2.1.2)
 * at efi_main() in 64-bit mode with paging on and memory mapped 1:1. Steps,
 * each announced on the firmware's console, each failure a message after
 * which the loader waits for a key and returns its status to the firmware:
 *   1. a graphics mode through GOP (graphics.c)
 *   2. the loader's own partition and \KEEL\BOOT.CFG (boot_cfg.h)
 *   3. the kernel ELF at its physical addresses, then the modules
 *      (kernel_load.c)
 *   4. the ACPI RSDP from the configuration table (UEFI 2.10, 4.6)
 *   5. ExitBootServices(), the Multiboot 2 information block and the jump
 *      to the kernel's 32-bit entry through trampoline.S (handover.c).
 */
#include <boot/uefi/boot_cfg.h>
#include <boot/uefi/console.h>
#include <boot/uefi/files.h>
#include <boot/uefi/graphics.h>
#include <boot/uefi/handover.h>
#include <boot/uefi/kernel_load.h>
#include <lib/string.h>

#define CONFIG_PATH      "\\KEEL\\BOOT.CFG"
#define DEFAULT_KERNEL   "\\KEEL\\KERNEL.ELF"
#define CONFIG_MAX_BYTES 4096

/* ACPI RSDP (ACPI 6.4, 5.2.5.3): Revision at byte 15; the ACPI 1.0 structure
 * is 20 bytes, from revision 2 on it is 36. */
#define RSDP_REVISION    15
#define RSDP_V1_LENGTH   20
#define RSDP_V2_LENGTH   36
#define RSDP_REVISION_V2 2

static const struct efi_guid acpi_20_guid = EFI_ACPI_20_TABLE_GUID;
static const struct efi_guid acpi_10_guid = EFI_ACPI_10_TABLE_GUID;

efi_status EFIAPI efi_main(efi_handle image, struct efi_system_table *system_table);

/* BOOT.CFG into *cfg; without the file, the default kernel and no command line. */
static efi_status read_config(struct efi_file_protocol *root, struct boot_cfg *cfg)
{
    static char text[CONFIG_MAX_BYTES];
    struct efi_file_protocol *file;
    uint64_t size;
    unsigned line;
    efi_status status = files_open(root, CONFIG_PATH, true, &file, &size);

    if (status == EFI_NOT_FOUND) {
        uefi_printf("config: no %s, booting %s\n", CONFIG_PATH, DEFAULT_KERNEL);
        *cfg = (struct boot_cfg){.module_count = 0};
        strlcpy(cfg->kernel, DEFAULT_KERNEL, sizeof(cfg->kernel));
        return EFI_SUCCESS;
    }
    if (EFI_IS_ERROR(status))
        return status;
    if (size > CONFIG_MAX_BYTES)
        status = uefi_fail(EFI_LOAD_ERROR, "%s is %llu bytes, more than %u", CONFIG_PATH,
                           (unsigned long long)size, CONFIG_MAX_BYTES);
    else
        status = files_read_at(file, CONFIG_PATH, 0, text, size);
    file->close(file);
    if (EFI_IS_ERROR(status))
        return status;
    enum boot_cfg_error err = boot_cfg_parse(text, (size_t)size, cfg, &line);
    if (err != BOOT_CFG_OK)
        return uefi_fail(EFI_LOAD_ERROR, "%s, line %u: %s", CONFIG_PATH, line,
                         boot_cfg_error_text(err));
    uefi_printf("config: kernel %s, cmdline \"%s\", %zu modules\n", cfg->kernel, cfg->cmdline,
                cfg->module_count);
    return EFI_SUCCESS;
}

static const void *config_table(const struct efi_system_table *st, const struct efi_guid *guid)
{
    for (uint64_t i = 0; i < st->number_of_table_entries; i++)
        if (memcmp(&st->configuration_table[i].vendor_guid, guid, sizeof(*guid)) == 0)
            return st->configuration_table[i].vendor_table;
    return NULL;
}

/* The RSDP the firmware publishes: ACPI 2.0's if there is one, else 1.0's. */
static void find_rsdp(const struct efi_system_table *st, struct handover *h)
{
    const uint8_t *rsdp = config_table(st, &acpi_20_guid);

    h->rsdp_length = RSDP_V2_LENGTH;
    if (!rsdp || rsdp[RSDP_REVISION] < RSDP_REVISION_V2) {
        rsdp = rsdp ? rsdp : config_table(st, &acpi_10_guid);
        h->rsdp_length = RSDP_V1_LENGTH;
    }
    h->rsdp = rsdp;
    if (rsdp)
        uefi_printf("acpi: RSDP revision %u at %p\n", rsdp[RSDP_REVISION], (const void *)rsdp);
    else
        uefi_printf("acpi: the firmware publishes no RSDP; the kernel will search for one\n");
}

efi_status EFIAPI efi_main(efi_handle image, struct efi_system_table *system_table)
{
    static struct boot_cfg cfg;
    static struct elf_load_plan plan;
    static struct mb2_module modules[BOOT_CFG_MAX_MODULES];
    static struct mb2_framebuffer framebuffer;
    struct efi_boot_services *bs = system_table->boot_services;
    struct efi_file_protocol *root;

    uefi_console_init(system_table);
    uefi_printf("Keel UEFI loader\n");
    efi_status status = graphics_setup(bs, &framebuffer);
    if (!EFI_IS_ERROR(status))
        status = files_open_root(image, bs, &root);
    if (!EFI_IS_ERROR(status))
        status = read_config(root, &cfg);
    if (!EFI_IS_ERROR(status))
        status = kernel_load(root, bs, cfg.kernel, &plan);
    if (!EFI_IS_ERROR(status))
        status = modules_load(root, bs, &cfg, modules);
    if (EFI_IS_ERROR(status))
        return status;

    struct handover h = {.entry = plan.entry,
                         .cmdline = cfg.cmdline,
                         .framebuffer = &framebuffer,
                         .modules = modules,
                         .module_count = cfg.module_count};
    find_rsdp(system_table, &h);
    return handover_start(image, bs, &h);
}
