/*
 * errno.h - error numbers returned (negated) by kernel functions.
 *
 * The values follow the familiar POSIX names (and Linux's numbers) so that
 * "-ENOMEM" means what a reader expects. They are part of the system-call
 * ABI, so they are defined in <keel/syscall.h>, which user programs see too.
 */
#ifndef KEEL_LIB_ERRNO_H
#define KEEL_LIB_ERRNO_H

#include <keel/syscall.h>

/* Short name of a (negated or not) error number, for messages. */
const char *error_name(int error);

#endif
