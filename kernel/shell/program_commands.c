/*
 * program_commands.c - running ramdisk programs from the shell.
 *
 * A program runs in the foreground: the shell waits for it, Ctrl+C ends it
 * (kernel/proc/process.c takes the key in the interrupt handler), and its
 * end is reported when it is not a plain exit 0: a non-zero status, or a
 * kill. A fault in the program has already printed its own line.
 */
#include <keel/syscall.h>
#include <kernel/console.h>
#include <kernel/proc/process.h>
#include <kernel/shell/program_commands.h>
#include <lib/errno.h>

#define PS_MAX_PROCESSES KEEL_PROC_MAX

static void run_foreground(int argc, char **argv)
{
    const char *why = NULL;
    int pid = process_spawn(NULL, argv[0], argc, (const char *const *)argv, &why);
    if (pid < 0) {
        kprintf("run: %s: %s%s%s\n", argv[0], error_name(pid), why ? ": " : "", why ? why : "");
        return;
    }
    process_set_foreground(pid);
    int status = 0;
    int waited = process_wait(NULL, pid, &status);
    process_set_foreground(0);
    if (waited != pid) {
        kprintf("run: %s: wait failed: %s\n", argv[0], error_name(waited));
        return;
    }
    if (KEEL_STATUS_WAS_KILLED(status)) {
        if (KEEL_STATUS_CODE(status) == KEEL_KILLED_BY_REQUEST)
            kprintf("%s[%d]: killed\n", argv[0], pid);
    } else if (status != 0) {
        kprintf("%s[%d]: exit status %d\n", argv[0], pid, status);
    }
}

enum shell_status cmd_run(int argc, char **argv)
{
    if (argc < 2)
        return SHELL_USAGE;
    run_foreground(argc - 1, argv + 1);
    return SHELL_OK;
}

bool shell_try_program(int argc, char **argv)
{
    if (!process_program_exists(argv[0]))
        return false;
    run_foreground(argc, argv);
    return true;
}

void shell_print_processes(void)
{
    static struct process_info list[PS_MAX_PROCESSES]; /* the shell's thread only */
    size_t count = process_list(list, PS_MAX_PROCESSES);
    if (count == 0)
        return;
    kprintf("%-5s %-5s %-16s %-8s %6s  %s\n", "PID", "PPID", "PROGRAM", "STATE", "PAGES", "THREAD");
    for (size_t i = count < PS_MAX_PROCESSES ? count : PS_MAX_PROCESSES; i-- > 0;) {
        const struct process_info *p = &list[i];
        kprintf("%-5d %-5d %-16s %-8s %6llu  %llu\n", p->pid, p->parent_pid, p->name,
                process_state_name(p->state), (unsigned long long)p->pages,
                (unsigned long long)p->thread_id);
    }
}
