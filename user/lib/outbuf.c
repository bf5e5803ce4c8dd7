/*
 * outbuf.c - buffered output to a file descriptor (see outbuf.h).
 */
#include <lib/errno.h>
#include <lib/string.h>
#include <user/lib/outbuf.h>

void outbuf_init(struct outbuf *b, int fd, outbuf_write_fn write, char *data, size_t size)
{
    b->write = write;
    b->fd = fd;
    b->data = data;
    b->size = size;
    b->used = 0;
    b->written = 0;
    b->error = 0;
}

long outbuf_write_all(outbuf_write_fn write, int fd, const void *data, size_t n, size_t *written)
{
    const char *next = data;
    size_t done_total = 0;
    long error = 0;
    while (done_total < n) {
        long done = write(fd, next + done_total, n - done_total);
        if (done <= 0 || (size_t)done > n - done_total) {
            error = done < 0 ? done : -EIO; /* no progress: do not spin on a full device */
            break;
        }
        done_total += (size_t)done;
    }
    if (written)
        *written = done_total;
    return error;
}

long outbuf_flush(struct outbuf *b)
{
    if (b->error == 0 && b->used > 0) {
        size_t written;
        b->error = outbuf_write_all(b->write, b->fd, b->data, b->used, &written);
        b->written += written;
    }
    b->used = 0;
    return b->error;
}

void outbuf_put(struct outbuf *b, const char *s, size_t n)
{
    while (n > 0 && b->error == 0) {
        size_t room = b->size - b->used;
        size_t part = n < room ? n : room;
        memcpy(b->data + b->used, s, part);
        b->used += part;
        s += part;
        n -= part;
        if (b->used == b->size)
            outbuf_flush(b);
    }
}

void outbuf_putc(char c, void *ctx)
{
    outbuf_put(ctx, &c, 1);
}

void outbuf_puts(struct outbuf *b, const char *s)
{
    outbuf_put(b, s, strlen(s));
}
