/*
 * errno.c - names of the error numbers, for messages: the kernel's, and the
 * user programs' (`cat: NAME: no such file or entry`), so the texts are
 * worded for both (the meanings include/keel/syscall.h gives them).
 */
#include <lib/errno.h>

const char *error_name(int error)
{
    switch (error < 0 ? -error : error) {
    case 0:
        return "success";
    case EPERM:
        return "not allowed";
    case ENOENT:
        return "no such file or entry";
    case ESRCH:
        return "no such process or thread";
    case EINTR:
        return "interrupted";
    case ENOMEM:
        return "out of memory";
    case EBUSY:
        return "conflicts with an existing mapping";
    case EEXIST:
        return "already mapped";
    case EINVAL:
        return "invalid argument";
    case EIO:
        return "input/output error";
    case E2BIG:
        return "argument list too long";
    case ENOEXEC:
        return "not an executable";
    case EBADF:
        return "bad file descriptor";
    case ECHILD:
        return "no such child";
    case EAGAIN:
        return "limit reached, try again";
    case EFAULT:
        return "bad address";
    case ENOTDIR:
        return "not a directory";
    case EISDIR:
        return "is a directory";
    case EMFILE:
        return "too many open files";
    case ENAMETOOLONG:
        return "name too long";
    case ENOSYS:
        return "no such system call";
    default:
        return "unknown error";
    }
}
