/*
 * stdio.c - printf and friends: lib/format.c's formatter writing into an
 * outbuf (user/lib/outbuf.h) that writes to a file descriptor.
 */
#include <user/lib/outbuf.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

int vdprintf(int fd, const char *fmt, va_list ap)
{
    char data[STDIO_BUFFER_SIZE];
    struct outbuf out;
    outbuf_init(&out, fd, write, data, sizeof(data));
    int length = format_v(outbuf_putc, &out, fmt, ap);
    long error = outbuf_flush(&out);
    return error < 0 ? (int)error : length;
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int length = vdprintf(fd, fmt, ap);
    va_end(ap);
    return length;
}

int vprintf(const char *fmt, va_list ap)
{
    return vdprintf(KEEL_STDOUT, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int length = vdprintf(KEEL_STDOUT, fmt, ap);
    va_end(ap);
    return length;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return kvsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int length = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return length;
}

int fdputs(int fd, const char *s)
{
    char data[STDIO_BUFFER_SIZE];
    struct outbuf out;
    outbuf_init(&out, fd, write, data, sizeof(data));
    outbuf_puts(&out, s);
    return (int)outbuf_flush(&out);
}

int puts(const char *s)
{
    char data[STDIO_BUFFER_SIZE];
    struct outbuf out;
    outbuf_init(&out, KEEL_STDOUT, write, data, sizeof(data));
    outbuf_puts(&out, s);
    outbuf_put(&out, "\n", 1);
    return (int)outbuf_flush(&out);
}
