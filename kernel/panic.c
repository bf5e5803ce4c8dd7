/*
 * panic.c - the last thing the kernel says.
 *
 * The report starts on a fresh line with a full-width white-on-red header,
 * so it stands out wherever the screen was, and is mirrored on COM1 like
 * all console output. A second panic while the first is being reported
 * (say, a bug in the console) must not recurse: it writes a short line
 * straight to serial and the first screen row, then halts.
 */
#include <arch/x86_64/cpu.h>
#include <keel/console.h>
#include <keel/panic.h>
#include <keel/serial.h>
#include <keel/vga.h>

static const char nested_message[] = "KERNEL PANIC while panicking: halted";

static volatile bool panicking;
static panic_hook_fn panic_hook;

void panic_set_hook(panic_hook_fn hook)
{
    panic_hook = hook;
}

/* Report a panic during a panic with as little machinery as possible. */
static __attribute__((noreturn)) void panic_nested(const char *file, int line)
{
    struct vga_writer *vga = console_vga();
    uint8_t attr = vga_attr(VGA_WHITE, VGA_RED);
    for (unsigned i = 0; i < VGA_WIDTH; i++) {
        char c = i < sizeof(nested_message) - 1 ? nested_message[i] : ' ';
        vga->cells[i] = vga_cell((unsigned char)c, attr);
    }
    serial_putc('\n');
    for (const char *s = nested_message; *s; s++)
        serial_putc(*s);
    kprintf(" (second panic at %s:%d)\n", file, line);
    if (panic_hook)
        panic_hook(true);
    cpu_halt_forever();
}

/* A full-width bar in the panic colours with `title` centred. */
static void panic_header(const char *title, unsigned title_len)
{
    struct vga_writer *vga = console_vga();
    if (vga->col != 0)
        console_putc('\n');
    console_set_color(VGA_WHITE, VGA_RED);
    unsigned left = (VGA_WIDTH - title_len) / 2;
    for (unsigned i = 0; i < left; i++)
        console_putc(' ');
    kprintf("%s", title);
    for (unsigned i = left + title_len; i < VGA_WIDTH; i++)
        vga_put_char(vga, ' '); /* screen only: serial needs no padding */
    console_putc('\n');
}

void panic_at(const char *file, int line, const char *function, const char *fmt, ...)
{
    cpu_disable_interrupts();
    if (panicking)
        panic_nested(file, line);
    panicking = true;

    static const char title[] = "KERNEL PANIC";
    panic_header(title, sizeof(title) - 1);
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n  in %s() at %s:%d\n", function, file, line);
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    kprintf("System halted.\n");

    if (panic_hook)
        panic_hook(false);
    cpu_halt_forever();
}
