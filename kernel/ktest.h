/*
 * ktest.h - in-kernel test cases.
 *
 * A test kernel (make build/kernel-test.elf) contains every case registered
 * with KTEST, KTEST_SHOULD_PANIC or KTEST_BENCH, collected by the linker into
 * the .ktests section. The test kernel reports on COM1 and leaves QEMU
 * through the isa-debug-exit device; tests/kernel/run_kernel_tests.py drives
 * it (and tools/bench_sched.py the benchmarks):
 *
 *   no command line      run every ordinary case, one line each
 *                        ("ktest: PASS name" / "ktest: FAIL name: reason"),
 *                        list the should-panic cases ("ktest: should-panic
 *                        name") and the benchmarks ("ktest: bench name"),
 *                        then "ktest: done P passed, F failed"
 *   ktest=PREFIX*        run the ordinary cases whose names start with PREFIX,
 *                        reported as a whole run is (the runner boots the
 *                        process cases so once more on a CPU with SMEP/SMAP)
 *   ktest=NAME           run only that case; a should-panic case passes when
 *                        it panics and the report shows `expect` on screen;
 *                        a benchmark runs like an ordinary case, printing
 *                        its "bench: name: value" lines before its result
 *
 * QEMU exits with status 33 when everything passed, 35 otherwise.
 */
#ifndef KEEL_KERNEL_KTEST_H
#define KEEL_KERNEL_KTEST_H

#include <boot/boot_info.h>
#include <stdbool.h>

enum ktest_outcome {
    KTEST_RETURNS,      /* the case returns; a failed check makes it fail */
    KTEST_PANICS,       /* the case must panic */
    KTEST_PANICS_TWICE, /* the case must panic, and the panic report panic */
    KTEST_MEASURES,     /* a benchmark: returns like KTEST_RETURNS, runs only when named */
};

struct ktest_case {
    const char *name;
    void (*run)(void);
    enum ktest_outcome outcome;
    const char *expect; /* should-panic: texts the report must show, separated by '|' */
};

#define KTEST_REGISTER(fn_name, outcome_, expect_)                                                 \
    static void fn_name(void);                                                                     \
    static const struct ktest_case ktest_case_##fn_name                                            \
        __attribute__((used, section(".ktests"), aligned(8))) = {#fn_name, fn_name, outcome_,      \
                                                                 expect_};                         \
    static void fn_name(void)

#define KTEST(name)                            KTEST_REGISTER(name, KTEST_RETURNS, "")
#define KTEST_SHOULD_PANIC(name, expect)       KTEST_REGISTER(name, KTEST_PANICS, expect)
#define KTEST_SHOULD_PANIC_TWICE(name, expect) KTEST_REGISTER(name, KTEST_PANICS_TWICE, expect)
#define KTEST_BENCH(name)                      KTEST_REGISTER(name, KTEST_MEASURES, "")

/* Record a failed check in the running case (the first one is reported). */
void ktest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define KTEST_CHECK(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest_fail(__FILE__, __LINE__, "check failed: %s", #cond);                             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define KTEST_CHECK_EQ(actual, expected)                                                           \
    do {                                                                                           \
        unsigned long long actual_ = (unsigned long long)(actual);                                 \
        unsigned long long expected_ = (unsigned long long)(expected);                             \
        if (actual_ != expected_) {                                                                \
            ktest_fail(__FILE__, __LINE__, "%s == %#llx, expected %#llx", #actual, actual_,        \
                       expected_);                                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* The boot information the test kernel was started with. */
const struct boot_info *ktest_boot_info(void);
/* A should-panic case may ask for one more check once the report is on
 * the screen: check() runs in the panic (interrupts off, on the reporting
 * CPU) and returns NULL, or what the screen or the machine lacks. */
void ktest_set_panic_check(const char *(*check)(void));
/* How many times text appears on the screen, for such checks. */
unsigned ktest_screen_count(const char *text);

/* Run the tests as the command line asks; leaves QEMU, never returns. */
__attribute__((noreturn)) void ktest_main(const struct boot_info *info);

#endif
