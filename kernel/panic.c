/*
 * panic.c - the last thing the kernel says.
 *
 * The report starts on a fresh line with a full-width white-on-red header,
 * so it stands out wherever the screen was, and is mirrored on COM1 like
 * all console output. It ends with a backtrace: the chain of saved frame
 * pointers (the kernel keeps them, -fno-omit-frame-pointer), each return
 * address resolved against the symbol table linked into the kernel.
 *
 * Any CPU may panic, and two may at once: the first to swap its number
 * into panic_cpu reports, any other one just halts (its report would only
 * interleave with the first). The reporter first stops the other CPUs
 * through the hook the arch side installs (an NMI or IPI broadcast), then
 * breaks the console lock, so a panic prints even when it struck while
 * the console was in use. The report names the CPU: "panic on CPU n: ".
 * A second panic on the reporting CPU while the first is being reported
 * (say, a bug in the console) must not recurse: it writes a short line
 * straight to serial and the first screen row, then halts.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/percpu.h>
#include <drivers/serial/serial.h>
#include <drivers/vga/vga.h>
#include <kernel/console.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <mm/stacks.h>

#define BACKTRACE_MAX_FRAMES 12
#define SYMBOL_TEXT_MAX      96
#define NO_CPU               (-1)

static const char nested_message[] = "KERNEL PANIC while panicking: halted";

static int panic_cpu = NO_CPU; /* the CPU that reports, once one panics */
static panic_hook_fn panic_hook;
static void (*volatile stop_others)(void);

void panic_set_hook(panic_hook_fn hook)
{
    panic_hook = hook;
}

void panic_set_stop_others(void (*stop)(void))
{
    stop_others = stop;
}

/* Report a panic during a panic with as little machinery as possible. */
static __attribute__((noreturn)) void panic_nested(void)
{
    struct vga_writer *grid = console_grid();
    uint8_t attr = vga_attr(VGA_WHITE, VGA_RED);
    for (unsigned i = 0; i < grid->cols; i++) {
        char c = i < sizeof(nested_message) - 1 ? nested_message[i] : ' ';
        vga_set_cell(grid, i, vga_cell((unsigned char)c, attr));
    }
    serial_putc('\n');
    for (const char *s = nested_message; *s; s++)
        serial_putc(*s);
    serial_putc('\n');
    if (panic_hook)
        panic_hook(true);
    cpu_halt_forever();
}

/* A full-width bar in the panic colours with `title` centred. */
static void panic_header(const char *title, unsigned title_len)
{
    struct vga_writer *grid = console_grid();
    if (grid->col != 0)
        console_putc('\n');
    console_set_color(VGA_WHITE, VGA_RED);
    unsigned left = (grid->cols - title_len) / 2;
    for (unsigned i = 0; i < left; i++)
        console_putc(' ');
    kprintf("%s", title);
    for (unsigned i = left + title_len; i < grid->cols; i++)
        vga_put_char(grid, ' '); /* screen only: serial needs no padding */
    console_putc('\n');
}

/* Become the CPU that reports, or halt: another one reports already. */
static void claim_the_report(void)
{
    int self = (int)cpu_read_id(), first = NO_CPU;
    if (__atomic_compare_exchange_n(&panic_cpu, &first, self, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return;
    if (first == self)
        panic_nested();
    cpu_halt_forever();
}

void panic_begin(void)
{
    cpu_disable_interrupts(); /* this CPU never runs anything else again */
    claim_the_report();
    void (*stop)(void) = stop_others;
    if (stop)
        stop();
    bool console_was_locked = console_panic_unlock();
    static const char title[] = "KERNEL PANIC";
    panic_header(title, sizeof(title) - 1);
    if (console_was_locked)
        kprintf("(the console lock was held; output above may be cut short)\n");
    kprintf("panic on CPU %u: ", cpu_read_id());
}

/* Whether `frame` can be a saved frame pointer: 8-byte aligned, with both
 * words it points at inside one of the kernel's stacks. */
static bool frame_plausible(uint64_t frame)
{
    const struct kernel_stack *stack = stack_containing((uintptr_t)frame);
    return frame % 8 == 0 && stack && frame + 16 <= stack->top;
}

static void print_frame(unsigned depth, uint64_t address)
{
    char symbol[SYMBOL_TEXT_MAX];
    ksym_format(ksym_kernel_table(), symbol, sizeof(symbol), address);
    kprintf("  #%-2u 0x%016llx  %s\n", depth, (unsigned long long)address, symbol);
}

/* A return address is printed as it is, but named after the call before it
 * (a call to a noreturn function can be the last instruction of a function,
 * so the address after it belongs to the next one). */
static void print_return_frame(unsigned depth, uint64_t address)
{
    char symbol[SYMBOL_TEXT_MAX];
    ksym_format_return(ksym_kernel_table(), symbol, sizeof(symbol), address);
    kprintf("  #%-2u 0x%016llx  %s\n", depth, (unsigned long long)address, symbol);
}

/* Print the return addresses found by following the frame pointer chain
 * from `rbp`, numbering from `depth`. Repeated frames (deep recursion) are
 * folded into one line, so the header stays on the screen. */
static void walk_frames(uint64_t rbp, unsigned depth)
{
    unsigned repeats = 0;
    uint64_t previous = 0;
    /* Each frame: [rbp] = the caller's rbp, [rbp + 8] = the return address. */
    while (depth < BACKTRACE_MAX_FRAMES && rbp != 0 && frame_plausible(rbp)) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t return_address = frame[1];
        if (return_address == 0)
            break;
        if (return_address == previous) {
            repeats++;
        } else {
            if (repeats)
                kprintf("      (the frame above %u more times)\n", repeats);
            repeats = 0;
            print_return_frame(depth++, return_address);
            previous = return_address;
        }
        if (frame[0] <= rbp)
            break; /* frames move towards the stack top; anything else is corrupt */
        rbp = frame[0];
    }
    if (repeats)
        kprintf("      (the frame above %u more times)\n", repeats);
}

void panic_backtrace(uint64_t rip, uint64_t rbp)
{
    kprintf("backtrace:\n");
    print_frame(0, rip);
    walk_frames(rbp, 1);
}

void panic_end(void)
{
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    kprintf("System halted.\n");
    if (panic_hook)
        panic_hook(false);
    cpu_halt_forever();
}

void panic_at(const char *file, int line, const char *function, const char *fmt, ...)
{
    uint64_t rbp = read_rbp(); /* our own frame: the walk starts at our caller */
    panic_begin();
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n  in %s() at %s:%d\n", function, file, line);
    console_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    kprintf("backtrace:\n");
    walk_frames(rbp, 0);
    panic_end();
}
