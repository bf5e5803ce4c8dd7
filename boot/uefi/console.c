/*
 * console.c - the UEFI loader's output (see console.h).
 *
 * ConOut takes UCS-2 strings (UEFI 2.10, 12.4 OutputString()) and moves the
 * cursor only on CR and LF alike, so each '\n' is sent as "\r\n". The
 * kernel's formatter (lib/format.c) turns the format into characters, which
 * gather in a small buffer flushed at every newline and when full.
 */
#include <boot/uefi/console.h>

#include <drivers/serial/serial.h>
#include <lib/format.h>
#include <stdarg.h>
#include <stdbool.h>

#define LINE_BUFFER_CHARS 128 /* UCS-2 units, the NUL included */

static struct efi_system_table *system;
static bool boot_services_gone;
static efi_char16 line[LINE_BUFFER_CHARS];
static size_t line_length;

void uefi_console_init(struct efi_system_table *system_table)
{
    system = system_table;
}

void uefi_console_after_exit(void)
{
    boot_services_gone = true;
    serial_init();
}

static void flush(void)
{
    line[line_length] = 0;
    if (line_length)
        system->con_out->output_string(system->con_out, line);
    line_length = 0;
}

static void put_unit(efi_char16 unit)
{
    if (line_length == LINE_BUFFER_CHARS - 1)
        flush();
    line[line_length++] = unit;
}

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    if (boot_services_gone) {
        if (c == '\n')
            serial_putc('\r');
        serial_putc(c);
        return;
    }
    if (c == '\n')
        put_unit('\r');
    put_unit((unsigned char)c < 0x80 ? (efi_char16)c : '?'); /* UCS-2 = ASCII below 0x80 */
    if (c == '\n')
        flush();
}

static void vprint(const char *fmt, va_list ap)
{
    format_v(console_sink, NULL, fmt, ap);
    if (!boot_services_gone)
        flush();
}

void uefi_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
}

/* Block until a key is pressed, then take it out of the input queue. */
static void wait_for_key(void)
{
    struct efi_boot_services *bs = system->boot_services;
    struct efi_input_key key;
    uint64_t index;

    bs->set_watchdog_timer(0, 0, 0, NULL); /* 0: no watchdog (7.5, SetWatchdogTimer()) */
    system->con_in->reset(system->con_in, 0);
    bs->wait_for_event(1, &system->con_in->wait_for_key, &index);
    system->con_in->read_key_stroke(system->con_in, &key);
}

efi_status uefi_fail(efi_status status, const char *fmt, ...)
{
    va_list ap;

    system->con_out->set_attribute(system->con_out, EFI_WHITE | EFI_BACKGROUND_RED);
    uefi_printf("Keel UEFI loader: ");
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
    uefi_printf(" (%s)", efi_status_name(status));
    system->con_out->set_attribute(system->con_out, EFI_LIGHTGRAY);
    uefi_printf("\nBoot stopped. Press a key to return to the firmware.\n");
    wait_for_key();
    return status;
}

void uefi_fail_after_exit(const char *fmt, ...)
{
    va_list ap;

    uefi_printf("Keel UEFI loader: ");
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
    uefi_printf("\nBoot stopped after ExitBootServices(): power off or reset the machine.\n");
    for (;;)
        __asm__ volatile("cli; hlt" : : : "memory");
}

const char *efi_status_name(efi_status status)
{
    switch (status) {
    case EFI_SUCCESS:
        return "EFI_SUCCESS";
    case EFI_LOAD_ERROR:
        return "EFI_LOAD_ERROR";
    case EFI_INVALID_PARAMETER:
        return "EFI_INVALID_PARAMETER";
    case EFI_UNSUPPORTED:
        return "EFI_UNSUPPORTED";
    case EFI_BUFFER_TOO_SMALL:
        return "EFI_BUFFER_TOO_SMALL";
    case EFI_NOT_READY:
        return "EFI_NOT_READY";
    case EFI_DEVICE_ERROR:
        return "EFI_DEVICE_ERROR";
    case EFI_OUT_OF_RESOURCES:
        return "EFI_OUT_OF_RESOURCES";
    case EFI_VOLUME_CORRUPTED:
        return "EFI_VOLUME_CORRUPTED";
    case EFI_NOT_FOUND:
        return "EFI_NOT_FOUND";
    case EFI_ACCESS_DENIED:
        return "EFI_ACCESS_DENIED";
    case EFI_ABORTED:
        return "EFI_ABORTED";
    }
    return "unknown status";
}
