/*
 * ktest.c - the test kernel's runner (see kernel/ktest.h for the protocol).
 *
 * Built only into build/kernel-test.elf. Results go to the console (and so
 * to COM1, where the runner reads them); the verdict leaves QEMU through the
 * isa-debug-exit device at port 0xF4: QEMU exits with (value << 1) | 1, so
 * 0x10 gives 33 (pass) and 0x11 gives 35 (fail).
 */
#include <arch/x86_64/cpu.h>
#include <drivers/vga/vga.h>
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/panic.h>
#include <kernel/smp.h>
#include <lib/format.h>
#include <lib/string.h>

#define DEBUG_EXIT_PORT  0xF4
#define KTEST_SMP_PREFIX "smp_"
#define DEBUG_EXIT_PASS  0x10 /* QEMU exit status 33 = (0x10 << 1) | 1 */
#define DEBUG_EXIT_FAIL  0x11 /* QEMU exit status 35 = (0x11 << 1) | 1 */
#define FAILURE_TEXT_MAX 160
#define COMMAND_PREFIX   "ktest="

extern const struct ktest_case __ktests_start[], __ktests_end[];

static const struct boot_info *boot;
static const struct ktest_case *current;
static bool current_failed;
static char failure_text[FAILURE_TEXT_MAX];

const struct boot_info *ktest_boot_info(void)
{
    return boot;
}

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
    if (current_failed)
        return;
    current_failed = true;
    int n = ksnprintf(failure_text, sizeof(failure_text), "%s:%d: ", file, line);
    if (n < 0 || (size_t)n >= sizeof(failure_text))
        return;
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(failure_text + n, sizeof(failure_text) - (size_t)n, fmt, ap);
    va_end(ap);
}

static __attribute__((noreturn)) void ktest_exit(bool passed)
{
    outb(DEBUG_EXIT_PORT, passed ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
    /* Not under QEMU with isa-debug-exit: stay here. */
    kprintf("ktest: no isa-debug-exit device; halting\n");
    cpu_halt_forever();
}

/* How many times `text` appears on the screen, read back from the grid's
 * cells (in the panic's colours only, if panic_colours). */
static unsigned screen_count(const char *text, bool panic_colours)
{
    const struct vga_writer *grid = console_grid();
    size_t len = strlen(text);
    uint8_t panic_attr = vga_attr(VGA_WHITE, VGA_RED);
    unsigned found = 0;
    for (size_t row = 0; row < grid->rows; row++) {
        for (size_t col = 0; col + len <= grid->cols; col++) {
            size_t i = 0;
            for (; i < len; i++) {
                uint16_t cell = grid->cells[row * grid->cols + col + i];
                if ((char)(cell & 0xFF) != text[i] || (panic_colours && (cell >> 8) != panic_attr))
                    break;
            }
            found += i == len;
        }
    }
    return found;
}

static bool screen_shows(const char *text, bool panic_colours)
{
    return screen_count(text, panic_colours) > 0;
}

unsigned ktest_screen_count(const char *text)
{
    return screen_count(text, false);
}

static const char *(*panic_check)(void);

void ktest_set_panic_check(const char *(*check)(void))
{
    panic_check = check;
}

/* The first '|'-separated part of `expect` that the screen does not show,
 * or NULL if it shows them all. */
static const char *first_missing_part(const char *expect)
{
    static char part[FAILURE_TEXT_MAX];
    while (*expect) {
        size_t n = 0;
        while (expect[n] && expect[n] != '|' && n < sizeof(part) - 1) {
            part[n] = expect[n];
            n++;
        }
        part[n] = '\0';
        if (!screen_shows(part, false))
            return part;
        expect += n;
        if (*expect == '|')
            expect++;
    }
    return NULL;
}

static bool must_panic(const struct ktest_case *c)
{
    return c->outcome == KTEST_PANICS || c->outcome == KTEST_PANICS_TWICE;
}

/* Judge a should-panic case once its panic report is on the screen. */
static void ktest_on_panic(bool nested)
{
    if (!current || !must_panic(current)) {
        kprintf("ktest: FAIL %s: unexpected panic\n", current ? current->name : "(runner)");
        ktest_exit(false);
    }
    if (current->outcome == KTEST_PANICS_TWICE && !nested)
        panic("second panic, raised while reporting the first");
    const char *missing = NULL;
    if (!screen_shows("KERNEL PANIC", true))
        missing = "white-on-red KERNEL PANIC header";
    else if (nested && !screen_shows("KERNEL PANIC while panicking", true))
        missing = "nested panic line";
    else
        missing = first_missing_part(current->expect);
    if (!missing && panic_check)
        missing = panic_check();
    if (missing) {
        kprintf("ktest: FAIL %s: screen lacks \"%s\"\n", current->name, missing);
        ktest_exit(false);
    }
    kprintf("ktest: PASS %s\n", current->name);
    ktest_exit(true);
}

/* Run one ordinary case and print its result line; returns whether it passed. */
static bool run_case(const struct ktest_case *c)
{
    current = c;
    current_failed = false;
    c->run();
    current = NULL;
    if (current_failed)
        kprintf("ktest: FAIL %s: %s\n", c->name, failure_text);
    else
        kprintf("ktest: PASS %s\n", c->name);
    return !current_failed;
}

/* Every ordinary case, or (prefix not NULL) those whose names start with
 * it. Cases named smp_* need other CPUs: the whole run leaves them out on
 * a machine with one CPU online (the runner boots them on several, as the
 * group ktest=smp_*), and a group run of them on one CPU fails. */
static __attribute__((noreturn)) void run_all(const char *prefix)
{
    unsigned passed = 0, failed = 0;
    bool one_cpu = smp_cpus_online() < 2;
    for (const struct ktest_case *c = __ktests_start; c < __ktests_end; c++) {
        if (c->outcome != KTEST_RETURNS)
            continue;
        if (prefix && strncmp(c->name, prefix, strlen(prefix)) != 0)
            continue;
        if (!prefix && one_cpu && strncmp(c->name, KTEST_SMP_PREFIX, strlen(KTEST_SMP_PREFIX)) == 0)
            continue;
        if (run_case(c))
            passed++;
        else
            failed++;
    }
    for (const struct ktest_case *c = __ktests_start; c < __ktests_end; c++)
        if (must_panic(c))
            kprintf("ktest: should-panic %s\n", c->name);
    for (const struct ktest_case *c = __ktests_start; c < __ktests_end; c++)
        if (c->outcome == KTEST_MEASURES)
            kprintf("ktest: bench %s\n", c->name);
    kprintf("ktest: done %u passed, %u failed\n", passed, failed);
    ktest_exit(failed == 0);
}

static __attribute__((noreturn)) void run_one(const char *name)
{
    for (const struct ktest_case *c = __ktests_start; c < __ktests_end; c++) {
        if (strcmp(c->name, name) != 0)
            continue;
        if (!must_panic(c))
            ktest_exit(run_case(c));
        current = c;
        c->run();
        kprintf("ktest: FAIL %s: did not panic\n", c->name);
        ktest_exit(false);
    }
    kprintf("ktest: FAIL %s: no such test case\n", name);
    ktest_exit(false);
}

void ktest_main(const struct boot_info *info)
{
    boot = info;
    panic_set_hook(ktest_on_panic);
    const char *cmdline = info->command_line;
    const char *selected = NULL;
    size_t prefix_len = sizeof(COMMAND_PREFIX) - 1;
    for (const char *p = cmdline; *p; p++)
        if ((p == cmdline || p[-1] == ' ') && strncmp(p, COMMAND_PREFIX, prefix_len) == 0)
            selected = p + prefix_len;
    if (!selected)
        run_all(NULL);
    char name[64];
    size_t n = 0;
    while (selected[n] && selected[n] != ' ' && n < sizeof(name) - 1) {
        name[n] = selected[n];
        n++;
    }
    name[n] = '\0';
    if (n > 0 && name[n - 1] == '*') { /* ktest=PREFIX*: a group, reported like the whole run */
        name[n - 1] = '\0';
        run_all(name);
    }
    run_one(name);
}
