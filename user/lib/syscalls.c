/*
 * syscalls.c - one function per system call, each a single `syscall`
 * (user/lib/raw_syscall.h) returning the kernel's result as it is.
 *
 * Arguments go through `long`: an int argument is sign-extended into its
 * 64-bit register, a pointer or size passed as its bits.
 */
#include <user/lib/raw_syscall.h>
#include <user/lib/sys.h>

/* user/user.ld cannot include the ABI header, so it writes the base again. */
_Static_assert(KEEL_USER_BASE == 0x400000, "user/user.ld links programs at KEEL_USER_BASE");

_Noreturn void exit(int status)
{
    raw_syscall1(SYS_EXIT, status);
    __builtin_trap(); /* the kernel never returns from exit: fault if it did */
}

long write(int fd, const void *buf, size_t len)
{
    return raw_syscall3(SYS_WRITE, fd, (long)buf, (long)len);
}

long read(int fd, void *buf, size_t len)
{
    return raw_syscall3(SYS_READ, fd, (long)buf, (long)len);
}

int open(const char *path)
{
    return (int)raw_syscall1(SYS_OPEN, (long)path);
}

int close(int fd)
{
    return (int)raw_syscall1(SYS_CLOSE, fd);
}

int stat(const char *path, struct keel_stat *st)
{
    return (int)raw_syscall2(SYS_STAT, (long)path, (long)st);
}

int readdir(int fd, struct keel_dirent *entry)
{
    return (int)raw_syscall2(SYS_READDIR, fd, (long)entry);
}

int getpid(void)
{
    return (int)raw_syscall0(SYS_GETPID);
}

int spawn(const char *path, const char *const *argv)
{
    return (int)raw_syscall2(SYS_SPAWN, (long)path, (long)argv);
}

int wait(int pid, int *status)
{
    return (int)raw_syscall2(SYS_WAIT, pid, (long)status);
}

int kill(int pid)
{
    return (int)raw_syscall1(SYS_KILL, pid);
}

int sleep_ms(uint64_t ms)
{
    return (int)raw_syscall1(SYS_SLEEP, (long)ms);
}

long uptime_ms(void)
{
    return raw_syscall0(SYS_UPTIME);
}

void *brk(void *end)
{
    return (void *)raw_syscall1(SYS_BRK, (long)end);
}

int yield(void)
{
    return (int)raw_syscall0(SYS_YIELD);
}

int console_mode(int mode)
{
    return (int)raw_syscall1(SYS_CONSOLE_MODE, mode);
}

long console_size(void)
{
    return raw_syscall0(SYS_CONSOLE_SIZE);
}
