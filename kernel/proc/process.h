/*
 * process.h - programs running in ring 3, each in its own address space.
 *
 * A process is one thread running a program from the ramdisk, its address
 * space (the lower half: the program's segments from KEEL_USER_BASE up, the
 * program break above them, a stack below KEEL_USER_STACK_TOP with an
 * unmapped gap beneath it; the kernel's upper half shared), its open files
 * and its place in the family: a pid, a parent (NULL when the kernel, that
 * is the shell, started it), an exit status.
 *
 *   spawn --> RUNNING --(exit, a fault in ring 3, kill)--> ZOMBIE --(wait)--> freed
 *
 * Everything but the small struct is given back the moment the program
 * ends, however it ends: pages, page tables, the kernel stack (by the
 * reaper), open files. The struct stays until the parent waits for it, or
 * goes at once when nobody will (its parent has ended).
 */
#ifndef KEEL_KERNEL_PROC_PROCESS_H
#define KEEL_KERNEL_PROC_PROCESS_H

#include <boot/boot_info.h>
#include <keel/syscall.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait_queue.h>
#include <mm/paging.h>
#include <stdbool.h>
#include <stdint.h>

#define PROCESS_NAME_MAX 32

enum process_state { PROCESS_RUNNING, PROCESS_ZOMBIE };

struct file;

struct process {
    int pid;
    char name[PROCESS_NAME_MAX];
    struct process *parent; /* NULL: started by the kernel */
    enum process_state state;
    int status;  /* ZOMBIE: what wait reports (keel/syscall.h) */
    bool exited; /* it called exit (or faulted): status is set */
    bool orphan; /* its parent has ended: freed at its own end */
    struct thread *thread;
    struct address_space space;
    uint64_t brk_start, brk; /* the program break: [brk_start, brk) is its heap */
    uint64_t pages;          /* user pages mapped, for `ps` and the limit */
    int console_mode;        /* KEEL_CONSOLE_LINE or _RAW */
    struct file *files[KEEL_OPEN_MAX];
    struct process *next; /* in the list of every process */
};

/* Find the ramdisk among the loader's modules, hook the process layer into
 * the exception and interrupt paths. After sched_init. */
void process_init(const struct boot_info *info);

/* Start the program at path (a ramdisk file) with argv[0..argc-1] (kernel
 * strings), as a child of parent (NULL: the kernel). The pid, or -ENOENT,
 * -ENOEXEC (with the reason in *why when why is not NULL), -E2BIG, -EAGAIN
 * (KEEL_PROC_MAX reached), -ENOMEM. */
int process_spawn(struct process *parent, const char *path, int argc, const char *const *argv,
                  const char **why);
/* Whether the ramdisk has a program file at path. */
bool process_program_exists(const char *path);
/* Wait for parent's child pid (-1: any child) to end, store its status and
 * free it: its pid, -ECHILD (no such child), or -EINTR (the caller was
 * killed meanwhile). */
int process_wait(struct process *parent, int pid, int *status);
/* End process pid (status KEEL_STATUS_KILLED | KEEL_KILLED_BY_REQUEST):
 * 0 or -ESRCH. Safe in interrupt context. */
int process_kill(int pid);
/* The process the running thread belongs to, or NULL for a kernel thread. */
struct process *process_current(void);
/* End the calling process with status. */
__attribute__((noreturn)) void process_exit(int status);

/* One process, as `ps` shows it. */
struct process_info {
    int pid, parent_pid; /* parent 0: the kernel */
    char name[PROCESS_NAME_MAX];
    enum process_state state;
    uint64_t pages;
    uint64_t thread_id;
};
size_t process_list(struct process_info *out, size_t max);
const char *process_state_name(enum process_state state);
/* Processes not yet freed (running or zombie), for tests and limits. */
unsigned process_count(void);

/* The foreground program: Ctrl+C on the keyboard or serial line ends it.
 * pid 0: none. */
void process_set_foreground(int pid);

#endif
