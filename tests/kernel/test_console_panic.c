/*
 * test_console_panic.c - in-kernel checks of the console and the panic
 * report, read back from the real VGA text memory; the formatter and string
 * functions as compiled for the kernel (-O2, no SSE, kernel code model).
 */
#include <drivers/serial/serial.h>
#include <drivers/vga/cursor.h>
#include <drivers/vga/vga.h>
#include <kernel/console.h>
#include <kernel/ksyms.h>
#include <kernel/ktest.h>
#include <kernel/main.h>
#include <kernel/panic.h>
#include <lib/format.h>
#include <lib/string.h>
#include <mm/layout.h>

/* Whether screen row `row` starts with `text` in attribute `attr`. */
static bool row_starts_with(unsigned row, const char *text, uint8_t attr)
{
    const volatile uint16_t *cells = phys_to_virt(VGA_TEXT_BUFFER_PHYS);
    for (unsigned i = 0; text[i]; i++)
        if (cells[row * VGA_WIDTH + i] != vga_cell((unsigned char)text[i], attr))
            return false;
    return true;
}

KTEST(console_writes_reach_vga_memory)
{
    struct vga_writer *vga = console_grid();
    if (vga->col != 0)
        kprintf("\n");
    console_set_color(VGA_YELLOW, VGA_BLUE);
    kprintf("console probe %d\n", 1234);
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    unsigned row = vga->row - 1;
    KTEST_CHECK(row_starts_with(row, "console probe 1234", vga_attr(VGA_YELLOW, VGA_BLUE)));
}

KTEST(serial_uart_passed_self_test)
{
    KTEST_CHECK(serial_present());
}

KTEST(kernel_build_formats_like_c)
{
    char buf[96];
    int n =
        ksnprintf(buf, sizeof(buf), "%#llx|%-5d|%5.3x|%+i|%c|%.2s|%%|%zu", 0xffffffff80000000ull,
                  -42, 0xab, 7, 'K', "keel", (size_t)18446744073709551615ull);
    const char *expected = "0xffffffff80000000|-42  |  0ab|+7|K|ke|%|18446744073709551615";
    KTEST_CHECK_EQ(n, strlen(expected));
    KTEST_CHECK(strcmp(buf, expected) == 0);
}

KTEST(kernel_build_memmove_overlaps)
{
    char buf[32] = "0123456789abcdefghij";
    memmove(buf + 3, buf, 10);
    KTEST_CHECK(memcmp(buf, "0120123456789defghij", 20) == 0);
    memmove(buf, buf + 5, 10);
    KTEST_CHECK(memcmp(buf, "23456789de789defghij", 20) == 0);
}

KTEST_SHOULD_PANIC(panic_shows_report, "panic on CPU 0: deliberate panic number 42")
{
    panic("deliberate panic number %d", 42);
}

KTEST_SHOULD_PANIC(assert_failure_panics, "assertion failed: one + one == 3")
{
    volatile int one = 1;
    assert(one + one == 3);
}

KTEST_SHOULD_PANIC(panic_report_names_location, "in panic_report_names_location() at")
{
    panic("location check");
}

KTEST_SHOULD_PANIC_TWICE(panic_while_panicking_halts, "deliberate first panic")
{
    panic("deliberate first panic");
}

KTEST(symbol_table_names_kernel_functions)
{
    const char *name;
    uint64_t offset;
    KTEST_CHECK(ksym_kernel_table()->count > 0);
    KTEST_CHECK(ksym_lookup(ksym_kernel_table(), (uintptr_t)&kernel_main + 3, &name, &offset));
    KTEST_CHECK(strcmp(name, "kernel_main") == 0);
    KTEST_CHECK_EQ(offset, 3);
    char text[64];
    ksym_format(ksym_kernel_table(), text, sizeof(text), (uintptr_t)&ksnprintf);
    KTEST_CHECK(strcmp(text, "ksnprintf+0x0") == 0);
}
