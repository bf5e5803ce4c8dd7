/*
 * uaccess.c - the checks in front of arch/x86_64/usercopy.S (see uaccess.h).
 */
#include <arch/x86_64/user_mode.h>
#include <kernel/proc/uaccess.h>
#include <lib/errno.h>
#include <mm/user_range.h>

int copy_from_user(void *dst, uint64_t src, size_t n)
{
    if (!user_range_ok(src, n))
        return -EFAULT;
    return n ? user_copy_from(dst, (const void *)(uintptr_t)src, n) : 0;
}

int copy_to_user(uint64_t dst, const void *src, size_t n)
{
    if (!user_range_ok(dst, n))
        return -EFAULT;
    return n ? user_copy_to((void *)(uintptr_t)dst, src, n) : 0;
}

long copy_string_from_user(char *dst, uint64_t src, size_t max)
{
    /* Never read past the user range: a string running into it is bad. */
    uint64_t span = user_string_span(src, max);
    if (span == 0)
        return -EFAULT;
    long length = user_copy_string(dst, (const char *)(uintptr_t)src, (size_t)span);
    if (length == -ENAMETOOLONG && span < max)
        return -EFAULT;
    return length;
}
