/*
 * acpi.c - the kernel side of ACPI: makes the tables' memory readable for
 * the pure reader (tables.c, s5.c), keeps what it found, and powers the
 * machine off through ACPI S5.
 *
 * The RSDP is the copy a loader handed over when there is one (under UEFI
 * it lies wherever the firmware put it, not in the BIOS area), else the
 * search of the BIOS areas finds it (tables.c).
 *
 * The direct map covers the first MiB (so the BIOS data area, the EBDA and
 * the 0xE0000-0xFFFFF BIOS area where the RSDP lives) and RAM of the types
 * usable, ACPI reclaimable and ACPI NVS. Firmware may keep the tables in
 * regions the memory map calls reserved instead: SeaBIOS under QEMU puts
 * them in the reserved block just below the top of low RAM. Such pages are
 * mapped on demand at their direct-map address (DIRECT_MAP_BASE + phys),
 * read-only and no-execute, so phys_to_virt() works for them as for RAM.
 * Only pages the memory map lists are mapped: a damaged pointer into a hole
 * in the map (device memory, or nothing) is refused.
 *
 * Soft-off, as ACPICA does it (ACPI 6.x: 7.4.2 "\_Sx (System States)",
 * chapter 16 "Waking and Sleeping", PM1 control bits in 4.8.3.2.1): if
 * SCI_EN is clear the firmware still owns the ACPI hardware, so ACPI_ENABLE
 * is written to SMI_CMD and SCI_EN polled; then SLP_TYPx goes into PM1a_CNT
 * and PM1b_CNT, and a second write adds SLP_EN, which starts the
 * transition. Only PM1 blocks in I/O space are handled, which is where PC
 * chipsets and emulators put them; hardware-reduced ACPI platforms (no PM1
 * blocks at all) are not.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/acpi/acpi.h>
#include <lib/errno.h>
#include <mm/layout.h>
#include <mm/memory.h>

#define DIRECT_MAP_SPAN    (HEAP_BASE - DIRECT_MAP_BASE) /* physical addresses the map can show */
#define SCI_ENABLE_WAIT_MS 300 /* real chipsets switch within microseconds */
#define POWER_OFF_WAIT_MS  500 /* for the machine to act on the request */
#define PORT_MAX           0xFFFFu

static const struct mem_region *memory_map;
static size_t memory_map_length;
static const struct acpi_rsdp_info *loader_rsdp;

void acpi_init(const struct mem_region *regions, size_t count, const struct acpi_rsdp_info *rsdp)
{
    memory_map = regions;
    memory_map_length = count;
    loader_rsdp = rsdp;
}

/* Whether the memory map has a region (of any type) overlapping this page. */
static bool listed_in_memory_map(uint64_t page)
{
    for (size_t i = 0; i < memory_map_length; i++) {
        const struct mem_region *r = &memory_map[i];
        if (page < r->base + r->length && page + PAGE_SIZE > r->base)
            return true;
    }
    return false;
}

static int make_page_readable(uint64_t page)
{
    struct address_space *as = kernel_address_space();
    uint64_t virt = DIRECT_MAP_BASE + page;
    if (vm_translate(as, virt, NULL, NULL, NULL) == 0)
        return 0;
    if (!listed_in_memory_map(page))
        return -ENOENT;
    return vm_map(as, virt, page, PAGE_SIZE, 0); /* read-only, no-execute */
}

/* acpi_map_fn for the kernel: [phys, phys + len) through the direct map. */
static const void *map_for_acpi(uint64_t phys, size_t len, void *ctx)
{
    (void)ctx;
    if (phys_window_base != DIRECT_MAP_BASE)
        return NULL; /* still on the boot tables: no direct map yet */
    if (len == 0 || phys >= DIRECT_MAP_SPAN || len > DIRECT_MAP_SPAN - phys)
        return NULL;
    for (uint64_t page = phys & ~(PAGE_SIZE - 1); page < phys + len; page += PAGE_SIZE)
        if (make_page_readable(page) != 0)
            return NULL;
    return phys_to_virt(phys);
}

/* The kernel's view of the tables: the direct map, and the loader's RSDP. */
static struct acpi_memory kernel_memory(void)
{
    struct acpi_memory memory = {.map = map_for_acpi};
    if (loader_rsdp && loader_rsdp->present) {
        memory.loader_rsdp = loader_rsdp->bytes;
        memory.loader_rsdp_length = loader_rsdp->length;
    }
    return memory;
}

enum acpi_status acpi_power_info(const struct acpi_power_info **out)
{
    static struct acpi_power_info info;
    static enum acpi_status status;
    static bool read;
    if (!read) {
        struct acpi_memory memory = kernel_memory();
        status = acpi_read_power_info(&memory, &info);
        read = true;
    }
    *out = &info;
    return status;
}

enum acpi_status acpi_madt(const struct madt_info **out)
{
    static struct madt_info info;
    static enum acpi_status status;
    static bool read;
    if (!read) {
        struct acpi_memory memory = kernel_memory();
        struct acpi_rsdp rsdp;
        uint64_t phys, root;
        bool used_xsdt;
        const uint8_t *table;
        uint32_t length;
        status = acpi_find_rsdp(&memory, &rsdp);
        if (status == ACPI_OK)
            status = acpi_find_table(&memory, &rsdp, "APIC", 0, &phys, &used_xsdt, &root);
        if (status == ACPI_OK)
            status = acpi_map_table(&memory, phys, "APIC", &table, &length);
        if (status == ACPI_OK)
            status = madt_parse(table, length, &info);
        read = true;
    }
    *out = &info;
    return status;
}

static bool is_io_port(const struct acpi_address *reg)
{
    return reg->space == ACPI_SPACE_IO && reg->address != 0 && reg->address <= PORT_MAX;
}

/* Make sure the OS owns the ACPI hardware (SCI_EN set); false if the
 * firmware did not hand it over in time. */
static bool enable_acpi_mode(const struct acpi_fadt *fadt, uint16_t pm1a,
                             const struct acpi_services *kernel)
{
    if (inw(pm1a) & ACPI_PM1_SCI_EN)
        return true;
    if (fadt->smi_cmd == 0 || fadt->smi_cmd > PORT_MAX || fadt->acpi_enable == 0)
        return true; /* no SMI command port: the hardware is always in ACPI mode */
    kernel->say("shutdown: enabling ACPI mode (%#x to SMI_CMD %#x)\n", fadt->acpi_enable,
                (unsigned)fadt->smi_cmd);
    outb((uint16_t)fadt->smi_cmd, fadt->acpi_enable);
    for (unsigned ms = 0; ms < SCI_ENABLE_WAIT_MS; ms++) {
        if (inw(pm1a) & ACPI_PM1_SCI_EN)
            return true;
        kernel->wait_ms(1);
    }
    return false;
}

/* PM1x_CNT with SLP_TYPx = type and SLP_EN clear, other bits kept. */
static uint16_t sleep_type_value(uint16_t port, uint8_t type)
{
    uint16_t value = inw(port) & (uint16_t) ~(ACPI_PM1_SLP_TYP_MASK | ACPI_PM1_SLP_EN);
    return (uint16_t)(value | type << ACPI_PM1_SLP_TYP_SHIFT);
}

/* ACPI S5; returns only if it could not be requested or did not work. */
int acpi_power_off(const struct acpi_services *kernel)
{
    const struct acpi_power_info *info;
    enum acpi_status status = acpi_power_info(&info);
    if (status != ACPI_OK) {
        kernel->say("shutdown: no ACPI power-off: %s\n", acpi_status_name(status));
        return -ENOENT;
    }
    const struct acpi_fadt *fadt = &info->fadt;
    if (!is_io_port(&fadt->pm1a_cnt)) {
        kernel->say("shutdown: no ACPI power-off: PM1a_CNT is not an I/O port (space %u, %#llx)\n",
                    fadt->pm1a_cnt.space, (unsigned long long)fadt->pm1a_cnt.address);
        return -ENOENT;
    }
    uint16_t pm1a = (uint16_t)fadt->pm1a_cnt.address;
    uint16_t pm1b = is_io_port(&fadt->pm1b_cnt) ? (uint16_t)fadt->pm1b_cnt.address : 0;
    kernel->say("shutdown: ACPI S5: SLP_TYPa %u to PM1a_CNT %#x", info->s5.slp_typa, pm1a);
    if (pm1b)
        kernel->say(", SLP_TYPb %u to PM1b_CNT %#x", info->s5.slp_typb, pm1b);
    kernel->say("\n");
    if (!enable_acpi_mode(fadt, pm1a, kernel))
        kernel->say("shutdown: SCI_EN still clear after %u ms; trying anyway\n",
                    SCI_ENABLE_WAIT_MS);

    /* This CPU only: no interrupt handler between the writes. Other CPUs
     * may run on; the power-off ends them too. */
    uint64_t flags = cpu_save_and_disable_interrupts();
    uint16_t a = sleep_type_value(pm1a, info->s5.slp_typa);
    uint16_t b = pm1b ? sleep_type_value(pm1b, info->s5.slp_typb) : 0;
    outw(pm1a, a); /* SLP_TYPx first, then SLP_EN in a write of its own */
    if (pm1b)
        outw(pm1b, b);
    outw(pm1a, a | ACPI_PM1_SLP_EN);
    if (pm1b)
        outw(pm1b, b | ACPI_PM1_SLP_EN);
    cpu_restore_interrupts(flags);

    kernel->wait_ms(POWER_OFF_WAIT_MS);
    kernel->say("shutdown: still running after the ACPI S5 request\n");
    return -EBUSY;
}
