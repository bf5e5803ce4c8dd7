/*
 * console_io.h - a program's fds 0, 1 and 2: the console's keyboard and
 * serial input, and its two screens.
 */
#ifndef KEEL_KERNEL_PROC_CONSOLE_IO_H
#define KEEL_KERNEL_PROC_CONSOLE_IO_H

#include <stddef.h>
#include <stdint.h>

/* Up to n bytes of input into user memory at dst, in the mode given
 * (KEEL_CONSOLE_LINE: a whole edited line, kept across calls until it has
 * been read; KEEL_CONSOLE_RAW: what has been typed, at least one byte).
 * Bytes read, -EFAULT, or -EINTR when the caller is killed while waiting. */
long console_read_user(int mode, uint64_t dst, size_t n);
/* n bytes from user memory at src to the console: n or -EFAULT. */
long console_write_user(uint64_t src, size_t n);
/* A program has ended: drop a half-read line, so the next one starts clean. */
void console_io_reset(void);

#endif
