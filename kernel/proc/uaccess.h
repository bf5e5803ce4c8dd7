/*
 * uaccess.h - reading and writing a program's memory from a system call.
 *
 * Every address a program passes is checked against the user range first
 * (mm/user_range.h: nothing in the first page, nothing at or above
 * KEEL_USER_LIMIT, no range that wraps), so the kernel never touches its
 * own memory on a program's behalf; an unmapped or read-only page inside
 * the range faults in arch/x86_64/usercopy.S, whose fixup makes the call
 * return -EFAULT.
 */
#ifndef KEEL_KERNEL_PROC_UACCESS_H
#define KEEL_KERNEL_PROC_UACCESS_H

#include <stddef.h>
#include <stdint.h>

/* 0 or -EFAULT. */
int copy_from_user(void *dst, uint64_t src, size_t n);
int copy_to_user(uint64_t dst, const void *src, size_t n);
/* A string of at most max bytes, its NUL included: its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL comes within max bytes. */
long copy_string_from_user(char *dst, uint64_t src, size_t max);

#endif
