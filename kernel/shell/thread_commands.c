/*
 * thread_commands.c - ps, spawn, kill and sleep (see thread_commands.h).
 */
#include <apps/demos/demos.h>
#include <arch/x86_64/percpu.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/thread.h>
#include <kernel/shell/program_commands.h>
#include <kernel/shell/thread_commands.h>
#include <kernel/smp.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <lib/format.h>
#include <lib/string.h>

#define PS_MAX_THREADS 64
#define ASCII_CTRL_C   0x03
#define MS_PER_NS      1000000ull

/* A decimal number that fills all of text; false otherwise. */
static bool parse_number(const char *text, uint64_t *value)
{
    uint64_t v = 0;
    if (*text == '\0')
        return false;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*text - '0');
    }
    *value = v;
    return true;
}

enum shell_status cmd_ps(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    static struct thread_info threads[PS_MAX_THREADS]; /* the shell's thread only */
    size_t count = thread_list(threads, PS_MAX_THREADS);
    size_t shown = count < PS_MAX_THREADS ? count : PS_MAX_THREADS;
    kprintf("%-4s %-16s %-9s %-6s %3s %8s %10s  %s\n", "ID", "NAME", "STATE", "PRIO", "CPU",
            "CPU(ms)", "STACK(KiB)", "WAITS");
    for (size_t i = shown; i-- > 0;) { /* the list is newest first: oldest on top */
        const struct thread_info *t = &threads[i];
        kprintf("%-4llu %-16s %-9s %-6s %3u %8llu %4llu/%-5llu  %s\n", (unsigned long long)t->id,
                t->name, thread_state_name(t->state), thread_priority_name(t->priority), t->cpu,
                (unsigned long long)(t->cpu_ns / MS_PER_NS),
                (unsigned long long)((t->stack_used + 1023) / 1024),
                (unsigned long long)(t->stack_size / 1024), t->waits_for ? t->waits_for : "");
    }
    if (count > shown)
        kprintf("(%zu more threads not shown)\n", count - shown);
    shell_print_processes();
    return SHELL_OK;
}

/* One line per CPU: its APIC id, state, what it runs, how idle it has been
 * since it came online, and its thread switches; then the count online. */
enum shell_status cmd_cpus(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    kprintf("%-4s %-8s %-9s %-22s %6s %10s\n", "CPU", "APIC ID", "STATE", "THREAD", "IDLE%",
            "SWITCHES");
    unsigned online = 0;
    uint64_t now = timer_now_ns();
    for (unsigned cpu = 0; cpu < smp_cpu_count(); cpu++) {
        struct cpu_info info;
        struct sched_cpu_stats stats;
        if (!smp_cpu_info(cpu, &info))
            continue;
        sched_cpu_stats(cpu, &stats);
        online += info.state == CPU_ONLINE;
        uint64_t span = now > info.online_since_ns ? now - info.online_since_ns : 0;
        uint64_t idle = span && info.state == CPU_ONLINE ? stats.idle_ns * 100 / span : 0;
        char thread[THREAD_NAME_MAX + 24] = "-";
        if (stats.online)
            ksnprintf(thread, sizeof(thread), "%llu %s", (unsigned long long)stats.thread_id,
                      stats.thread_name);
        kprintf("%-4u %-8u %-9s %-22s %5llu%% %10llu\n", cpu, info.apic_id,
                cpu_state_name(info.state), thread, (unsigned long long)(idle > 100 ? 100 : idle),
                (unsigned long long)stats.switches);
    }
    kprintf("%u CPUs online\n", online);
    return SHELL_OK;
}

enum shell_status cmd_spawn(int argc, char **argv)
{
    const struct demo *demo = argc == 2 || argc == 3 ? demo_find(argv[1]) : NULL;
    uint64_t cpu = 0;
    if (demo && argc == 3 &&
        (!parse_number(argv[2], &cpu) || !sched_cpu_online((int)cpu) || cpu >= KEEL_MAX_CPUS)) {
        kprintf("spawn: no CPU %s online (try cpus)\n", argv[2]);
        return SHELL_OK;
    }
    if (!demo) {
        unsigned count;
        const struct demo *all = demo_all(&count);
        if (argc >= 2)
            kprintf("spawn: no demo %s\n", argv[1]);
        for (unsigned i = 0; i < count; i++)
            kprintf("  %-8s %s\n", all[i].name, all[i].what);
        return argc >= 2 ? SHELL_OK : SHELL_USAGE;
    }
    struct thread *t = thread_create(demo->name, demo->run, NULL, demo->priority);
    if (!t) {
        kprintf("spawn: cannot start %s: %s\n", demo->name, error_name(thread_last_error()));
        return SHELL_OK;
    }
    uint64_t id = t->id; /* read before detaching: a detached thread may be gone at once */
    if (argc == 3)
        thread_set_affinity(t, (int)cpu); /* a CPU that is online: cannot fail */
    thread_detach(t);
    if (argc == 3)
        kprintf("started %s as thread %llu on CPU %llu\n", demo->name, (unsigned long long)id,
                (unsigned long long)cpu);
    else
        kprintf("started %s as thread %llu\n", demo->name, (unsigned long long)id);
    return SHELL_OK;
}

enum shell_status cmd_kill(int argc, char **argv)
{
    uint64_t id;
    if (argc != 2)
        return SHELL_USAGE;
    if (!parse_number(argv[1], &id)) {
        kprintf("kill: %s is not a thread id\n", argv[1]);
        return SHELL_OK;
    }
    int err = thread_kill(id);
    if (err == -ESRCH)
        kprintf("kill: no thread %llu\n", (unsigned long long)id);
    else if (err == -EPERM)
        kprintf("kill: thread %llu cannot be killed (the shell, idle and main threads stay)\n",
                (unsigned long long)id);
    else
        kprintf("killed thread %llu\n", (unsigned long long)id);
    return SHELL_OK;
}

enum shell_status cmd_sleep(int argc, char **argv)
{
    uint64_t ms;
    if (argc != 2 || !parse_number(argv[1], &ms) || ms > UINT64_MAX / MS_PER_NS)
        return SHELL_USAGE;
    uint64_t deadline = timer_now_ns() + ms * MS_PER_NS;
    struct key_event typed[INPUT_UNREAD_MAX]; /* typed ahead: handed back afterwards */
    unsigned count = 0;
    bool interrupted = false;
    while (count < INPUT_UNREAD_MAX && input_wait_press_until(&typed[count], deadline)) {
        if (typed[count].ascii == ASCII_CTRL_C) {
            interrupted = true;
            break;
        }
        count++;
    }
    uint64_t now = timer_now_ns();
    if (!interrupted && now < deadline) /* too much typed ahead: the rest waits in the devices */
        thread_sleep_ms((deadline - now + MS_PER_NS - 1) / MS_PER_NS);
    input_unread(typed, count);
    if (interrupted)
        kprintf("^C\nsleep: interrupted\n");
    return SHELL_OK;
}
