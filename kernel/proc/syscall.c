/*
 * syscall.c - the system calls (the ABI is include/keel/syscall.h).
 *
 * syscall_entry (arch/x86_64/syscall.S) saves the program's registers as a
 * struct interrupt_frame and calls syscall_dispatch with interrupts off.
 * Calls run with interrupts on and may block; every pointer is checked
 * (kernel/proc/uaccess.c). On the way back a killed program ends instead
 * of returning; and a return address that sysret cannot take (not in the
 * user range) goes back through iretq, which raises the fault in ring 3.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <keel/syscall.h>
#include <kernel/console.h>
#include <kernel/proc/console_io.h>
#include <kernel/proc/files.h>
#include <kernel/proc/process.h>
#include <kernel/proc/uaccess.h>
#include <kernel/sched/sched.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/kheap.h>
#include <mm/memory.h>
#include <mm/user_range.h>

#define SLEEP_MAX_MS (1ull << 40) /* longer sleeps are this long: about 35 years */

typedef long (*syscall_fn)(struct process *p, const struct interrupt_frame *f);

/* The arguments, in the ABI's registers. */
#define ARG0(f) ((f)->rdi)
#define ARG1(f) ((f)->rsi)
#define ARG2(f) ((f)->rdx)

static struct file *fd_file(struct process *p, uint64_t fd)
{
    return fd < KEEL_OPEN_MAX ? p->files[fd] : NULL;
}

static long sys_exit(struct process *p, const struct interrupt_frame *f)
{
    (void)p;
    process_exit((int)ARG0(f));
}

static long sys_write(struct process *p, const struct interrupt_frame *f)
{
    struct file *file = fd_file(p, ARG0(f));
    if (!file)
        return -EBADF;
    if (file->kind != FILE_CONSOLE)
        return -EBADF; /* ramdisk files are read-only */
    if (ARG2(f) > (uint64_t)INT64_MAX)
        return -EINVAL;
    return console_write_user(ARG1(f), (size_t)ARG2(f));
}

static long sys_read(struct process *p, const struct interrupt_frame *f)
{
    struct file *file = fd_file(p, ARG0(f));
    if (!file)
        return -EBADF;
    if (ARG2(f) > (uint64_t)INT64_MAX)
        return -EINVAL;
    switch (file->kind) {
    case FILE_CONSOLE:
        return console_read_user(p->console_mode, ARG1(f), (size_t)ARG2(f));
    case FILE_RAMDISK:
        return file_read_user(file, ARG1(f), (size_t)ARG2(f));
    default:
        return -EISDIR;
    }
}

static long path_from_user(uint64_t user, char *path)
{
    long n = copy_string_from_user(path, user, KEEL_PATH_MAX);
    return n < 0 ? n : 0;
}

static long sys_open(struct process *p, const struct interrupt_frame *f)
{
    char path[KEEL_PATH_MAX];
    long err = path_from_user(ARG0(f), path);
    if (err)
        return err;
    int fd = 0;
    while (fd < KEEL_OPEN_MAX && p->files[fd])
        fd++;
    if (fd == KEEL_OPEN_MAX)
        return -EMFILE;
    struct file *file;
    err = file_open(path, &file);
    if (err)
        return err;
    p->files[fd] = file;
    return fd;
}

static long sys_close(struct process *p, const struct interrupt_frame *f)
{
    struct file *file = fd_file(p, ARG0(f));
    if (!file)
        return -EBADF;
    file_close(file);
    p->files[ARG0(f)] = NULL;
    return 0;
}

static long sys_stat(struct process *p, const struct interrupt_frame *f)
{
    (void)p;
    char path[KEEL_PATH_MAX];
    long err = path_from_user(ARG0(f), path);
    if (err)
        return err;
    struct keel_stat st;
    err = file_stat(path, &st);
    return err ? err : copy_to_user(ARG1(f), &st, sizeof(st));
}

static long sys_readdir(struct process *p, const struct interrupt_frame *f)
{
    struct file *dir = fd_file(p, ARG0(f));
    if (!dir)
        return -EBADF;
    if (dir->kind != FILE_DIRECTORY)
        return -ENOTDIR;
    struct keel_dirent entry; /* 272 bytes: each caller its own, on any CPU */
    uint64_t saved = dir->offset;
    if (!file_next_entry(dir, &entry))
        return 0;
    long err = copy_to_user(ARG1(f), &entry, sizeof(entry));
    if (err)
        dir->offset = saved; /* the entry was not delivered */
    return err ? err : 1;
}

static long sys_getpid(struct process *p, const struct interrupt_frame *f)
{
    (void)f;
    return p->pid;
}

/* spawn's arguments, copied in: the strings packed into one buffer. */
struct spawn_args {
    char path[KEEL_PATH_MAX];
    char strings[KEEL_ARG_MAX];
    const char *argv[KEEL_ARGC_MAX + 1];
    int argc;
};

static long copy_argv(uint64_t user_argv, struct spawn_args *a)
{
    size_t used = 0;
    a->argc = 0;
    if (user_argv == 0) { /* no argv: the program's name alone */
        a->argv[a->argc++] = a->path;
        return 0;
    }
    for (;;) {
        uint64_t pointer;
        long err = copy_from_user(&pointer, user_argv + (uint64_t)a->argc * 8, sizeof(pointer));
        if (err)
            return err;
        if (pointer == 0)
            return 0;
        if (a->argc == KEEL_ARGC_MAX || used == sizeof(a->strings))
            return -E2BIG;
        long n = copy_string_from_user(a->strings + used, pointer, sizeof(a->strings) - used);
        if (n == -ENAMETOOLONG)
            return -E2BIG;
        if (n < 0)
            return n;
        a->argv[a->argc++] = a->strings + used;
        used += (size_t)n + 1;
    }
}

static long sys_spawn(struct process *p, const struct interrupt_frame *f)
{
    struct spawn_args *a = kmalloc(sizeof(*a));
    if (!a)
        return -ENOMEM;
    long result = path_from_user(ARG0(f), a->path);
    if (!result)
        result = copy_argv(ARG1(f), a);
    if (!result)
        result = process_spawn(p, a->path, a->argc, a->argv, NULL);
    kfree(a);
    return result;
}

static long sys_wait(struct process *p, const struct interrupt_frame *f)
{
    int64_t pid = (int64_t)ARG0(f);
    if (pid < -1 || pid == 0 || pid > INT32_MAX)
        return pid == 0 ? -ECHILD : -EINVAL;
    if (ARG1(f) && !user_range_ok(ARG1(f), sizeof(int)))
        return -EFAULT;
    int status = 0;
    int result = process_wait(p, (int)pid, &status);
    if (result > 0 && ARG1(f)) {
        int err = copy_to_user(ARG1(f), &status, sizeof(status));
        if (err)
            return err;
    }
    return result;
}

static long sys_kill(struct process *p, const struct interrupt_frame *f)
{
    (void)p;
    int64_t pid = (int64_t)ARG0(f);
    return pid <= 0 || pid > INT32_MAX ? -ESRCH : process_kill((int)pid);
}

static long sys_sleep(struct process *p, const struct interrupt_frame *f)
{
    (void)p;
    uint64_t ms = ARG0(f) > SLEEP_MAX_MS ? SLEEP_MAX_MS : ARG0(f);
    return thread_sleep_ms(ms);
}

static long sys_uptime(struct process *p, const struct interrupt_frame *f)
{
    (void)p;
    (void)f;
    return (long)(timer_now_ns() / 1000000ull);
}

static long sys_brk(struct process *p, const struct interrupt_frame *f)
{
    uint64_t end = ARG0(f);
    if (end == 0)
        return (long)p->brk;
    if (end < p->brk_start || end - p->brk_start > KEEL_BRK_MAX)
        return -ENOMEM;
    uint64_t mapped_end = (p->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint64_t new_end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (uint64_t page = mapped_end; page < new_end; page += PAGE_SIZE) {
        int err = memory_user_map_new(&p->space, page, MAP_WRITE, NULL);
        if (err) {
            for (uint64_t undo = mapped_end; undo < page; undo += PAGE_SIZE) {
                memory_user_unmap(&p->space, undo);
                invlpg(undo);
                p->pages--;
            }
            return -ENOMEM;
        }
        p->pages++;
    }
    for (uint64_t page = new_end; page < mapped_end; page += PAGE_SIZE) {
        memory_user_unmap(&p->space, page);
        invlpg(page);
        p->pages--;
    }
    p->brk = end;
    return (long)end;
}

static long sys_yield(struct process *p, const struct interrupt_frame *f)
{
    (void)p;
    (void)f;
    thread_yield();
    return 0;
}

static long sys_console_mode(struct process *p, const struct interrupt_frame *f)
{
    if (ARG0(f) != KEEL_CONSOLE_LINE && ARG0(f) != KEEL_CONSOLE_RAW)
        return -EINVAL;
    int previous = p->console_mode;
    p->console_mode = (int)ARG0(f);
    return previous;
}

static long sys_console_size(struct process *p, const struct interrupt_frame *f)
{
    (void)p;
    (void)f;
    return (long)((console_cols() << 16) | console_rows());
}

static const syscall_fn calls[SYS_COUNT] = {
    [SYS_EXIT] = sys_exit,
    [SYS_WRITE] = sys_write,
    [SYS_READ] = sys_read,
    [SYS_OPEN] = sys_open,
    [SYS_CLOSE] = sys_close,
    [SYS_STAT] = sys_stat,
    [SYS_READDIR] = sys_readdir,
    [SYS_GETPID] = sys_getpid,
    [SYS_SPAWN] = sys_spawn,
    [SYS_WAIT] = sys_wait,
    [SYS_KILL] = sys_kill,
    [SYS_SLEEP] = sys_sleep,
    [SYS_UPTIME] = sys_uptime,
    [SYS_BRK] = sys_brk,
    [SYS_YIELD] = sys_yield,
    [SYS_CONSOLE_MODE] = sys_console_mode,
    [SYS_CONSOLE_SIZE] = sys_console_size,
};

/* Called by syscall_entry with interrupts off; returns with them off,
 * non-zero when the frame must go back through iretq. */
int syscall_dispatch(struct interrupt_frame *f)
{
    struct process *p = process_current();
    cpu_enable_interrupts();
    uint64_t number = f->rax;
    f->rax = number < SYS_COUNT ? (uint64_t)calls[number](p, f) : (uint64_t)-ENOSYS;
    cpu_disable_interrupts(); /* this CPU only: syscall_entry returns to ring 3 with them off */
    if (thread_should_stop())
        thread_exit(NULL); /* killed during the call */
    return f->rip >= KEEL_USER_LIMIT || f->rip < PAGE_SIZE;
}
