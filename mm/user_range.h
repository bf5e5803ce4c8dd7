/*
 * user_range.h - which addresses a system call may touch on a program's behalf.
 *
 * A program may name memory in [USER_ADDRESS_MIN, KEEL_USER_LIMIT) and no
 * other: not page 0, which is never mapped (so any pointer below 4096 is
 * -EFAULT, a NULL pointer plus a small offset included), and nothing at or
 * above KEEL_USER_LIMIT: the last page of the lower half, the non-canonical
 * hole and the kernel's half. These checks are pure arithmetic on the
 * numbers a program passed, done before the kernel reads or writes there;
 * whether the pages are mapped is the page fault's question, not theirs.
 */
#ifndef KEEL_MM_USER_RANGE_H
#define KEEL_MM_USER_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/syscall.h>
#include <mm/paging.h>

/* The lowest address a program may name: page 0 is never mapped. */
#define USER_ADDRESS_MIN PAGE_SIZE

/* Whether [addr, addr + len) lies entirely in [USER_ADDRESS_MIN,
 * KEEL_USER_LIMIT): no wrap-around, never the first page or anything at or
 * above KEEL_USER_LIMIT. len 0: true when addr itself is in that range or
 * equals its end. */
bool user_range_ok(uint64_t addr, uint64_t len);

/* Whether the byte at addr may be touched: user_range_ok(addr, 1). */
bool user_address_ok(uint64_t addr);

/* For a string at addr that may be at most max bytes long (its NUL
 * included): how many bytes from addr may be read looking for its end,
 * max or fewer where the user range ends first; 0 when addr is no user
 * address. A string without a NUL in that many bytes is -EFAULT when the
 * answer is below max (it runs out of user memory) and too long otherwise. */
uint64_t user_string_span(uint64_t addr, uint64_t max);

#endif
