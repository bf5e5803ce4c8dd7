/*
 * line_edit.c - the line editor and its history (see line_edit.h for keys).
 *
 * Drawing model: the screen cell of line position i is prompt_length + i
 * cells after where the prompt began, and between keys the terminal cursor
 * is on position ed->cursor. Every edit comes down to one redraw: "the
 * buffer changed from position `from` on and used to be `old_length` long".
 * The cursor moves back to `from` (or forward by reprinting the unchanged
 * characters, there being no cursor-right primitive), prints the new tail,
 * blanks what is left of the old one with spaces, and moves back to the new
 * cursor. Nothing before `from` is printed again.
 *
 * Key events: a Ctrl combination is recognised by its control character
 * (all the serial decoder sends for Ctrl+C is 0x03) or by its key with
 * MOD_CTRL; then characters by ascii; then the keys without a character
 * (arrows, Home, Delete...) by key.
 */
#include <kernel/shell/line_edit.h>
#include <lib/string.h>
#include <stdbool.h>

/* Control characters from the keyboard decoders (drivers/ps2/scancode.c,
 * drivers/serial/term_keys.c). */
#define ASCII_CTRL_A          0x01
#define ASCII_CTRL_C          0x03
#define ASCII_CTRL_E          0x05
#define ASCII_BACKSPACE       0x08
#define ASCII_TAB             0x09
#define ASCII_NEWLINE         0x0A
#define ASCII_CTRL_L          0x0C
#define ASCII_RETURN          0x0D
#define ASCII_DELETE          0x7F /* what many terminals send for Backspace */
#define ASCII_FIRST_PRINTABLE 0x20
#define ASCII_LAST_PRINTABLE  0x7E

#define CANCEL_ECHO "^C\n"

enum action {
    ACTION_NONE,
    ACTION_INSERT,
    ACTION_BACKSPACE,
    ACTION_DELETE,
    ACTION_LEFT,
    ACTION_RIGHT,
    ACTION_HOME,
    ACTION_END,
    ACTION_OLDER,
    ACTION_NEWER,
    ACTION_ENTER,
    ACTION_CANCEL,
    ACTION_REDRAW,
};

/* ------------------------------------------------------------ history */

static size_t history_slot(const struct line_history *h, size_t age)
{
    return (h->next + LINE_HISTORY_SIZE - 1 - age) % LINE_HISTORY_SIZE;
}

static bool is_blank_line(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return false;
    return true;
}

/* Remember line unless it is blank or repeats the newest entry. */
static void history_add(struct line_history *h, const char *line, size_t length)
{
    if (is_blank_line(line))
        return;
    if (h->count > 0 && strcmp(h->lines[history_slot(h, 0)], line) == 0)
        return;
    memcpy(h->lines[h->next], line, length + 1);
    h->next = (h->next + 1) % LINE_HISTORY_SIZE;
    if (h->count < LINE_HISTORY_SIZE)
        h->count++;
}

/* ------------------------------------------------------------ drawing */

/* write and cursor_left, never called with nothing to do: an empty cursor
 * move would still cost an escape sequence on a serial terminal. */
static void print(const struct line_output *out, const char *s, size_t n)
{
    if (n > 0)
        out->write(out->ctx, s, n);
}

static void back(const struct line_output *out, size_t n)
{
    if (n > 0)
        out->cursor_left(out->ctx, n);
}

static void print_spaces(const struct line_output *out, size_t n)
{
    static const char spaces[] = "                ";
    while (n > 0) {
        size_t chunk = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        print(out, spaces, chunk);
        n -= chunk;
    }
}

/* Move the terminal cursor from line position `at` to `to`. Moving right
 * reprints buffer[at..to), so those cells must already show exactly that. */
static void move_cursor(const struct line_editor *ed, const struct line_output *out, size_t at,
                        size_t to)
{
    if (to < at)
        back(out, at - to);
    else
        print(out, ed->buffer + at, to - at);
}

/* The buffer changed from position `from` on (the screen still shows the old
 * text, old_length long) and the terminal cursor is at `at`, with
 * from <= at or the text between them unchanged. Redraw and place the cursor
 * on ed->cursor. */
static void redraw_from(const struct line_editor *ed, const struct line_output *out, size_t at,
                        size_t from, size_t old_length)
{
    move_cursor(ed, out, at, from);
    print(out, ed->buffer + from, ed->length - from);
    size_t end = ed->length;
    if (old_length > end) {
        print_spaces(out, old_length - end);
        end = old_length;
    }
    back(out, end - ed->cursor);
}

/* ------------------------------------------------------------ editing */

static void insert_char(struct line_editor *ed, const struct line_output *out, char c)
{
    if (ed->length >= LINE_EDIT_MAX) {
        out->bell(out->ctx);
        return;
    }
    size_t at = ed->cursor;
    memmove(ed->buffer + at + 1, ed->buffer + at, ed->length - at + 1);
    ed->buffer[at] = c;
    ed->length++;
    ed->cursor++;
    redraw_from(ed, out, at, at, ed->length - 1);
}

/* Remove the character at position `at` (< length) with the terminal cursor
 * on `cursor_before`, then leave the cursor on `at`. */
static void delete_at(struct line_editor *ed, const struct line_output *out, size_t at,
                      size_t cursor_before)
{
    memmove(ed->buffer + at, ed->buffer + at + 1, ed->length - at);
    ed->length--;
    ed->cursor = at;
    redraw_from(ed, out, cursor_before, at, ed->length + 1);
}

static void backspace(struct line_editor *ed, const struct line_output *out)
{
    if (ed->cursor == 0)
        out->bell(out->ctx);
    else
        delete_at(ed, out, ed->cursor - 1, ed->cursor);
}

static void delete_forward(struct line_editor *ed, const struct line_output *out)
{
    if (ed->cursor == ed->length)
        out->bell(out->ctx);
    else
        delete_at(ed, out, ed->cursor, ed->cursor);
}

/* Put the cursor on `to` (0 .. length); bell instead when `allowed` is false. */
static void move_to(struct line_editor *ed, const struct line_output *out, size_t to, bool allowed)
{
    if (!allowed) {
        out->bell(out->ctx);
        return;
    }
    move_cursor(ed, out, ed->cursor, to);
    ed->cursor = to;
}

/* Show `text` in place of the line, cursor at its end. Only the part after
 * what the old and new lines have in common is printed. */
static void replace_line(struct line_editor *ed, const struct line_output *out, const char *text)
{
    size_t old_length = ed->length;
    size_t at = ed->cursor;
    size_t same = 0;
    while (same < old_length && text[same] != '\0' && text[same] == ed->buffer[same])
        same++;
    if (same > at)
        same = at; /* no need to walk right over text that stays */
    ed->length = strlen(text);
    memmove(ed->buffer, text, ed->length + 1);
    ed->cursor = ed->length;
    redraw_from(ed, out, at, same, old_length);
}

/* Up (older = true) or Down through the history. */
static void browse_history(struct line_editor *ed, const struct line_output *out, bool older)
{
    const struct line_history *h = &ed->history;
    if (older ? ed->browse >= h->count : ed->browse == 0) {
        out->bell(out->ctx);
        return;
    }
    if (older && ed->browse == 0)
        memcpy(ed->saved, ed->buffer, ed->length + 1);
    if (older)
        ed->browse++;
    else
        ed->browse--;
    if (ed->browse == 0)
        replace_line(ed, out, ed->saved);
    else
        replace_line(ed, out, h->lines[history_slot(h, ed->browse - 1)]);
}

/* Ctrl+L: a clean screen with the prompt and line at the top. */
static void redraw_all(struct line_editor *ed, const struct line_output *out)
{
    out->clear_screen(out->ctx);
    print(out, ed->prompt, ed->prompt_length);
    print(out, ed->buffer, ed->length);
    back(out, ed->length - ed->cursor);
}

/* Leave the line: cursor past its end (it may span rows), then `echo`. */
static void finish_line(struct line_editor *ed, const struct line_output *out, const char *echo)
{
    move_cursor(ed, out, ed->cursor, ed->length);
    ed->cursor = ed->length;
    print(out, echo, strlen(echo));
}

/* ------------------------------------------------------------ keys */

static bool is_ctrl(const struct key_event *ev, enum keycode key, char ascii)
{
    return ev->ascii == ascii || (ev->key == key && (ev->modifiers & MOD_CTRL));
}

static enum action classify_ascii(const struct key_event *ev)
{
    unsigned char c = (unsigned char)ev->ascii;
    if (c >= ASCII_FIRST_PRINTABLE && c <= ASCII_LAST_PRINTABLE)
        return ACTION_INSERT;
    switch (c) {
    case ASCII_NEWLINE:
    case ASCII_RETURN:
        return ACTION_ENTER;
    case ASCII_BACKSPACE:
    case ASCII_DELETE:
        return ACTION_BACKSPACE;
    case ASCII_TAB:
        return ACTION_INSERT;
    default:
        return ACTION_NONE;
    }
}

static enum action classify_key(enum keycode key)
{
    switch (key) {
    case KEY_BACKSPACE:
        return ACTION_BACKSPACE;
    case KEY_DELETE:
        return ACTION_DELETE;
    case KEY_LEFT:
        return ACTION_LEFT;
    case KEY_RIGHT:
        return ACTION_RIGHT;
    case KEY_HOME:
        return ACTION_HOME;
    case KEY_END:
        return ACTION_END;
    case KEY_UP:
        return ACTION_OLDER;
    case KEY_DOWN:
        return ACTION_NEWER;
    case KEY_ENTER:
    case KEY_KP_ENTER:
        return ACTION_ENTER;
    default:
        return ACTION_NONE;
    }
}

static enum action classify(const struct key_event *ev)
{
    if (is_ctrl(ev, KEY_C, ASCII_CTRL_C))
        return ACTION_CANCEL;
    if (is_ctrl(ev, KEY_L, ASCII_CTRL_L))
        return ACTION_REDRAW;
    if (is_ctrl(ev, KEY_A, ASCII_CTRL_A))
        return ACTION_HOME;
    if (is_ctrl(ev, KEY_E, ASCII_CTRL_E))
        return ACTION_END;
    if (ev->ascii != 0)
        return classify_ascii(ev);
    return classify_key(ev->key);
}

void line_editor_init(struct line_editor *ed)
{
    memset(ed, 0, sizeof(*ed));
    ed->prompt = "";
}

void line_edit_begin(struct line_editor *ed, const char *prompt, const struct line_output *out)
{
    ed->prompt = prompt;
    ed->prompt_length = strlen(prompt);
    ed->buffer[0] = '\0';
    ed->length = 0;
    ed->cursor = 0;
    ed->browse = 0;
    print(out, prompt, ed->prompt_length);
}

/* Carry out the actions that do not end the line. */
static void edit(struct line_editor *ed, const struct line_output *out, enum action action,
                 char ascii)
{
    switch (action) {
    case ACTION_INSERT:
        insert_char(ed, out, ascii == ASCII_TAB ? ' ' : ascii);
        break;
    case ACTION_BACKSPACE:
        backspace(ed, out);
        break;
    case ACTION_DELETE:
        delete_forward(ed, out);
        break;
    case ACTION_LEFT:
        move_to(ed, out, ed->cursor - 1, ed->cursor > 0);
        break;
    case ACTION_RIGHT:
        move_to(ed, out, ed->cursor + 1, ed->cursor < ed->length);
        break;
    case ACTION_HOME:
        move_to(ed, out, 0, true);
        break;
    case ACTION_END:
        move_to(ed, out, ed->length, true);
        break;
    case ACTION_OLDER:
    case ACTION_NEWER:
        browse_history(ed, out, action == ACTION_OLDER);
        break;
    case ACTION_REDRAW:
        redraw_all(ed, out);
        break;
    default:
        break;
    }
}

enum line_edit_result line_edit_key(struct line_editor *ed, const struct key_event *ev,
                                    const struct line_output *out)
{
    if (!ev->pressed)
        return LINE_EDIT_CONTINUE;
    enum action action = classify(ev);
    if (action == ACTION_ENTER) {
        finish_line(ed, out, "\n");
        history_add(&ed->history, ed->buffer, ed->length);
        return LINE_EDIT_DONE;
    }
    if (action == ACTION_CANCEL) {
        finish_line(ed, out, CANCEL_ECHO);
        ed->buffer[0] = '\0';
        ed->length = ed->cursor = 0;
        return LINE_EDIT_CANCELLED;
    }
    edit(ed, out, action, ev->ascii);
    return LINE_EDIT_CONTINUE;
}

const char *line_edit_text(const struct line_editor *ed)
{
    return ed->buffer;
}

size_t line_edit_history_count(const struct line_editor *ed)
{
    return ed->history.count;
}

const char *line_edit_history_entry(const struct line_editor *ed, size_t age)
{
    if (age >= ed->history.count)
        return NULL;
    return ed->history.lines[history_slot(&ed->history, age)];
}
