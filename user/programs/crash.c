/*
 * crash.c - a program that breaks a rule of ring 3 on purpose, so the
 * kernel's handling can be seen and tested: the kernel must end this
 * program alone, with one line saying why, and carry on.
 *
 *   crash <how>
 *     null    read address 0 (page 0 is never mapped): page fault
 *     kwrite  write to the kernel's image (a supervisor page): page fault
 *     kexec   jump into the kernel's text: page fault on the fetch
 *     priv    execute cli, a privileged instruction: general protection
 *     port    read an I/O port with in (IOPL 0, no I/O bitmap): general protection
 *     div0    divide by zero: divide error
 *     ud      execute ud2: invalid opcode
 *     stack   recurse without end: page fault in the gap below the stack
 *     loop    spin forever without a system call: only Ctrl+C or kill end it
 *
 * Each prints one line saying what it is about to do first. The faulting
 * instructions are written in assembly, or reached through an address the
 * compiler cannot see, so no optimiser can remove or rearrange them (a
 * null dereference in C is undefined, and compilers do exploit that).
 */
#include <lib/string.h>
#include <stdint.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

/* The kernel image's first page (1 MiB physical in the higher half). */
#define KERNEL_TEXT 0xffffffff80100000ull
/* The PS/2 controller's data port: any port will do, none is ours. */
#define SOME_PORT 0x60

/* addr, laundered through an empty asm so the compiler knows nothing of it. */
static inline uintptr_t opaque(uintptr_t addr)
{
    __asm__ volatile("" : "+r"(addr));
    return addr;
}

static void read_null(void)
{
    (void)*(volatile uint64_t *)opaque(0);
}

static void write_kernel(void)
{
    *(volatile uint64_t *)opaque(KERNEL_TEXT) = 0;
}

static void jump_to_kernel(void)
{
    ((void (*)(void))opaque(KERNEL_TEXT))();
}

static void clear_interrupts(void)
{
    __asm__ volatile("cli");
}

static void read_port(void)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"((uint16_t)SOME_PORT));
}

static void divide_by_zero(void)
{
    __asm__ volatile("xorl %%ecx, %%ecx\n\t"
                     "divl %%ecx"
                     :
                     : "a"(1), "d"(0)
                     : "rcx", "cc");
}

static void invalid_opcode(void)
{
    __asm__ volatile("ud2");
}

/* Each frame keeps a buffer that is read after the recursive call returns,
 * so the call cannot become a loop (no tail call) and every level costs
 * stack. The test of depth against a variable the compiler cannot predict
 * keeps it from proving the recursion endless. */
static volatile unsigned stack_depth_limit = ~0u;

static unsigned recurse(unsigned depth)
{
    volatile char frame[256];
    frame[depth % sizeof(frame)] = (char)depth;
    if (depth == stack_depth_limit)
        return depth;
    return recurse(depth + 1) + frame[depth % sizeof(frame)];
}

static void overflow_stack(void)
{
    recurse(0);
}

static void spin(void)
{
    for (;;)
        __asm__ volatile("pause");
}

struct crash_way {
    const char *name;
    const char *message; /* printed before doing it */
    void (*run)(void);
};

static const struct crash_way ways[] = {
    {"null", "reading address 0", read_null},
    {"kwrite", "writing to kernel address 0xffffffff80100000", write_kernel},
    {"kexec", "jumping into kernel text at 0xffffffff80100000", jump_to_kernel},
    {"priv", "executing cli, a privileged instruction", clear_interrupts},
    {"port", "reading I/O port 0x60 with in", read_port},
    {"div0", "dividing by zero", divide_by_zero},
    {"ud", "executing ud2, an invalid opcode", invalid_opcode},
    {"stack", "recursing without end, to overflow the stack", overflow_stack},
    {"loop", "spinning forever without system calls (Ctrl+C ends it)", spin},
};

#define WAY_COUNT (sizeof(ways) / sizeof(ways[0]))

static int usage(const char *self)
{
    dprintf(KEEL_STDERR, "usage: %s <how>, how one of:", self);
    for (unsigned i = 0; i < WAY_COUNT; i++)
        dprintf(KEEL_STDERR, " %s", ways[i].name);
    dprintf(KEEL_STDERR, "\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return usage(argv[0]);
    for (unsigned i = 0; i < WAY_COUNT; i++) {
        if (strcmp(argv[1], ways[i].name) != 0)
            continue;
        printf("crash: %s\n", ways[i].message);
        ways[i].run();
        printf("crash: %s did not fault\n", ways[i].name);
        return 1;
    }
    return usage(argv[0]);
}
