/*
 * errno.c - names of the kernel's error numbers, for messages.
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
        return "not mapped";
    case ESRCH:
        return "no such thread";
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
    default:
        return "unknown error";
    }
}
