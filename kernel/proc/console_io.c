/*
 * console_io.c - programs reading the keyboard and writing the screen.
 *
 * Line mode edits the line with the shell's editor (kernel/shell/
 * line_edit.c: the same keys, echo on both screens) and hands it over
 * with its '\n', in as many reads as the program needs. Raw mode turns
 * key presses into the bytes a terminal would send: the character, Enter
 * as '\r', Backspace as 0x7f, Escape as 0x1b, the arrows, Home, End and
 * Delete as their escape sequences; nothing is echoed.
 */
#include <keel/syscall.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/proc/console_io.h>
#include <kernel/proc/uaccess.h>
#include <kernel/sched/thread.h>
#include <kernel/shell/line_edit.h>
#include <kernel/shell/shell.h>
#include <lib/errno.h>
#include <lib/string.h>

#define WRITE_CHUNK 256
#define RAW_MAX     64

static struct line_editor editor; /* about 7 KiB: not on a kernel stack */
static char line[LINE_EDIT_MAX + 2];
static size_t line_length, line_taken; /* the line and how much was read */
static bool editor_ready;

static size_t raw_length;

void console_io_reset(void)
{
    line_length = line_taken = 0;
    raw_length = 0;
}

/* Edit one line: 0, or -EINTR when the caller is killed. */
static int edit_line(void)
{
    if (!editor_ready) {
        line_editor_init(&editor);
        editor_ready = true;
    }
    line_edit_begin(&editor, "", &console_line_output);
    enum line_edit_result result;
    do {
        struct key_event ev;
        input_wait_press(&ev);
        if (thread_should_stop())
            return -EINTR;
        result = line_edit_key(&editor, &ev, &console_line_output);
    } while (result == LINE_EDIT_CONTINUE);
    if (result == LINE_EDIT_CANCELLED)
        return edit_line();
    line_length = strlcpy(line, line_edit_text(&editor), sizeof(line) - 1);
    line[line_length++] = '\n';
    line_taken = 0;
    return 0;
}

static long read_line(uint64_t dst, size_t n)
{
    if (line_taken == line_length) {
        int err = edit_line();
        if (err)
            return err;
    }
    size_t left = line_length - line_taken;
    if (n > left)
        n = left;
    int err = copy_to_user(dst, line + line_taken, n);
    if (err)
        return err;
    line_taken += n;
    return (long)n;
}

/* The bytes a terminal sends for this key press (0 of them for most
 * non-character keys). */
static size_t key_bytes(const struct key_event *ev, char *out)
{
    static const struct {
        enum keycode key;
        const char *bytes;
    } sequences[] = {
        {KEY_UP, "\x1b[A"},   {KEY_DOWN, "\x1b[B"}, {KEY_RIGHT, "\x1b[C"},   {KEY_LEFT, "\x1b[D"},
        {KEY_HOME, "\x1b[H"}, {KEY_END, "\x1b[F"},  {KEY_DELETE, "\x1b[3~"},
    };
    if (ev->ascii) {
        out[0] = ev->ascii == '\n' ? '\r' : ev->ascii == '\b' ? 0x7f : ev->ascii;
        return 1;
    }
    for (size_t i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++) {
        if (ev->key == sequences[i].key) {
            size_t n = strlen(sequences[i].bytes);
            memcpy(out, sequences[i].bytes, n);
            return n;
        }
    }
    return 0;
}

/* Raw bytes typed but not read yet (a key's sequence may not fit a read). */
static char raw[RAW_MAX];

static long read_raw(uint64_t dst, size_t n)
{
    struct key_event ev;
    while (raw_length == 0) {
        input_wait_press(&ev);
        if (thread_should_stop())
            return -EINTR;
        raw_length = key_bytes(&ev, raw);
    }
    /* Presses already typed come along, as far as each fits whole; the
     * rest waits in the input. */
    while (raw_length < n && raw_length + 4 <= sizeof(raw) && input_poll(&ev))
        if (ev.pressed)
            raw_length += key_bytes(&ev, raw + raw_length);
    if (n > raw_length)
        n = raw_length;
    int err = copy_to_user(dst, raw, n);
    if (err)
        return err;
    raw_length -= n;
    memmove(raw, raw + n, raw_length);
    return (long)n;
}

long console_read_user(int mode, uint64_t dst, size_t n)
{
    if (n == 0)
        return 0;
    return mode == KEEL_CONSOLE_RAW ? read_raw(dst, n) : read_line(dst, n);
}

long console_write_user(uint64_t src, size_t n)
{
    char chunk[WRITE_CHUNK];
    for (size_t done = 0; done < n;) {
        size_t part = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
        int err = copy_from_user(chunk, src + done, part);
        if (err)
            return done ? (long)done : err;
        console_write(chunk, part);
        done += part;
    }
    return (long)n;
}
