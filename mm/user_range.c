/*
 * user_range.c - the user address range checks (see user_range.h).
 *
 * Every comparison is arranged so that nothing can wrap: with addr already
 * known to be at most KEEL_USER_LIMIT, KEEL_USER_LIMIT - addr is the room
 * left, and len is compared against that rather than addr + len against
 * the limit (which a len near 2^64 would wrap to a small number).
 */
#include <mm/user_range.h>

bool user_range_ok(uint64_t addr, uint64_t len)
{
    if (addr < USER_ADDRESS_MIN || addr > KEEL_USER_LIMIT)
        return false;
    return len <= KEEL_USER_LIMIT - addr;
}

bool user_address_ok(uint64_t addr)
{
    return user_range_ok(addr, 1);
}

uint64_t user_string_span(uint64_t addr, uint64_t max)
{
    if (!user_address_ok(addr))
        return 0;
    return max < KEEL_USER_LIMIT - addr ? max : KEEL_USER_LIMIT - addr;
}
