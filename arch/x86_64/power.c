/*
 * power.c - power off and reboot (see keel/power.h).
 *
 * ACPI soft-off, as ACPICA does it (ACPI 6.x: 7.4.2 "\_Sx (System
 * States)", chapter 16 "Waking and Sleeping", PM1 control bits in
 * 4.8.3.2.1): if SCI_EN is clear the firmware still owns the ACPI hardware,
 * so ACPI_ENABLE is written to SMI_CMD and SCI_EN polled; then SLP_TYPx goes
 * into PM1a_CNT and PM1b_CNT, and a second write adds SLP_EN, which starts
 * the transition. The tables come from drivers/acpi.c. Only PM1 blocks in
 * I/O space are handled, which is where PC chipsets and emulators put them;
 * hardware-reduced ACPI platforms (no PM1 blocks at all) are not.
 *
 * Reboot: command 0xFE to the 8042 keyboard controller pulses its output
 * line 0, which is wired to the CPU's reset (after waiting until its input
 * buffer, status bit 1, is empty). Failing that, an IDT with limit 0 turns
 * the next exception into a triple fault, and the chipset resets the CPU.
 */
#include <arch/x86_64/cpu.h>
#include <keel/acpi.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/power.h>
#include <keel/timer.h>

#define SCI_ENABLE_WAIT_MS 300 /* real chipsets switch within microseconds */
#define POWER_OFF_WAIT_MS  500 /* for an emulator to act on the request */
#define PORT_MAX           0xFFFFu

/* Fixed power-off ports of emulators: value = SLP_TYP << 10 | SLP_EN. */
struct emulator_port {
    const char *name;
    uint16_t port;
    uint16_t value;
};

static const struct emulator_port emulator_ports[] = {
    {"QEMU (PM1a_CNT at SeaBIOS's PM base 0x600)", 0x604, 0x2000},
    {"Bochs and QEMU before 2.0", 0xB004, 0x2000},
    {"VirtualBox", 0x4004, 0x3400},
};

#define KBC_STATUS            0x64
#define KBC_COMMAND           0x64
#define KBC_STATUS_INPUT_FULL 0x02 /* the controller has not taken the last byte yet */
#define KBC_PULSE_RESET       0xFE /* pulse output line 0 (CPU reset) low */
#define KBC_WAIT_LOOPS        100000
#define KBC_RESET_ATTEMPTS    3
#define RESET_WAIT_MS         50

/* Wait at least ms milliseconds: sleeping when interrupts (and so the
 * timer) are on, otherwise spinning on port 0x80 (about 1 us per write). */
static void delay_ms(uint64_t ms)
{
    if (cpu_interrupts_enabled()) {
        sleep_ms(ms);
        return;
    }
    for (uint64_t i = 0; i < ms * 1000; i++)
        io_delay();
}

static bool is_io_port(const struct acpi_address *reg)
{
    return reg->space == ACPI_SPACE_IO && reg->address != 0 && reg->address <= PORT_MAX;
}

/* Make sure the OS owns the ACPI hardware (SCI_EN set); false if the
 * firmware did not hand it over in time. */
static bool enable_acpi_mode(const struct acpi_fadt *fadt, uint16_t pm1a)
{
    if (inw(pm1a) & ACPI_PM1_SCI_EN)
        return true;
    if (fadt->smi_cmd == 0 || fadt->smi_cmd > PORT_MAX || fadt->acpi_enable == 0)
        return true; /* no SMI command port: the hardware is always in ACPI mode */
    kprintf("shutdown: enabling ACPI mode (%#x to SMI_CMD %#x)\n", fadt->acpi_enable,
            (unsigned)fadt->smi_cmd);
    outb((uint16_t)fadt->smi_cmd, fadt->acpi_enable);
    for (unsigned ms = 0; ms < SCI_ENABLE_WAIT_MS; ms++) {
        if (inw(pm1a) & ACPI_PM1_SCI_EN)
            return true;
        delay_ms(1);
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
static int acpi_power_off(void)
{
    const struct acpi_power_info *info;
    enum acpi_status status = acpi_power_info(&info);
    if (status != ACPI_OK) {
        kprintf("shutdown: no ACPI power-off: %s\n", acpi_status_name(status));
        return -ENOENT;
    }
    const struct acpi_fadt *fadt = &info->fadt;
    if (!is_io_port(&fadt->pm1a_cnt)) {
        kprintf("shutdown: no ACPI power-off: PM1a_CNT is not an I/O port (space %u, %#llx)\n",
                fadt->pm1a_cnt.space, (unsigned long long)fadt->pm1a_cnt.address);
        return -ENOENT;
    }
    uint16_t pm1a = (uint16_t)fadt->pm1a_cnt.address;
    uint16_t pm1b = is_io_port(&fadt->pm1b_cnt) ? (uint16_t)fadt->pm1b_cnt.address : 0;
    kprintf("shutdown: ACPI S5: SLP_TYPa %u to PM1a_CNT %#x", info->s5.slp_typa, pm1a);
    if (pm1b)
        kprintf(", SLP_TYPb %u to PM1b_CNT %#x", info->s5.slp_typb, pm1b);
    kprintf("\n");
    if (!enable_acpi_mode(fadt, pm1a))
        kprintf("shutdown: SCI_EN still clear after %u ms; trying anyway\n", SCI_ENABLE_WAIT_MS);

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

    delay_ms(POWER_OFF_WAIT_MS);
    kprintf("shutdown: still running after the ACPI S5 request\n");
    return -EBUSY;
}

int power_shutdown(void)
{
    int result = acpi_power_off();
    for (size_t i = 0; i < sizeof(emulator_ports) / sizeof(emulator_ports[0]); i++) {
        const struct emulator_port *e = &emulator_ports[i];
        kprintf("shutdown: trying the %s port %#x\n", e->name, e->port);
        outw(e->port, e->value);
        delay_ms(POWER_OFF_WAIT_MS);
    }
    return result;
}

const char *power_error_name(int error)
{
    switch (error) {
    case -ENOENT:
        return "no way to power off was found";
    case -EBUSY:
        return "the machine ignored the ACPI power-off request";
    default:
        return "unknown power-off result";
    }
}

static void kbc_wait_input_empty(void)
{
    for (unsigned i = 0; i < KBC_WAIT_LOOPS && (inb(KBC_STATUS) & KBC_STATUS_INPUT_FULL); i++)
        io_delay();
}

/* With an empty IDT (limit 0) the breakpoint cannot be delivered (#GP),
 * nor can that #GP (#DF), nor the #DF: the CPU shuts down, and the chipset
 * answers a shutdown cycle with a reset. */
static void triple_fault(void)
{
    static const struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty_idt = {0, 0};
    lidt(&empty_idt);
    cpu_breakpoint();
}

void power_reboot(void)
{
    kprintf("reboot: pulsing the reset line through the 8042 keyboard controller\n");
    cpu_disable_interrupts();
    for (int attempt = 0; attempt < KBC_RESET_ATTEMPTS; attempt++) {
        kbc_wait_input_empty();
        outb(KBC_COMMAND, KBC_PULSE_RESET);
        delay_ms(RESET_WAIT_MS);
    }
    kprintf("reboot: the keyboard controller did not reset the machine; triple fault\n");
    triple_fault();
    cpu_halt_forever();
}
