/*
 * panic.h - stop the kernel with a report, for broken invariants only.
 *
 * panic() and a failed assert() disable interrupts, paint a white-on-red
 * KERNEL PANIC report (message, function, file, line) on the screen and send
 * it to COM1, then halt the CPU for good. Errors a caller can handle are
 * returned as values instead.
 */
#ifndef KEEL_KERNEL_PANIC_H
#define KEEL_KERNEL_PANIC_H

#include <stdbool.h>
#include <stdint.h>

__attribute__((noreturn, format(printf, 4, 5))) void
panic_at(const char *file, int line, const char *function, const char *fmt, ...);

#define panic(...) panic_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

#define assert(expr)                                                                               \
    ((expr) ? (void)0 : panic_at(__FILE__, __LINE__, __func__, "assertion failed: %s", #expr))

/* The pieces of a panic report, for reports built elsewhere (exceptions):
 * panic_begin disables interrupts, halts if another CPU reports a panic
 *   already, stops the other CPUs, frees the console and prints the header
 *   and "panic on CPU n: ", for the caller's first line to follow;
 * panic_backtrace prints rip (a faulting instruction), then the frames
 *   found by following rbp;
 * panic_end runs the hook and halts. */
void panic_begin(void);
void panic_backtrace(uint64_t rip, uint64_t rbp);
__attribute__((noreturn)) void panic_end(void);

/* Called by the reporting CPU before it prints, to stop every other CPU
 * (an NMI or IPI broadcast, the arch side's). NULL (the default): none. */
void panic_set_stop_others(void (*stop)(void));

/* Called after the report has been printed, before halting; `nested` tells
 * a panic during a panic. The test kernel uses it to judge should-panic
 * cases and leave QEMU. NULL (the default) means just halt. */
typedef void (*panic_hook_fn)(bool nested);
void panic_set_hook(panic_hook_fn hook);

#endif
