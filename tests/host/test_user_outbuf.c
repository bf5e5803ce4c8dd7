/*
 * test_user_outbuf.c - host tests for the user runtime's buffered output
 * (user/lib/outbuf.c), the sink behind printf.
 *
 * A fake write() records every call: which fd, how many bytes, and the
 * bytes themselves, and can be told to take only a few bytes per call, to
 * fail at a given call, or to make no progress. The tests check when
 * writes happen (only when the buffer is full, and on flush), that short
 * writes are continued in order, that the first error sticks, and, with
 * lib/format.c's formatter as printf drives it, that long output arrives
 * whole in buffer-sized pieces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <lib/errno.h>
#include <lib/format.h>
#include <user/lib/outbuf.h>

#define LOG_SIZE  8192
#define MAX_CALLS 256

static struct {
    char bytes[LOG_SIZE]; /* everything written, in order */
    size_t length;
    size_t calls;
    size_t call_sizes[MAX_CALLS]; /* bytes taken by each call */
    int fds[MAX_CALLS];
    size_t take_at_most; /* 0: everything asked */
    size_t fail_at_call; /* 1-based; 0: never */
    long failure;        /* what the failing call returns */
} fake;

static long fake_write(int fd, const void *buf, size_t len)
{
    size_t call = fake.calls++;
    assert_true(call < MAX_CALLS);
    fake.fds[call] = fd;
    if (fake.fail_at_call == call + 1) {
        fake.call_sizes[call] = 0;
        return fake.failure;
    }
    size_t n = fake.take_at_most && len > fake.take_at_most ? fake.take_at_most : len;
    assert_true(fake.length + n <= LOG_SIZE);
    memcpy(fake.bytes + fake.length, buf, n);
    fake.length += n;
    fake.call_sizes[call] = n;
    return (long)n;
}

static int reset_fake(void **state)
{
    (void)state;
    memset(&fake, 0, sizeof(fake));
    return 0;
}

static void test_nothing_written_before_full_or_flush(void **state)
{
    (void)state;
    char data[16];
    struct outbuf b;
    outbuf_init(&b, 1, fake_write, data, sizeof(data));
    outbuf_puts(&b, "hello");
    outbuf_putc(' ', &b);
    outbuf_put(&b, "world", 5);
    assert_int_equal(fake.calls, 0);
    assert_int_equal(b.used, 11);
    assert_int_equal(outbuf_flush(&b), 0);
    assert_int_equal(fake.calls, 1);
    assert_int_equal(fake.fds[0], 1);
    assert_int_equal(fake.length, 11);
    assert_memory_equal(fake.bytes, "hello world", 11);
    assert_int_equal(b.written, 11);
}

static void test_flush_of_empty_buffer_writes_nothing(void **state)
{
    (void)state;
    char data[4];
    struct outbuf b;
    outbuf_init(&b, 2, fake_write, data, sizeof(data));
    assert_int_equal(outbuf_flush(&b), 0);
    assert_int_equal(fake.calls, 0);
}

/* A buffer of 8 bytes given 20: two full writes of 8 as it fills, 4 left. */
static void test_full_buffer_goes_out_in_buffer_sized_writes(void **state)
{
    (void)state;
    char data[8];
    struct outbuf b;
    outbuf_init(&b, 1, fake_write, data, sizeof(data));
    outbuf_puts(&b, "abcdefghijklmnopqrst");
    assert_int_equal(fake.calls, 2);
    assert_int_equal(fake.call_sizes[0], 8);
    assert_int_equal(fake.call_sizes[1], 8);
    assert_int_equal(b.used, 4);
    outbuf_put(&b, "uvwx", 4); /* exactly full again */
    assert_int_equal(fake.calls, 3);
    assert_int_equal(b.used, 0);
    assert_int_equal(outbuf_flush(&b), 0);
    assert_int_equal(fake.calls, 3);
    assert_memory_equal(fake.bytes, "abcdefghijklmnopqrstuvwx", 24);
}

static void test_short_writes_are_continued_in_order(void **state)
{
    (void)state;
    char data[10];
    struct outbuf b;
    fake.take_at_most = 3;
    outbuf_init(&b, 1, fake_write, data, sizeof(data));
    outbuf_puts(&b, "0123456789ABCDE");
    assert_int_equal(fake.calls, 4); /* the first ten bytes: 3 + 3 + 3 + 1 */
    assert_int_equal(outbuf_flush(&b), 0);
    assert_int_equal(fake.calls, 6); /* the last five: 3 + 2 */
    assert_int_equal(fake.length, 15);
    assert_memory_equal(fake.bytes, "0123456789ABCDE", 15);
    assert_int_equal(b.written, 15);
}

static void test_first_error_sticks_and_drops_the_rest(void **state)
{
    (void)state;
    char data[4];
    struct outbuf b;
    fake.fail_at_call = 2;
    fake.failure = -EFAULT;
    outbuf_init(&b, 1, fake_write, data, sizeof(data));
    outbuf_puts(&b, "abcdefghijkl");
    assert_int_equal(b.error, -EFAULT);
    assert_int_equal(fake.calls, 2); /* nothing tried after the failure */
    outbuf_puts(&b, "more");
    assert_int_equal(outbuf_flush(&b), -EFAULT);
    assert_int_equal(fake.calls, 2);
    assert_int_equal(fake.length, 4);
    assert_int_equal(b.written, 4);
}

static void test_no_progress_is_an_io_error(void **state)
{
    (void)state;
    char data[4];
    struct outbuf b;
    fake.fail_at_call = 1;
    fake.failure = 0; /* a write that takes nothing must not be retried forever */
    outbuf_init(&b, 1, fake_write, data, sizeof(data));
    outbuf_puts(&b, "ab");
    assert_int_equal(outbuf_flush(&b), -EIO);
    assert_int_equal(fake.calls, 1);
}

static long overlong_write(int fd, const void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    return (long)len + 1;
}

static void test_write_claiming_too_much_is_an_io_error(void **state)
{
    (void)state;
    size_t written = 99;
    assert_int_equal(outbuf_write_all(overlong_write, 1, "abc", 3, &written), -EIO);
    assert_int_equal(written, 0);
}

static void test_write_all_reports_bytes_out_before_an_error(void **state)
{
    (void)state;
    size_t written = 0;
    fake.take_at_most = 2;
    fake.fail_at_call = 3;
    fake.failure = -EBADF;
    assert_int_equal(outbuf_write_all(fake_write, 7, "abcdefgh", 8, &written), -EBADF);
    assert_int_equal(written, 4);
    assert_int_equal(fake.fds[0], 7);
    assert_int_equal(outbuf_write_all(fake_write, 7, "", 0, NULL), 0);
    assert_int_equal(fake.calls, 3); /* nothing to write: no call */
}

/* printf's path: format_v into the buffer, then a flush. */
static int format_into(struct outbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_v(outbuf_putc, b, fmt, ap);
    va_end(ap);
    return n;
}

static void test_formatted_output_arrives_whole(void **state)
{
    (void)state;
    char data[64];
    char expected[2048];
    struct outbuf b;
    outbuf_init(&b, 1, fake_write, data, sizeof(data));
    int n = format_into(&b, "%s=%d %-700s|%#x %5.2s", "answer", 42, "padded", 0xbeef, "abc");
    snprintf(expected, sizeof(expected), "%s=%d %-700s|%#x %5.2s", "answer", 42, "padded", 0xbeef,
             "abc");
    assert_int_equal(n, (int)strlen(expected));
    assert_int_equal(outbuf_flush(&b), 0);
    assert_int_equal(fake.length, strlen(expected));
    assert_memory_equal(fake.bytes, expected, strlen(expected));
    assert_int_equal(fake.calls, (strlen(expected) + sizeof(data) - 1) / sizeof(data));
    for (size_t i = 0; i + 1 < fake.calls; i++)
        assert_int_equal(fake.call_sizes[i], sizeof(data));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_nothing_written_before_full_or_flush, reset_fake),
        cmocka_unit_test_setup(test_flush_of_empty_buffer_writes_nothing, reset_fake),
        cmocka_unit_test_setup(test_full_buffer_goes_out_in_buffer_sized_writes, reset_fake),
        cmocka_unit_test_setup(test_short_writes_are_continued_in_order, reset_fake),
        cmocka_unit_test_setup(test_first_error_sticks_and_drops_the_rest, reset_fake),
        cmocka_unit_test_setup(test_no_progress_is_an_io_error, reset_fake),
        cmocka_unit_test_setup(test_write_claiming_too_much_is_an_io_error, reset_fake),
        cmocka_unit_test_setup(test_write_all_reports_bytes_out_before_an_error, reset_fake),
        cmocka_unit_test_setup(test_formatted_output_arrives_whole, reset_fake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
