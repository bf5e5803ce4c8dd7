/*
 * keel/syscall.h - the system-call ABI between Keel and its user programs.
 *
 * This header is the whole contract: the kernel and the user
 * runtime (user/) both include it, and it contains no code of either.
 *
 * Calling convention (x86_64, the `syscall` instruction):
 *   rax          the call's number (SYS_*)
 *   rdi, rsi, rdx, r10, r8, r9
 *                its arguments, in that order (r10, not rcx: `syscall` puts
 *                the return address in rcx and rflags in r11)
 *   rax          the result on return: >= 0 on success, a negated error
 *                number (-EFAULT, ...) on failure
 *   rcx, r11     destroyed; every other register is kept
 * An unknown number returns -ENOSYS. Every pointer is checked: one outside
 * the program's own mapped memory gives -EFAULT, a string without its
 * terminator within its limit -EINVAL (or -ENAMETOOLONG for a path).
 *
 * A program starts at its ELF entry point with rsp 16-byte aligned and
 * pointing at argc, followed by argv[0..argc-1] and a NULL (the strings lie
 * above them on the stack), as in the System V ABI without auxv.
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

/* System-call numbers. */
#define SYS_EXIT         0 /* exit(int status): never returns */
#define SYS_WRITE        1 /* write(int fd, const void *buf, size_t len) -> bytes written */
#define SYS_READ         2 /* read(int fd, void *buf, size_t len) -> bytes read, 0 at end of file */
#define SYS_OPEN         3 /* open(const char *path) -> fd: a ramdisk file, or "/" to list it */
#define SYS_CLOSE        4 /* close(int fd) -> 0 */
#define SYS_STAT         5 /* stat(const char *path, struct keel_stat *st) -> 0 */
#define SYS_READDIR      6 /* readdir(int fd, struct keel_dirent *d) -> 1 entry, 0 at the end */
#define SYS_GETPID       7 /* getpid() -> pid */
#define SYS_SPAWN        8 /* spawn(const char *path, const char *const *argv) -> pid of the child */
#define SYS_WAIT         9  /* wait(int pid, int *status) -> pid; pid -1: any child */
#define SYS_KILL         10 /* kill(int pid) -> 0: ends the process (status KEEL_STATUS_KILLED) */
#define SYS_SLEEP        11 /* sleep(uint64_t ms) -> 0, or -EINTR when the process is killed */
#define SYS_UPTIME       12 /* uptime() -> milliseconds since boot */
#define SYS_BRK          13 /* brk(void *end) -> the break after the call; 0 asks; -ENOMEM: kept */
#define SYS_YIELD        14 /* yield() -> 0 */
#define SYS_CONSOLE_MODE 15 /* console_mode(int mode) -> the previous mode (KEEL_CONSOLE_*) */
#define SYS_CONSOLE_SIZE 16 /* console_size() -> columns << 16 | rows */
#define SYS_COUNT        17

/* Standard file descriptors: the console. */
#define KEEL_STDIN  0
#define KEEL_STDOUT 1
#define KEEL_STDERR 2

/* Console input modes for fd 0. In line mode read() returns once a whole
 * line has been typed (edited and echoed by the kernel, ending in '\n'); in
 * raw mode it returns as soon as at least one byte is there, unechoed, keys
 * as a terminal sends them (Enter '\r', Backspace 0x7f, arrows ESC [ A..D).
 * Ctrl+C ends the foreground program in both modes.
 * Output to fds 1 and 2 is UTF-8 text with ANSI (ECMA-48) control sequences,
 * shown on the screen as a terminal shows them (drivers/vga/ansi.h lists the
 * set) and sent to the serial line unchanged. When the foreground program
 * ends, however it ends, the main screen, the cursor and the colours come
 * back. */
#define KEEL_CONSOLE_LINE 0
#define KEEL_CONSOLE_RAW  1

/* Exit status, as wait() stores it: the value given to exit() (0-255), or
 * KEEL_STATUS_KILLED plus the reason the kernel ended the program. */
#define KEEL_STATUS_KILLED     0x100
#define KEEL_KILLED_BY_REQUEST 0xff /* kill() or Ctrl+C */
/* else the exception vector that ended it: 0 divide error, 6 invalid opcode,
 * 13 general protection, 14 page fault, ... */
#define KEEL_STATUS_WAS_KILLED(s) (((s)&KEEL_STATUS_KILLED) != 0)
#define KEEL_STATUS_CODE(s)       ((s)&0xff)

/* Limits. */
#define KEEL_PATH_MAX 256           /* bytes of a path, its NUL included */
#define KEEL_ARGC_MAX 32            /* arguments of spawn(), argv[0] included */
#define KEEL_ARG_MAX  4096          /* bytes of all argument strings, NULs included */
#define KEEL_OPEN_MAX 16            /* open files per process, the console's three included */
#define KEEL_PROC_MAX 64            /* processes alive (or not yet waited for) at once */
#define KEEL_BRK_MAX  (16ull << 20) /* bytes the program break may grow by */

/* Where programs live (the lower half of the address space). */
#define KEEL_USER_BASE      0x400000ull           /* programs are linked from here up */
#define KEEL_USER_STACK_TOP 0x00007fffffffe000ull /* top of the stack; a gap lies below it */
/* One past the last byte a program may map. The last page of the lower half
 * (0x7ffffffff000) is never mapped, so no `syscall` can sit at its very end,
 * where the return address would be the first non-canonical one. */
#define KEEL_USER_LIMIT 0x00007ffffffff000ull

/* Error numbers: system calls return them negated. */
#define EPERM        1  /* not allowed */
#define ENOENT       2  /* no such file or entry */
#define ESRCH        3  /* no such process or thread */
#define EINTR        4  /* a wait ended early: the caller was killed */
#define EIO          5  /* a device failed */
#define E2BIG        7  /* too many or too long arguments */
#define ENOEXEC      8  /* not a program Keel can run */
#define EBADF        9  /* not an open file descriptor */
#define ECHILD       10 /* no such child to wait for */
#define EAGAIN       11 /* a limit was reached; try again later */
#define ENOMEM       12 /* out of memory */
#define EFAULT       14 /* a bad address */
#define EBUSY        16 /* in the way of something else */
#define EEXIST       17 /* already there */
#define ENOTDIR      20 /* not a directory */
#define EISDIR       21 /* a directory */
#define EINVAL       22 /* a bad argument */
#define EMFILE       24 /* too many open files */
#define ENAMETOOLONG 36 /* a path too long */
#define ENOSYS       38 /* no such system call */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* What stat() tells about a ramdisk file. */
struct keel_stat {
    uint64_t size; /* bytes */
    uint32_t type; /* KEEL_FILE_REGULAR or KEEL_FILE_DIRECTORY */
    uint32_t mode; /* the permission bits the ramdisk gives (0644, 0755) */
};

#define KEEL_FILE_REGULAR   1
#define KEEL_FILE_DIRECTORY 2

/* One entry of a directory, from readdir(). */
struct keel_dirent {
    char name[KEEL_PATH_MAX];
    struct keel_stat stat;
};
#endif

#endif
