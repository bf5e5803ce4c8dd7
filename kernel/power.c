/*
 * power.c - power off and reboot (see power.h): which mechanisms are tried,
 * in which order, and how long each is given.
 *
 * Power-off: ACPI S5 (drivers/acpi/acpi.c), then the fixed power-off ports
 * of emulators. Reboot: command 0xFE to the 8042 keyboard controller pulses
 * its output line 0, which is wired to the CPU's reset
 * (drivers/ps2/keyboard.c); failing that, an empty IDT turns the next
 * exception into a triple fault, and the chipset resets the CPU
 * (arch/x86_64/idt.c).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <drivers/acpi/acpi.h>
#include <drivers/ps2/keyboard.h>
#include <kernel/console.h>
#include <kernel/power.h>
#include <kernel/sched/thread.h>
#include <kernel/timer.h>
#include <lib/errno.h>

#define POWER_OFF_WAIT_MS 500 /* for an emulator to act on the request */
#define RESET_ATTEMPTS    3
#define RESET_WAIT_MS     50

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

/* Wait at least ms milliseconds: sleeping when interrupts (and so the
 * timer) are on, otherwise spinning on port 0x80 (about 1 us per write). */
static void delay_ms(unsigned ms)
{
    if (cpu_interrupts_enabled()) {
        thread_sleep_ms(ms);
        return;
    }
    for (uint64_t i = 0; i < (uint64_t)ms * 1000; i++)
        io_delay();
}

int power_shutdown(void)
{
    static const struct acpi_services services = {.say = kprintf, .wait_ms = delay_ms};
    int result = acpi_power_off(&services);
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

void power_reboot(void)
{
    kprintf("reboot: pulsing the reset line through the 8042 keyboard controller\n");
    cpu_disable_interrupts(); /* this CPU only: nothing else runs here until the reset */
    for (int attempt = 0; attempt < RESET_ATTEMPTS; attempt++) {
        ps2_pulse_reset_line();
        delay_ms(RESET_WAIT_MS);
    }
    kprintf("reboot: the keyboard controller did not reset the machine; triple fault\n");
    cpu_triple_fault();
    cpu_halt_forever();
}
