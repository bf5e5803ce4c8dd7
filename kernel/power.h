/*
 * power.h - turning the machine off and restarting it
 * (kernel/power.c).
 */
#ifndef KEEL_KERNEL_POWER_H
#define KEEL_KERNEL_POWER_H

/* Power the machine off. Tries, in order, announcing each on the console:
 *   1. ACPI soft-off (S5): SLP_TYPa/SLP_TYPb from the \_S5 package (DSDT or SSDT),
 *      written with SLP_EN to PM1a_CNT (and PM1b_CNT), after switching the
 *      hardware to ACPI mode through SMI_CMD if SCI_EN is clear;
 *   2. the fixed ports of emulators: QEMU (0x604), Bochs and QEMU before
 *      2.0 (0xB004), VirtualBox (0x4004).
 * Returns only if the machine is still running afterwards:
 *   -ENOENT  no usable ACPI S5 information (the reason was printed) and no
 *            emulator port took effect;
 *   -EBUSY   ACPI S5 was requested but the machine did not turn off.
 * Interrupts may be on or off; with them on, the waits sleep. */
int power_shutdown(void);

/* What a value power_shutdown returned means, for the message after it
 * ("no way to power off was found", ...). */
const char *power_error_name(int error);

/* Restart the machine: pulse the reset line through the 8042 keyboard
 * controller (command 0xFE), then, if that did nothing, cause a triple
 * fault; if even that returns, halt with interrupts off. */
__attribute__((noreturn)) void power_reboot(void);

#endif
