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
    if (max == 0 || !user_address_ok(src))
        return -EFAULT;
    /* Never read past the user range: a string running into it is bad. */
    bool clipped = max > KEEL_USER_LIMIT - src;
    size_t limit = clipped ? (size_t)(KEEL_USER_LIMIT - src) : max;
    long length = user_copy_string(dst, (const char *)(uintptr_t)src, limit);
    if (length == -ENAMETOOLONG && clipped)
        return -EFAULT;
    return length;
}
