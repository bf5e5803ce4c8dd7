/*
 * console.h - the UEFI loader's messages: on the firmware's console
 * (ConOut, which OVMF and most firmware mirror to the serial port) while
 * boot services run, then straight to COM1 (drivers/serial/serial.c) once
 * ExitBootServices() has taken the firmware's console away.
 */
#ifndef KEEL_BOOT_UEFI_CONSOLE_H
#define KEEL_BOOT_UEFI_CONSOLE_H

#include <boot/uefi/efi.h>

void uefi_console_init(struct efi_system_table *system_table);

/* From now on every message goes to COM1 only: boot services are gone. */
void uefi_console_after_exit(void);

void uefi_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Show "Keel UEFI loader: <message> (<status name>)" in red, wait for a key
 * (the firmware's watchdog is stopped first, so waiting never ends in a
 * reset) and return `status`, which efi_main() hands back to the firmware:
 * it goes on to its next boot option or its boot menu. */
efi_status uefi_fail(efi_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After ExitBootServices() there is no firmware to return to: say so on
 * COM1 and halt with interrupts off (never a reset). */
__attribute__((noreturn, format(printf, 1, 2))) void uefi_fail_after_exit(const char *fmt, ...);

/* The spec's name of a status code ("EFI_NOT_FOUND"), or "unknown status". */
const char *efi_status_name(efi_status status);

#endif
