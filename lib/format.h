/*
 * format.h - printf-style formatting without libc.
 *
 * One formatter, format_v(), writes characters to a caller-supplied sink;
 * kprintf (console), ksnprintf (buffers) and the panic screen are all built
 * on it. Supported: %d %i %u %x %X %o %p %s %c %%, flags "-0+ #", width and
 * precision (numbers or *), length modifiers hh h l ll z t j. For these the
 * output is that of the C standard (and of glibc where the standard leaves
 * a choice: %p prints 0x... or (nil), %s of NULL prints (null), or nothing
 * when the precision is below 6). An unknown conversion such as %q, or %n,
 * is printed literally as written (glibc differs there).
 * No floating point: the kernel is built without SSE/x87.
 */
#ifndef KEEL_LIB_FORMAT_H
#define KEEL_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(char c, void *ctx);

/* Format fmt/ap, passing every output character to sink(c, ctx).
 * Returns the number of characters produced, or -1 if that exceeds INT_MAX. */
int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);

/* Like C's vsnprintf/snprintf: writes at most size-1 characters and a NUL
 * (nothing when size is 0); returns the length the full output would have. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
