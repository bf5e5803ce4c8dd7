/*
 * test_process.c - in-kernel checks of processes: programs from the
 * ramdisk (build/initrd.tar, handed to the test kernel as a module) run in
 * ring 3 and end as they should, and nothing they had stays behind.
 *
 * The programs are user/'s: `hello` (exit 0), `crash <how>` (a fault of
 * each kind, or `loop`: spins in ring 3 until killed), `spawnloop <n>`
 * (n children of its own, each waited for). Status values are keel/
 * syscall.h's: the exit code, or KEEL_STATUS_KILLED plus the vector.
 */
#include <arch/x86_64/user_mode.h>
#include <keel/syscall.h>
#include <kernel/proc/process.h>
#include <kernel/proc/ramdisk.h>
#include <tests/kernel/thread_helpers.h>

#define VECTOR_DIVIDE       0
#define VECTOR_INVALID_OP   6
#define VECTOR_GENERAL_PROT 13
#define VECTOR_PAGE_FAULT   14
#define CYCLES              1000
#define SETTLE_MS           50 /* for the reaper to free the last kernel stacks */

/* Spawn path with the given arguments (argv[0] = path) and wait: the
 * status, or a negative error from spawn or wait. */
static int run(const char *path, const char *arg1, const char *arg2)
{
    const char *argv[] = {path, arg1, arg2, NULL};
    int argc = arg1 ? (arg2 ? 3 : 2) : 1;
    int pid = process_spawn(NULL, path, argc, argv, NULL);
    if (pid < 0)
        return pid;
    int status = -1;
    int waited = process_wait(NULL, pid, &status);
    return waited == pid ? status : (waited < 0 ? waited : -1000);
}

struct usage {
    struct frame_stats frames;
    struct kheap_stats heap;
};

static void measure(struct usage *u)
{
    thread_sleep_ms(SETTLE_MS);
    frame_get_stats(kernel_frames(), &u->frames);
    kheap_get_stats(&u->heap);
}

KTEST(process_ramdisk_is_there)
{
    KTEST_CHECK(ramdisk_present());
    KTEST_CHECK(process_program_exists("hello"));
    KTEST_CHECK(process_program_exists("/crash"));
    KTEST_CHECK(!process_program_exists("no-such-program"));
}

KTEST(process_exit_status_reaches_wait)
{
    KTEST_CHECK(start_reaper());
    KTEST_CHECK_EQ(run("hello", "a", "b"), 0);
    KTEST_CHECK_EQ(run("crash", NULL, NULL), 2); /* usage: exit status 2 */
    KTEST_CHECK_EQ(process_count(), 0);
}

KTEST(process_spawn_refuses_what_it_cannot_run)
{
    const char *argv[] = {"x", NULL};
    const char *why = NULL;
    KTEST_CHECK_EQ(process_spawn(NULL, "no-such-program", 1, argv, &why), -ENOENT);
    KTEST_CHECK_EQ(process_spawn(NULL, "README", 1, argv, &why), -ENOEXEC);
    KTEST_CHECK(why != NULL);
    KTEST_CHECK_EQ(process_wait(NULL, -1, NULL), -ECHILD);
    KTEST_CHECK_EQ(process_kill(12345), -ESRCH);
}

KTEST(process_each_crash_kind_is_killed_and_leaks_nothing)
{
    static const struct {
        const char *how;
        int vector;
    } kinds[] = {
        {"null", VECTOR_PAGE_FAULT},   {"kwrite", VECTOR_PAGE_FAULT}, {"kexec", VECTOR_PAGE_FAULT},
        {"priv", VECTOR_GENERAL_PROT}, {"div0", VECTOR_DIVIDE},       {"ud", VECTOR_INVALID_OP},
        {"stack", VECTOR_PAGE_FAULT},
    };
    struct usage before, after;
    KTEST_CHECK(start_reaper());
    run("hello", NULL, NULL); /* the first run's one-time allocations */
    measure(&before);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        int status = run("crash", kinds[i].how, NULL);
        if (status != (KEEL_STATUS_KILLED | kinds[i].vector))
            ktest_fail(__FILE__, __LINE__, "crash %s: status %#x, expected %#x", kinds[i].how,
                       status, KEEL_STATUS_KILLED | kinds[i].vector);
    }
    measure(&after);
    KTEST_CHECK_EQ(after.frames.free, before.frames.free);
    KTEST_CHECK_EQ(after.heap.heap.used_bytes, before.heap.heap.used_bytes);
}

KTEST(process_kill_ends_a_loop_in_ring_3)
{
    KTEST_CHECK(start_reaper());
    const char *argv[] = {"crash", "loop", NULL};
    int pid = process_spawn(NULL, "crash", 2, argv, NULL);
    KTEST_CHECK(pid > 0);
    thread_sleep_ms(30); /* it runs its loop meanwhile, preempted by nothing but IRQ 0 */
    KTEST_CHECK_EQ(process_kill(pid), 0);
    int status = 0;
    KTEST_CHECK_EQ(process_wait(NULL, pid, &status), pid);
    KTEST_CHECK_EQ(status, KEEL_STATUS_KILLED | KEEL_KILLED_BY_REQUEST);
}

KTEST(process_spawn_wait_tree)
{
    KTEST_CHECK(start_reaper());
    KTEST_CHECK_EQ(run("spawnloop", "20", NULL), 0);
    KTEST_CHECK_EQ(process_count(), 0);
}

/* Zombies count until they are waited for: KEEL_PROC_MAX children of
 * `true`, none waited for, fill the table without any of them spinning. */
KTEST(process_limit_is_refused_with_eagain)
{
    static int pids[KEEL_PROC_MAX];
    const char *argv[] = {"true", NULL};
    int started = 0, refused = 0;
    KTEST_CHECK(start_reaper());
    for (int i = 0; i < KEEL_PROC_MAX + 1; i++) {
        int pid = process_spawn(NULL, "true", 1, argv, NULL);
        if (pid > 0 && started < KEEL_PROC_MAX)
            pids[started++] = pid;
        else if (pid == -EAGAIN)
            refused++;
    }
    int waited = 0;
    for (int i = 0; i < started; i++)
        waited += process_wait(NULL, pids[i], NULL) == pids[i];
    KTEST_CHECK_EQ(started, KEEL_PROC_MAX);
    KTEST_CHECK_EQ(refused, 1);
    KTEST_CHECK_EQ(waited, KEEL_PROC_MAX);
    KTEST_CHECK_EQ(process_count(), 0);
}

KTEST(process_thousand_cycles_leak_nothing)
{
    struct usage before, after;
    KTEST_CHECK(start_reaper());
    run("hello", NULL, NULL);
    measure(&before);
    for (int i = 0; i < CYCLES; i++) {
        int status = run("crash", "null", NULL);
        if (status != (KEEL_STATUS_KILLED | VECTOR_PAGE_FAULT)) {
            ktest_fail(__FILE__, __LINE__, "cycle %d: status %#x", i, status);
            return;
        }
    }
    measure(&after);
    KTEST_CHECK_EQ(after.frames.free, before.frames.free);
    KTEST_CHECK_EQ(after.heap.heap.used_bytes, before.heap.heap.used_bytes);
}

/* --- SMEP and SMAP (tests/kernel/run_kernel_tests.py boots these on -cpu max) --- */

#define PROBE_PAGE 0x400000ull /* a user address; the kernel's own lower half is empty */

KTEST(process_smep_smap_follow_cpuid)
{
    uint32_t eax, ebx, ecx, edx;
    cpuid(CPUID_MAX_LEAF, &eax, &ebx, &ecx, &edx);
    bool smep = false, smap = false;
    if (eax >= CPUID_EXTENDED) {
        cpuid(CPUID_EXTENDED, &eax, &ebx, &ecx, &edx);
        smep = (ebx & CPUID_7_EBX_SMEP) != 0;
        smap = (ebx & CPUID_7_EBX_SMAP) != 0;
    }
    KTEST_CHECK_EQ(user_mode_smep(), smep);
    KTEST_CHECK_EQ(user_mode_smap(), smap);
    KTEST_CHECK_EQ((read_cr4() & CR4_SMEP) != 0, smep);
    KTEST_CHECK_EQ((read_cr4() & CR4_SMAP) != 0, smap);
}

/* A user page in the kernel's own address space, for the kernel to touch. */
static uint8_t *probe_page(unsigned flags)
{
    void *kernel_view;
    if (memory_user_map_new(kernel_address_space(), PROBE_PAGE, flags, &kernel_view) != 0)
        return NULL;
    *(uint8_t *)kernel_view = 0xc3; /* ret */
    return (uint8_t *)(uintptr_t)PROBE_PAGE;
}

KTEST_SHOULD_PANIC(smap_stops_a_kernel_read_of_user_memory, "#PF Page Fault|SMAP")
{
    volatile uint8_t *page = probe_page(MAP_WRITE);
    if (page)
        (void)*page; /* not through copy_from_user: SMAP refuses */
}

KTEST_SHOULD_PANIC(smap_smep_stops_the_kernel_running_user_code, "#PF Page Fault|SMEP")
{
    void (*code)(void) = (void (*)(void))(uintptr_t)probe_page(MAP_EXEC);
    if (code)
        code(); /* SMEP refuses to fetch it */
}
