/*
 * user_range.c - the user range checks (see user_range.h).
 */
#include <keel/syscall.h>
#include <mm/paging.h>
#include <mm/user_range.h>

#define USER_LOWEST PAGE_SIZE

bool user_address_ok(uint64_t addr)
{
    return addr >= USER_LOWEST && addr < KEEL_USER_LIMIT;
}

bool user_range_ok(uint64_t addr, uint64_t len)
{
    if (addr < USER_LOWEST || addr > KEEL_USER_LIMIT)
        return false;
    return len <= KEEL_USER_LIMIT - addr; /* no wrap: addr <= limit here */
}
