/*
 * process.c - the process table: spawn, exit, wait, kill, and what happens
 * when a program faults (see process.h).
 *
 * The table (the list, each process's pid, parent, state, status, thread
 * and family flags, the foreground pid) is process_lock's, a spinlock
 * taken with interrupts off, so the keyboard's interrupt handler may kill
 * the foreground program (Ctrl+C) from any CPU. It comes before heap_lock
 * and sched_lock in the lock order (kernel/spinlock.h): a process is freed
 * and its thread is made, killed and woken under it. The parent waits for
 * child_exits with process_lock dropped while it sleeps.
 *
 * A program's thread ends in three ways, all through thread_exit and so
 * through on_thread_exit, which runs in that thread with interrupts off:
 * exit (the status it gave), a fault in ring 3 (KEEL_STATUS_KILLED and the
 * vector, after a one-line report), or a kill (KEEL_STATUS_KILLED |
 * KEEL_KILLED_BY_REQUEST), which takes effect when the thread is about to
 * return to ring 3 or when a wait inside a system call ends early. It
 * moves to the kernel's page tables, frees the address space and the open
 * files, and becomes a zombie for its parent to wait for.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/user_mode.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/proc/console_io.h>
#include <kernel/proc/elf_user.h>
#include <kernel/proc/exec.h>
#include <kernel/proc/files.h>
#include <kernel/proc/process.h>
#include <kernel/proc/ramdisk.h>
#include <kernel/sched/sched.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <lib/format.h>
#include <lib/string.h>
#include <mm/kheap.h>
#include <mm/memory.h>

#define VECTOR_PAGE_FAULT 14

static struct spinlock process_lock = SPINLOCK_INIT("process_lock");
static struct process *processes; /* every process not yet freed */
static unsigned count;
static int next_pid = 1;
static int foreground;
static struct wait_queue child_exits = WAIT_QUEUE_INIT("child");

struct process *process_current(void)
{
    struct thread *t = thread_current();
    return t ? t->owner : NULL;
}

unsigned process_count(void)
{
    return count;
}

const char *process_state_name(enum process_state state)
{
    return state == PROCESS_RUNNING ? "running" : "zombie";
}

static struct process *find(int pid)
{
    for (struct process *p = processes; p; p = p->next)
        if (p->pid == pid)
            return p;
    return NULL;
}

/* Off the list and freed (process_lock held). */
static void free_process(struct process *p)
{
    for (struct process **link = &processes; *link; link = &(*link)->next) {
        if (*link == p) {
            *link = p->next;
            break;
        }
    }
    count--;
    kfree(p);
}

static void close_files(struct process *p)
{
    for (int fd = 0; fd < KEEL_OPEN_MAX; fd++) {
        if (p->files[fd])
            file_close(p->files[fd]);
        p->files[fd] = NULL;
    }
}

/* Its children are nobody's now: a zombie among them goes at once, the
 * others when they end (process_lock held). */
static void orphan_children(struct process *p)
{
    for (struct process *child = processes, *next; child; child = next) {
        next = child->next;
        if (child->parent != p)
            continue;
        child->parent = NULL;
        child->orphan = true;
        if (child->state == PROCESS_ZOMBIE)
            free_process(child);
    }
}

/* The exiting thread's last act for its process (interrupts off). What
 * only this thread uses goes first, without the lock. */
static void on_thread_exit(struct thread *t)
{
    struct process *p = t->owner;
    write_cr3(kernel_address_space()->root); /* off the tables about to go */
    t->page_table_root = 0;
    memory_user_space_destroy(&p->space);
    close_files(p);
    spin_lock(&process_lock);
    if (!p->exited)
        p->status = KEEL_STATUS_KILLED | KEEL_KILLED_BY_REQUEST;
    p->pages = 0;
    p->thread = NULL;
    p->state = PROCESS_ZOMBIE;
    bool was_foreground = p->pid == foreground;
    if (was_foreground)
        foreground = 0;
    orphan_children(p);
    if (p->orphan)
        free_process(p);
    else
        wait_queue_wake_all(&child_exits);
    spin_unlock(&process_lock);
    if (was_foreground) {
        console_reset_program_state(); /* main screen, cursor and colours back */
        console_io_reset();
    }
}

__attribute__((noreturn)) void process_exit(int status)
{
    struct process *p = process_current();
    cpu_disable_interrupts(); /* this thread only: thread_exit wants them off */
    p->status = status & 0xff;
    p->exited = true;
    thread_exit(NULL);
}

struct start {
    uint64_t entry, stack;
};

/* The program's thread: into ring 3, never back (interrupts off from
 * here to the iretq). */
static void *process_thread(void *arg)
{
    struct start *start = arg;
    uint64_t entry = start->entry, stack = start->stack;
    kfree(start);
    cpu_disable_interrupts(); /* this CPU only: nothing may come between here and ring 3 */
    if (thread_should_stop())
        thread_exit(NULL); /* killed before it ever ran */
    struct interrupt_frame frame;
    user_enter_at(&frame, entry, stack);
}

static const char *base_name(const char *path)
{
    const char *name = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            name = c + 1;
    return name;
}

int process_spawn(struct process *parent, const char *path, int argc, const char *const *argv,
                  const char **why)
{
    const char *reason = NULL;
    struct ustar_file file;
    if (ramdisk_find(path, &file) != 0)
        return -ENOENT;
    if (argc > KEEL_ARGC_MAX)
        return -E2BIG;
    struct process *p = kcalloc(1, sizeof(*p));
    struct start *start = kmalloc(sizeof(*start));
    if (!p || !start || memory_user_space_create(&p->space) != 0) {
        kfree(p);
        kfree(start);
        return -ENOMEM;
    }
    strlcpy(p->name, base_name(path), sizeof(p->name));
    p->parent = parent;
    p->console_mode = KEEL_CONSOLE_LINE;
    for (int fd = KEEL_STDIN; fd <= KEEL_STDERR; fd++)
        p->files[fd] = file_console();
    int err = exec_load(p, file.data, (size_t)file.size, argc, argv, &start->entry, &start->stack,
                        &reason);

    uint64_t flags = spin_lock_irqsave(&process_lock);
    if (!err && count >= KEEL_PROC_MAX)
        err = -EAGAIN;
    if (!err) {
        p->pid = next_pid++;
        p->next = processes;
        processes = p;
        count++;
    }
    spin_unlock_irqrestore(&process_lock, flags);
    if (err) {
        memory_user_space_destroy(&p->space);
        kfree(p);
        kfree(start);
        if (why)
            *why = reason;
        return err;
    }

    struct thread_owner owner = {
        .owner = p, .page_table_root = p->space.root, .on_exit = on_thread_exit};
    /* p->thread is set before the thread can end: its on_thread_exit, on
     * whichever CPU it runs, waits for process_lock. */
    flags = spin_lock_irqsave(&process_lock);
    struct thread *t = thread_create_owned(p->name, process_thread, start, PRIORITY_NORMAL, &owner);
    int pid = p->pid;
    if (t) {
        p->thread = t;
        thread_detach(t);
    } else {
        memory_user_space_destroy(&p->space);
        free_process(p);
    }
    spin_unlock_irqrestore(&process_lock, flags);
    if (!t) {
        kfree(start);
        return thread_last_error();
    }
    return pid;
}

bool process_program_exists(const char *path)
{
    struct ustar_file file;
    return ramdisk_find(path, &file) == 0;
}

static bool is_child(const struct process *p, const struct process *parent, int pid)
{
    return p->pid > 0 && p->parent == parent && !p->orphan && (pid == -1 || p->pid == pid);
}

int process_wait(struct process *parent, int pid, int *status)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    int result;
    for (;;) {
        struct process *match = NULL, *zombie = NULL;
        for (struct process *p = processes; p; p = p->next) {
            if (!is_child(p, parent, pid))
                continue;
            match = p;
            if (p->state == PROCESS_ZOMBIE) {
                zombie = p;
                break;
            }
        }
        if (!match) {
            result = -ECHILD;
            break;
        }
        if (zombie) {
            result = zombie->pid;
            if (status)
                *status = zombie->status;
            free_process(zombie);
            break;
        }
        if (thread_should_stop()) {
            result = -EINTR;
            break;
        }
        wait_queue_wait_dropping(&child_exits, &process_lock, TIMER_NO_ALARM);
    }
    spin_unlock_irqrestore(&process_lock, flags);
    return result;
}

int process_kill(int pid)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    struct process *p = pid > 0 ? find(pid) : NULL;
    int result = p ? 0 : -ESRCH;
    if (p && p->state == PROCESS_RUNNING && p->thread)
        thread_kill(p->thread->id);
    spin_unlock_irqrestore(&process_lock, flags);
    return result;
}

void process_set_foreground(int pid)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    foreground = pid;
    spin_unlock_irqrestore(&process_lock, flags);
}

size_t process_list(struct process_info *out, size_t max)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    size_t n = 0;
    for (struct process *p = processes; p; p = p->next, n++) {
        if (n >= max)
            continue;
        out[n] = (struct process_info){
            .pid = p->pid,
            .parent_pid = p->parent ? p->parent->pid : 0,
            .state = p->state,
            .pages = p->pages,
            .thread_id = p->thread ? p->thread->id : 0,
        };
        strlcpy(out[n].name, p->name, sizeof(out[n].name));
    }
    spin_unlock_irqrestore(&process_lock, flags);
    return n;
}

/* ---- faults, kills and Ctrl+C ---- */

/* An exception in ring 3: one line, then the program ends. */
static void user_fault(struct interrupt_frame *f, uint64_t cr2)
{
    struct process *p = process_current();
    char what[96];
    if (f->vector == VECTOR_PAGE_FAULT) {
        char how[40];
        exception_describe_page_fault(f->error_code, how, sizeof(how));
        uint64_t stack_bottom = KEEL_USER_STACK_TOP - USER_STACK_SIZE;
        bool overflow = cr2 < stack_bottom && cr2 >= stack_bottom - USER_STACK_GAP;
        ksnprintf(what, sizeof(what), "page fault at 0x%llx (%s%s)", (unsigned long long)cr2, how,
                  overflow ? "; below the stack: stack overflow" : "");
    } else {
        ksnprintf(what, sizeof(what), "%s", exception_short_name(f->vector));
    }
    if (p->pid == foreground)
        console_reset_program_state(); /* so the line shows on the main screen */
    kprintf("%s[%d]: %s, rip 0x%llx: killed\n", p->name, p->pid, what, (unsigned long long)f->rip);
    p->status = KEEL_STATUS_KILLED | (int)f->vector;
    p->exited = true;
    thread_exit(NULL);
}

/* About to return to ring 3: a killed program ends here. */
static void user_return(struct interrupt_frame *f)
{
    (void)f;
    if (thread_should_stop())
        thread_exit(NULL);
}

/* Ctrl+C ends the foreground program (in interrupt context). */
static bool ctrl_c(void)
{
    int pid = __atomic_load_n(&foreground, __ATOMIC_RELAXED);
    return pid && process_kill(pid) == 0;
}

void process_init(const struct boot_info *info)
{
    const char *why = NULL;
    int files = ramdisk_init(info, &why);
    if (files >= 0)
        kprintf("ramdisk: %d files, %zu KiB\n", files, ramdisk_size() >> 10);
    else
        kprintf("ramdisk: none (%s): programs cannot run\n", why);
    exception_set_user_handler(user_fault);
    interrupt_set_user_return_hook(user_return);
    input_set_interrupt_handler(ctrl_c);
    kprintf("user mode: syscall/sysret, SMEP %s, SMAP %s\n", user_mode_smep() ? "on" : "off",
            user_mode_smap() ? "on" : "off");
}
