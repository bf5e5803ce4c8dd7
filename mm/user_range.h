/*
 * user_range.h - which addresses a system call may touch for a program.
 *
 * A program's memory is [PAGE_SIZE, KEEL_USER_LIMIT): never the first page
 * (a NULL pointer, or NULL plus a small offset, is always -EFAULT), never
 * the lower half's last page (keel/syscall.h), never the kernel half.
 * Pure arithmetic: whether the pages are mapped is found out by the copy.
 */
#ifndef KEEL_MM_USER_RANGE_H
#define KEEL_MM_USER_RANGE_H

#include <stdbool.h>
#include <stdint.h>

/* Whether [addr, addr + len) lies inside the user range without wrapping
 * around. len 0: whether addr is in the range or at its end. */
bool user_range_ok(uint64_t addr, uint64_t len);
/* Whether the byte at addr is in the user range. */
bool user_address_ok(uint64_t addr);

#endif
