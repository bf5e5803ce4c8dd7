/*
 * outbuf.h - output collected in a buffer and written to a file descriptor
 * in as few write() calls as possible.
 *
 * printf and friends format into one (user/lib/stdio.c), and so does a
 * full-screen program that wants a whole frame to reach the console in one
 * piece. The buffer is the caller's; bytes go out when it is full and on
 * outbuf_flush, never otherwise, and a short write is continued until
 * everything is out. The first error sticks: it is kept in `error`, and
 * everything after it is dropped, so a caller may check once at the end.
 * Pure: the write function is a parameter, so the host tests count calls.
 */
#ifndef KEEL_USER_LIB_OUTBUF_H
#define KEEL_USER_LIB_OUTBUF_H

#include <stddef.h>

/* write(2)'s shape: bytes written, or a negated error number. */
typedef long (*outbuf_write_fn)(int fd, const void *buf, size_t len);

struct outbuf {
    outbuf_write_fn write;
    int fd;
    char *data;
    size_t size, used;
    size_t written; /* bytes that reached write() successfully */
    long error;     /* 0, or the first failure: write's result, or -EIO for no progress */
};

/* Write all of data[0..n) to fd with as many write() calls as it takes;
 * 0, or the failure that stopped it (-EIO for a write that made no
 * progress, or claims more than it was given). *written (may be NULL)
 * gets the bytes that went out. */
long outbuf_write_all(outbuf_write_fn write, int fd, const void *data, size_t n, size_t *written);

/* Start an empty buffer over data[size] (size > 0) that writes to fd. */
void outbuf_init(struct outbuf *b, int fd, outbuf_write_fn write, char *data, size_t size);
/* Append; flushes each time the buffer fills. */
void outbuf_put(struct outbuf *b, const char *s, size_t n);
/* Append one character: a format_sink (lib/format.h) with the buffer as ctx. */
void outbuf_putc(char c, void *ctx);
/* Append a NUL-terminated string. */
void outbuf_puts(struct outbuf *b, const char *s);
/* Write out what is buffered; 0, or the sticky error. */
long outbuf_flush(struct outbuf *b);

#endif
