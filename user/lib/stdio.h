/*
 * stdio.h - formatted output for programs: printf to the console, dprintf
 * to any file descriptor, snprintf into memory.
 *
 * The conversions are those of the kernel's formatter (lib/format.h: %d %i
 * %u %x %X %o %p %s %c %%, flags, width, precision, hh h l ll z t j; no
 * floating point). Each call formats into a buffer on its own stack and
 * writes it out before returning, in one write() when it fits
 * (STDIO_BUFFER_SIZE bytes): nothing is left in a buffer when the program
 * exits or crashes, and stdout and stderr keep their order on the console.
 * printf and dprintf return the characters written, or the negated error
 * number of the write that failed.
 */
#ifndef KEEL_USER_LIB_STDIO_H
#define KEEL_USER_LIB_STDIO_H

#include <lib/format.h>
#include <stdarg.h>
#include <stddef.h>

#define STDIO_BUFFER_SIZE 256

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap);
/* C's snprintf: at most size-1 characters and a NUL; the full length. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* s and a newline to fd 1; 0 or a negated error number. */
int puts(const char *s);
/* s as it is to fd; 0 or a negated error number. */
int fdputs(int fd, const char *s);

#endif
