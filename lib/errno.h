/*
 * errno.h - error numbers returned (negated) by kernel functions.
 *
 * The values follow the familiar POSIX names so that "-ENOMEM" means what
 * a reader expects; they are Keel's own and never cross a user boundary.
 */
#ifndef KEEL_LIB_ERRNO_H
#define KEEL_LIB_ERRNO_H

#define EPERM  1  /* not allowed (killing the shell) */
#define ENOENT 2  /* no such mapping or entry */
#define ESRCH  3  /* no such thread */
#define EINTR  4  /* a wait ended early: the thread was killed */
#define ENOMEM 12 /* out of memory (frames or heap) */
#define EBUSY  16 /* in the way of something else (a larger or smaller page) */
#define EEXIST 17 /* already mapped */
#define EINVAL 22 /* bad argument: misaligned, non-canonical, wrong size */

/* Short name of a (negated or not) error number, for messages. */
const char *error_name(int error);

#endif
