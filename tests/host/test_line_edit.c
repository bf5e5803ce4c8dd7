/*
 * test_line_edit.c - host tests for the line editor (kernel/shell/line_edit.c).
 *
 * The editor draws on a fake terminal that behaves like Keel's VGA writer: a
 * grid of cells, a cursor, "pending" wrap (writing the last column leaves the
 * cursor past it until the next glyph), scrolling when a glyph or newline
 * goes below the last row, and cursor_left counting cells back across rows.
 * Cases check what a person would see (the cells from where the prompt began,
 * and that everything after the line is blank) and where the cursor is,
 * plus the text and the bells. Expected lines, cursors and drawing logs are
 * written by hand. The randomized test compares the editor against a small
 * reference model of the documented behaviour after every key.
 *
 * Keys are written as strings: ordinary characters type themselves ('\n'
 * Enter, '\b' Backspace, '\t' Tab) and the K_* tokens stand for the other
 * keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/shell/line_edit.h>

#define PROMPT   "> "
#define MAX_COLS 80
#define MAX_ROWS 25
#define LOG_SIZE 4096

/* ------------------------------------------------------------ fake terminal */

struct term {
    unsigned cols, rows;
    char cells[MAX_ROWS * MAX_COLS];
    unsigned row, col; /* col == cols: wrap pending */
    long line_start;   /* linear cell where the current prompt began */
    unsigned bells, clears;
    size_t ops;         /* write/cursor_left/clear calls that drew something */
    char log[LOG_SIZE]; /* "text", "<n" for cursor_left, "!" bell, "#" clear */
    size_t log_length;
};

/* Only short stretches of the log are ever compared; a long run starts it
 * over when it fills. */
static void term_log(struct term *t, const char *s, size_t n)
{
    if (t->log_length + n >= LOG_SIZE)
        t->log_length = 0;
    assert_true(n < LOG_SIZE);
    memcpy(t->log + t->log_length, s, n);
    t->log_length += n;
    t->log[t->log_length] = '\0';
}

static void term_reset(struct term *t, unsigned cols, unsigned rows)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->rows = rows;
    memset(t->cells, ' ', sizeof(t->cells));
}

static void term_new_line(struct term *t)
{
    t->col = 0;
    if (t->row + 1 < t->rows) {
        t->row++;
        return;
    }
    memmove(t->cells, t->cells + t->cols, (size_t)(t->rows - 1) * t->cols);
    memset(t->cells + (size_t)(t->rows - 1) * t->cols, ' ', t->cols);
    t->line_start -= t->cols;
}

static void fake_write(void *ctx, const char *s, size_t n)
{
    struct term *t = ctx;
    term_log(t, s, n);
    t->ops++;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            term_new_line(t);
            continue;
        }
        assert_true(s[i] >= 0x20 && s[i] <= 0x7E); /* only printable text is drawn */
        if (t->col >= t->cols)
            term_new_line(t);
        t->cells[t->row * t->cols + t->col++] = s[i];
    }
}

static void fake_cursor_left(void *ctx, size_t n)
{
    struct term *t = ctx;
    char note[32];
    term_log(t, note, (size_t)snprintf(note, sizeof(note), "<%zu", n));
    t->ops++;
    size_t position = (size_t)t->row * t->cols + t->col;
    assert_true(n <= position); /* never past the top left */
    position -= n;
    t->row = (unsigned)(position / t->cols);
    t->col = (unsigned)(position % t->cols);
}

static void fake_bell(void *ctx)
{
    struct term *t = ctx;
    term_log(t, "!", 1);
    t->bells++;
}

static void fake_clear_screen(void *ctx)
{
    struct term *t = ctx;
    term_log(t, "#", 1);
    t->ops++;
    t->clears++;
    memset(t->cells, ' ', sizeof(t->cells));
    t->row = t->col = 0;
}

static long term_position(const struct term *t)
{
    return (long)t->row * t->cols + t->col;
}

/* ------------------------------------------------------------ keys */

#define K_LEFT          "\x80"
#define K_RIGHT         "\x81"
#define K_HOME          "\x82"
#define K_END           "\x83"
#define K_UP            "\x84"
#define K_DOWN          "\x85"
#define K_DELETE        "\x86"
#define K_CTRL_C        "\x87" /* as the PS/2 decoder reports it */
#define K_CTRL_L        "\x88"
#define K_CTRL_A        "\x89"
#define K_CTRL_E        "\x8a"
#define K_RELEASE_A     "\x8b" /* a key release */
#define K_F1            "\x8c"
#define K_ESCAPE        "\x8d"
#define K_CTRL_X        "\x8e"
#define K_PAGE_UP       "\x8f"
#define K_INSERT        "\x90"
#define K_RUBOUT        "\x91" /* 0x7F, Backspace on many terminals */
#define K_ETX           "\x92" /* 0x03 with no key: Ctrl+C from a raw serial byte */
#define K_CTRL_C_KEY    "\x93" /* KEY_C + Ctrl without a character */
#define K_KP_ENTER      "\x94"
#define K_SHIFT         "\x95" /* a modifier press */
#define K_RELEASE_NL    "\x96" /* an Enter release that (wrongly) carries '\n' */
#define K_ALT_X         "\x97" /* Alt+x: Alt does not change ascii */
#define K_CTRL_L_KEY    "\x98"
#define K_KP_HOME       "\x99" /* keypad 7 with Num Lock off */
#define K_BACKSPACE_KEY "\x9a" /* KEY_BACKSPACE without a character */

#define TOKEN_FIRST 0x80

static const struct key_event tokens[] = {
    {KEY_LEFT, true, 0, 0},        {KEY_RIGHT, true, 0, 0},
    {KEY_HOME, true, 0, 0},        {KEY_END, true, 0, 0},
    {KEY_UP, true, 0, 0},          {KEY_DOWN, true, 0, 0},
    {KEY_DELETE, true, 0, 0},      {KEY_C, true, MOD_CTRL, 0x03},
    {KEY_L, true, MOD_CTRL, 0x0C}, {KEY_A, true, MOD_CTRL, 0x01},
    {KEY_E, true, MOD_CTRL, 0x05}, {KEY_A, false, 0, 0},
    {KEY_F1, true, 0, 0},          {KEY_ESCAPE, true, 0, 0x1B},
    {KEY_X, true, MOD_CTRL, 0x18}, {KEY_PAGE_UP, true, 0, 0},
    {KEY_INSERT, true, 0, 0},      {KEY_NONE, true, 0, 0x7F},
    {KEY_NONE, true, 0, 0x03},     {KEY_C, true, MOD_CTRL, 0},
    {KEY_KP_ENTER, true, 0, '\n'}, {KEY_LEFT_SHIFT, true, MOD_SHIFT, 0},
    {KEY_ENTER, false, 0, '\n'},   {KEY_X, true, MOD_ALT, 'x'},
    {KEY_L, true, MOD_CTRL, 0},    {KEY_HOME, true, 0, 0},
    {KEY_BACKSPACE, true, 0, 0},
};

#define TOKEN_COUNT (sizeof(tokens) / sizeof(tokens[0]))

static struct key_event key_for(unsigned char c)
{
    if (c >= TOKEN_FIRST) {
        assert_true((size_t)(c - TOKEN_FIRST) < TOKEN_COUNT);
        return tokens[c - TOKEN_FIRST];
    }
    switch (c) {
    case '\n':
        return (struct key_event){KEY_ENTER, true, 0, '\n'};
    case '\b':
        return (struct key_event){KEY_BACKSPACE, true, 0, '\b'};
    case '\t':
        return (struct key_event){KEY_TAB, true, 0, '\t'};
    default:
        break;
    }
    uint8_t mods = c >= 'A' && c <= 'Z' ? MOD_SHIFT : 0;
    enum keycode key = KEY_NONE;
    if (c >= 'a' && c <= 'z')
        key = (enum keycode)(KEY_A + (c - 'a'));
    else if (c >= 'A' && c <= 'Z')
        key = (enum keycode)(KEY_A + (c - 'A'));
    else if (c == ' ')
        key = KEY_SPACE;
    return (struct key_event){key, true, mods, (char)c};
}

/* ------------------------------------------------------------ sessions */

struct session {
    struct line_editor ed;
    struct term term;
    struct line_output out;
    const char *prompt;
};

/* Large: one per test, kept off the stack. */
static struct session session;

static struct session *start(unsigned cols, unsigned rows)
{
    struct session *s = &session;
    memset(&s->ed, 0x5A, sizeof(s->ed)); /* garbage line_editor_init must replace */
    line_editor_init(&s->ed);
    term_reset(&s->term, cols, rows);
    s->out =
        (struct line_output){&s->term, fake_write, fake_cursor_left, fake_bell, fake_clear_screen};
    return s;
}

static void begin(struct session *s, const char *prompt)
{
    s->prompt = prompt;
    s->term.line_start = term_position(&s->term);
    line_edit_begin(&s->ed, prompt, &s->out);
}

static int setup(void **state)
{
    struct session *s = start(MAX_COLS, MAX_ROWS);
    begin(s, PROMPT);
    *state = s;
    return 0;
}

/* Type keys; returns the result of the last one. */
static enum line_edit_result type(struct session *s, const char *keys)
{
    enum line_edit_result result = LINE_EDIT_CONTINUE;
    for (; *keys; keys++) {
        struct key_event ev = key_for((unsigned char)*keys);
        result = line_edit_key(&s->ed, &ev, &s->out);
    }
    return result;
}

/* The screen shows the prompt and `shown` from line_start and nothing after
 * them; returns the linear cell just after. */
static long expect_cells(const struct session *s, const char *shown)
{
    const struct term *t = &s->term;
    size_t prompt_length = strlen(s->prompt), length = strlen(shown);
    long start = t->line_start, screen = (long)t->rows * t->cols;
    long end = start + (long)(prompt_length + length);
    assert_true(start >= 0);
    assert_true(end <= screen);
    assert_memory_equal(t->cells + start, s->prompt, prompt_length);
    assert_memory_equal(t->cells + start + prompt_length, shown, length);
    for (long i = end; i < screen; i++)
        if (t->cells[i] != ' ')
            fail_msg("cell %ld after the line shows '%c'", i, t->cells[i]);
    return end;
}

/* The screen shows the prompt and text, the cursor is `cursor` characters
 * into the text, and the editor holds text. */
static void expect_line(const struct session *s, const char *text, size_t cursor)
{
    expect_cells(s, text);
    assert_int_equal(term_position(&s->term),
                     s->term.line_start + (long)(strlen(s->prompt) + cursor));
    assert_string_equal(line_edit_text(&s->ed), text);
}

/* A finished line stays on screen as `shown` and the cursor starts the row
 * after it. When the line ends exactly at a row's end, that is the next row
 * if the line's last character was just written (wrap pending), but one row
 * further if the cursor was last moved back onto that boundary: cursor_left,
 * like the VGA writer's, lands on column 0 of the following row. */
static void expect_finished(const struct session *s, const char *shown)
{
    long end = expect_cells(s, shown), cols = s->term.cols;
    long next_row = (end + cols - 1) / cols * cols, position = term_position(&s->term);
    assert_int_equal(s->term.col, 0);
    if (end % cols == 0 && position == next_row + cols)
        return;
    assert_int_equal(position, next_row);
}

/* The visible text of one screen row, trailing blanks dropped. */
static const char *row_text(const struct term *t, unsigned row)
{
    static char text[MAX_COLS + 1];
    memcpy(text, t->cells + row * t->cols, t->cols);
    size_t n = t->cols;
    while (n > 0 && text[n - 1] == ' ')
        n--;
    text[n] = '\0';
    return text;
}

/* ------------------------------------------------------------ editing table */

struct edit_case {
    const char *keys;
    const char *line; /* what the screen shows after the prompt */
    size_t cursor;
    unsigned bells;
};

static void run_edit_cases(const struct edit_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        struct session *s = start(MAX_COLS, MAX_ROWS);
        begin(s, PROMPT);
        assert_int_equal(type(s, cases[i].keys), LINE_EDIT_CONTINUE);
        if (strcmp(line_edit_text(&s->ed), cases[i].line) != 0 || s->ed.cursor != cases[i].cursor ||
            s->term.bells != cases[i].bells)
            fail_msg("case %zu: line \"%s\" cursor %zu bells %u, expected \"%s\" %zu %u", i,
                     line_edit_text(&s->ed), s->ed.cursor, s->term.bells, cases[i].line,
                     cases[i].cursor, cases[i].bells);
        expect_line(s, cases[i].line, cases[i].cursor);
    }
}

#define RUN_EDITS(cases) run_edit_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_prompt_and_typing(void **state)
{
    struct session *s = *state;
    expect_line(s, "", 0);
    assert_string_equal(s->term.log, "> ");
    assert_int_equal(type(s, "Hello, World!"), LINE_EDIT_CONTINUE);
    expect_line(s, "Hello, World!", 13);
    assert_string_equal(row_text(&s->term, 0), "> Hello, World!");
}

static void test_insert_and_move(void **state)
{
    (void)state;
    static const struct edit_case cases[] = {
        {"hello" K_LEFT K_LEFT "XY", "helXYlo", 5, 0},
        {"abc" K_HOME "X", "Xabc", 1, 0},
        {"abc" K_HOME K_RIGHT K_RIGHT "X", "abXc", 3, 0},
        {"abc" K_HOME "X" K_END "Y", "XabcY", 5, 0},
        {"abc" K_CTRL_A "X" K_CTRL_E "Y", "XabcY", 5, 0},
        {"abc" K_KP_HOME "X", "Xabc", 1, 0},
        {"ab" K_LEFT K_LEFT K_LEFT, "ab", 0, 1},    /* Left at the start */
        {"ab" K_RIGHT, "ab", 2, 1},                 /* Right at the end */
        {K_LEFT K_RIGHT, "", 0, 2},                 /* both, on an empty line */
        {K_HOME K_END K_CTRL_A K_CTRL_E, "", 0, 0}, /* Home/End never ring */
        {"a" K_LEFT K_RIGHT "b", "ab", 2, 0},
        {"a\tb", "a b", 3, 0}, /* Tab types a space */
        {"Shift" K_SHIFT "ed", "Shifted", 7, 0},
        {"a" K_ALT_X, "ax", 2, 0},
        {"abc"
         "\x01"
         "X"
         "\x05"
         "Y",
         "XabcY", 5, 0}, /* Ctrl+A/E as bare characters */
    };
    RUN_EDITS(cases);
}

static void test_deleting(void **state)
{
    (void)state;
    static const struct edit_case cases[] = {
        {"hello\b", "hell", 4, 0},
        {"hello" K_LEFT K_LEFT "\b", "helo", 2, 0},
        {"hello" K_RUBOUT, "hell", 4, 0},
        {"hello"
         "\x7f",
         "hell", 4, 0},
        {"hello" K_BACKSPACE_KEY, "hell", 4, 0},
        {"ab" K_HOME "\b", "ab", 0, 1}, /* Backspace at the start */
        {"\b", "", 0, 1},
        {"ab\b\b\b", "", 0, 1},
        {"hello" K_HOME K_DELETE, "ello", 0, 0},
        {"hello" K_DELETE, "hello", 5, 1}, /* Delete at the end */
        {"hello" K_LEFT K_LEFT K_LEFT K_DELETE, "helo", 2, 0},
        {"hello" K_LEFT K_DELETE, "hell", 4, 0},
        {"ab" K_HOME K_DELETE K_DELETE K_DELETE, "", 0, 1},
        {K_DELETE, "", 0, 1},
    };
    RUN_EDITS(cases);
}

/* Releases, function keys and control characters without a meaning draw
 * nothing at all and change nothing. */
static void test_ignored_keys(void **state)
{
    struct session *s = *state;
    type(s, "ab" K_LEFT);
    size_t ops = s->term.ops;
    assert_int_equal(type(s,
                          K_RELEASE_A K_F1 K_ESCAPE K_CTRL_X K_PAGE_UP K_INSERT K_SHIFT K_RELEASE_NL
                          "\x02\x1f"),
                     LINE_EDIT_CONTINUE);
    assert_int_equal(s->term.ops, ops);
    assert_int_equal(s->term.bells, 0);
    expect_line(s, "ab", 1);
}

/* Each edit prints only from where the line changed. */
static void test_minimal_redraw(void **state)
{
    static const struct {
        const char *setup, *keys, *log;
    } cases[] = {
        {"hello", "X", "X"},
        {"hello" K_LEFT K_LEFT, "X", "Xlo<2"},
        {"hello", "\b", "<1 <1"},
        {"hello" K_LEFT K_LEFT, "\b", "<1lo <3"},
        {"hello" K_LEFT K_LEFT K_LEFT, K_DELETE, "lo <3"},
        {"hello", K_LEFT, "<1"},
        {"hello" K_HOME, K_RIGHT, "h"},
        {"hello" K_HOME, K_END, "hello"},
        {"hello", K_HOME, "<5"},
        {"hello", K_DELETE, "!"},
        {"hello" K_HOME, "\b", "!"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct session *s = start(MAX_COLS, MAX_ROWS);
        begin(s, PROMPT);
        type(s, cases[i].setup);
        s->term.log_length = 0;
        s->term.log[0] = '\0';
        type(s, cases[i].keys);
        assert_string_equal(s->term.log, cases[i].log);
    }
}

/* A full line refuses more characters: bell, nothing drawn, nothing changed,
 * wherever the cursor is. */
static void test_overflow_refused(void **state)
{
    struct session *s = *state;
    char full[LINE_EDIT_MAX + 1];
    memset(full, 'a', LINE_EDIT_MAX);
    full[LINE_EDIT_MAX] = '\0';
    type(s, full);
    expect_line(s, full, LINE_EDIT_MAX);
    assert_int_equal(s->term.bells, 0);

    size_t ops = s->term.ops;
    type(s, "b");
    assert_int_equal(s->term.bells, 1);
    assert_int_equal(s->term.ops, ops);
    expect_line(s, full, LINE_EDIT_MAX);

    type(s, K_HOME "c\t");
    assert_int_equal(s->term.bells, 3);
    expect_line(s, full, 0);

    full[0] = 'd';
    type(s, K_DELETE "d");
    expect_line(s, full, 1);
    assert_int_equal(s->term.bells, 3);
}

/* A 200-character line spans three 80-column rows; editing at its start
 * redraws across them and cursor_left crosses rows back. */
static void test_long_line_across_rows(void **state)
{
    struct session *s = *state;
    char line[LINE_EDIT_MAX + 1], expected[LINE_EDIT_MAX + 1];
    for (size_t i = 0; i < LINE_EDIT_MAX - 1; i++)
        line[i] = (char)('a' + i % 26);
    line[LINE_EDIT_MAX - 1] = '\0';
    type(s, line);
    type(s, K_HOME "#");
    expected[0] = '#';
    memcpy(expected + 1, line, sizeof(line) - 1);
    expected[LINE_EDIT_MAX] = '\0';
    expect_line(s, expected, 1);
    assert_int_equal(s->term.row, 0);
    type(s, K_END "\b\b");
    expected[LINE_EDIT_MAX - 2] = '\0';
    expect_line(s, expected, LINE_EDIT_MAX - 2);
    assert_int_equal(s->term.row, 2);
    assert_int_equal(s->term.col, 2 + LINE_EDIT_MAX - 2 - 2 * 80);
}

/* In a narrow terminal the line wraps every few characters; Enter from the
 * middle of the first row must not draw over the rows below. */
static void test_enter_from_middle_of_wrapped_line(void **state)
{
    (void)state;
    struct session *s = start(10, 8);
    begin(s, PROMPT);
    assert_int_equal(type(s, "0123456789abcdefghij" K_HOME K_RIGHT "\n"), LINE_EDIT_DONE);
    assert_string_equal(line_edit_text(&s->ed), "0123456789abcdefghij");
    assert_string_equal(row_text(&s->term, 0), "> 01234567");
    assert_string_equal(row_text(&s->term, 1), "89abcdefgh");
    assert_string_equal(row_text(&s->term, 2), "ij");
    assert_int_equal(s->term.row, 3);
    assert_int_equal(s->term.col, 0);

    begin(s, PROMPT);
    type(s, "x");
    assert_string_equal(row_text(&s->term, 3), "> x");
}

/* ------------------------------------------------------------ Enter, Ctrl+C, Ctrl+L */

static void test_enter(void **state)
{
    struct session *s = *state;
    assert_int_equal(type(s, "ls -l"), LINE_EDIT_CONTINUE);
    assert_int_equal(type(s, "\n"), LINE_EDIT_DONE);
    assert_string_equal(line_edit_text(&s->ed), "ls -l");
    assert_string_equal(row_text(&s->term, 0), "> ls -l");
    assert_int_equal(s->term.row, 1);
    assert_int_equal(s->term.col, 0);

    begin(s, PROMPT);
    assert_int_equal(type(s, "ab" K_LEFT K_KP_ENTER), LINE_EDIT_DONE);
    assert_string_equal(line_edit_text(&s->ed), "ab");
    assert_string_equal(row_text(&s->term, 1), "> ab");
    assert_int_equal(s->term.row, 2);

    begin(s, PROMPT);
    assert_int_equal(type(s, "\n"), LINE_EDIT_DONE);
    assert_string_equal(line_edit_text(&s->ed), "");
    assert_int_equal(s->term.row, 3);
}

static void test_ctrl_c(void **state)
{
    struct session *s = *state;
    const char *forms[] = {K_CTRL_C, K_ETX, K_CTRL_C_KEY};
    for (unsigned i = 0; i < 3; i++) {
        if (i > 0)
            begin(s, PROMPT);
        assert_int_equal(type(s, "abc" K_LEFT K_LEFT), LINE_EDIT_CONTINUE);
        assert_int_equal(type(s, forms[i]), LINE_EDIT_CANCELLED);
        assert_string_equal(row_text(&s->term, i), "> abc^C");
        assert_int_equal(s->term.row, i + 1);
        assert_int_equal(s->term.col, 0);
        assert_string_equal(line_edit_text(&s->ed), "");
    }
    assert_int_equal(line_edit_history_count(&s->ed), 0);
    begin(s, PROMPT);
    type(s, "ok");
    expect_line(s, "ok", 2);
}

static void test_ctrl_l(void **state)
{
    struct session *s = *state;
    type(s, "first\n");
    begin(s, PROMPT);
    type(s, "hello" K_LEFT K_LEFT K_CTRL_L);
    assert_int_equal(s->term.clears, 1);
    s->term.line_start = 0; /* the line now starts at the top left */
    expect_line(s, "hello", 3);
    assert_string_equal(row_text(&s->term, 0), "> hello");
    assert_string_equal(row_text(&s->term, 1), "");

    type(s, "X" K_CTRL_L_KEY);
    assert_int_equal(s->term.clears, 2);
    expect_line(s, "helXlo", 4);
}

/* ------------------------------------------------------------ history */

static void enter_lines(struct session *s, const char *const *lines, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        begin(s, PROMPT);
        assert_int_equal(type(s, lines[i]), LINE_EDIT_CONTINUE);
        assert_int_equal(type(s, "\n"), LINE_EDIT_DONE);
    }
    begin(s, PROMPT);
}

static void expect_history(const struct session *s, const char *const *newest_first, size_t count)
{
    assert_int_equal(line_edit_history_count(&s->ed), count);
    for (size_t age = 0; age < count; age++)
        assert_string_equal(line_edit_history_entry(&s->ed, age), newest_first[age]);
    assert_null(line_edit_history_entry(&s->ed, count));
}

static void test_history_up_down(void **state)
{
    struct session *s = *state;
    static const char *const lines[] = {"one", "two", "three"};
    enter_lines(s, lines, 3);
    static const char *const newest_first[] = {"three", "two", "one"};
    expect_history(s, newest_first, 3);

    type(s, K_UP);
    expect_line(s, "three", 5);
    type(s, K_UP);
    expect_line(s, "two", 3);
    type(s, K_UP);
    expect_line(s, "one", 3);
    type(s, K_UP); /* nothing older */
    expect_line(s, "one", 3);
    assert_int_equal(s->term.bells, 1);
    type(s, K_DOWN K_DOWN);
    expect_line(s, "three", 5);
    type(s, K_DOWN); /* back to the (empty) new line */
    expect_line(s, "", 0);
    type(s, K_DOWN); /* not browsing: refused */
    expect_line(s, "", 0);
    assert_int_equal(s->term.bells, 2);
}

/* Down past the newest entry restores what was being typed, as it was. */
static void test_history_restores_typed_line(void **state)
{
    struct session *s = *state;
    static const char *const lines[] = {"a much longer command", "x"};
    enter_lines(s, lines, 2);
    type(s, "draft" K_LEFT K_LEFT K_UP);
    expect_line(s, "x", 1);
    type(s, K_UP);
    expect_line(s, "a much longer command", 21);
    type(s, K_DOWN K_DOWN);
    expect_line(s, "draft", 5);
    assert_int_equal(s->term.bells, 0);

    /* Browsing again saves the new draft, not the old one. */
    type(s, "!" K_UP K_DOWN);
    expect_line(s, "draft!", 6);
}

/* A recalled line can be edited and entered; the entry itself is unchanged,
 * and edits are dropped by browsing away. */
static void test_history_edit_recalled(void **state)
{
    struct session *s = *state;
    static const char *const lines[] = {"echo one", "echo two"};
    enter_lines(s, lines, 2);
    type(s, K_UP "\b\b\bsix" K_UP K_DOWN);
    expect_line(s, "echo two", 8);
    type(s, "\b\b\bten");
    assert_int_equal(type(s, "\n"), LINE_EDIT_DONE);
    assert_string_equal(line_edit_text(&s->ed), "echo ten");
    static const char *const newest_first[] = {"echo ten", "echo two", "echo one"};
    expect_history(s, newest_first, 3);
}

static void test_history_skips_blank_and_repeated(void **state)
{
    struct session *s = *state;
    static const char *const lines[] = {"", "   ", "a", "a", "b", "a", "  x ", "  x "};
    enter_lines(s, lines, 8);
    static const char *const newest_first[] = {"  x ", "a", "b", "a"};
    expect_history(s, newest_first, 4);
    type(s, "zzz" K_CTRL_C);
    expect_history(s, newest_first, 4);
}

/* After more than LINE_HISTORY_SIZE lines the oldest are gone, and Up stops
 * at the oldest one kept. */
static void test_history_wraps(void **state)
{
    struct session *s = *state;
    char text[45][8];
    const char *lines[45];
    for (int i = 0; i < 45; i++) {
        snprintf(text[i], sizeof(text[i]), "cmd%d", i);
        lines[i] = text[i];
    }
    enter_lines(s, lines, 33);
    assert_int_equal(line_edit_history_count(&s->ed), 32);
    assert_string_equal(line_edit_history_entry(&s->ed, 0), "cmd32");
    assert_string_equal(line_edit_history_entry(&s->ed, 31), "cmd1"); /* cmd0 pushed out */
    assert_null(line_edit_history_entry(&s->ed, 32));

    enter_lines(s, lines + 33, 12);
    const char *newest_first[32];
    for (int age = 0; age < 32; age++)
        newest_first[age] = lines[44 - age];
    expect_history(s, newest_first, 32); /* cmd13 .. cmd44 */

    for (int i = 0; i < 32; i++)
        type(s, K_UP);
    expect_line(s, "cmd13", 5);
    assert_int_equal(s->term.bells, 0);
    type(s, K_UP);
    expect_line(s, "cmd13", 5);
    assert_int_equal(s->term.bells, 1);
}

/* History lines as long as the editor allows are kept whole. */
static void test_history_full_length(void **state)
{
    struct session *s = *state;
    char longest[LINE_EDIT_MAX + 1];
    memset(longest, 'q', LINE_EDIT_MAX);
    longest[LINE_EDIT_MAX] = '\0';
    const char *lines[] = {longest, "short"};
    enter_lines(s, lines, 2);
    type(s, K_UP K_UP);
    expect_line(s, longest, LINE_EDIT_MAX);
    type(s, K_DOWN);
    expect_line(s, "short", 5);
    type(s, K_DOWN);
    expect_line(s, "", 0);
}

/* ------------------------------------------------------------ random keys */

/* The documented behaviour, written as plainly as possible. */
struct model {
    char text[LINE_EDIT_MAX + 1];
    size_t length, cursor;
    char history[LINE_HISTORY_SIZE][LINE_EDIT_MAX + 1]; /* [0] newest */
    size_t history_count;
    size_t browse; /* 0 new line, k history[k - 1] */
    char saved[LINE_EDIT_MAX + 1];
    unsigned bells;
    unsigned refused_full; /* characters refused because the line was full */
    size_t deepest_browse;
};

static void model_show(struct model *m, const char *text)
{
    strcpy(m->text, text);
    m->length = m->cursor = strlen(text);
}

static void model_enter(struct model *m)
{
    bool blank = strspn(m->text, " ") == m->length;
    if (blank || (m->history_count > 0 && strcmp(m->history[0], m->text) == 0))
        return;
    memmove(m->history[1], m->history[0], sizeof(m->history[0]) * (LINE_HISTORY_SIZE - 1));
    strcpy(m->history[0], m->text);
    if (m->history_count < LINE_HISTORY_SIZE)
        m->history_count++;
}

static void model_type(struct model *m, char c)
{
    if (m->length == LINE_EDIT_MAX) {
        m->bells++;
        m->refused_full++;
        return;
    }
    memmove(m->text + m->cursor + 1, m->text + m->cursor, m->length - m->cursor + 1);
    m->text[m->cursor++] = c;
    m->length++;
}

static void model_remove(struct model *m, size_t at)
{
    memmove(m->text + at, m->text + at + 1, m->length - at);
    m->length--;
    m->cursor = at;
}

static void model_browse(struct model *m, bool older)
{
    if (older ? m->browse == m->history_count : m->browse == 0) {
        m->bells++;
        return;
    }
    if (older && m->browse == 0)
        strcpy(m->saved, m->text);
    m->browse = older ? m->browse + 1 : m->browse - 1;
    if (m->browse > m->deepest_browse)
        m->deepest_browse = m->browse;
    model_show(m, m->browse == 0 ? m->saved : m->history[m->browse - 1]);
}

static bool is_token(unsigned char c, const char *token)
{
    return c == (unsigned char)token[0];
}

/* Apply a key the model understands by its token; returns the result. */
static enum line_edit_result model_key(struct model *m, unsigned char c)
{
    if (c == '\n') {
        model_enter(m);
        return LINE_EDIT_DONE;
    }
    if (is_token(c, K_CTRL_C))
        return LINE_EDIT_CANCELLED;
    bool at_start = m->cursor == 0, at_end = m->cursor == m->length;
    if ((c == '\b' && at_start) || (is_token(c, K_DELETE) && at_end) ||
        (is_token(c, K_LEFT) && at_start) || (is_token(c, K_RIGHT) && at_end))
        m->bells++;
    else if (c == '\b')
        model_remove(m, m->cursor - 1);
    else if (is_token(c, K_DELETE))
        model_remove(m, m->cursor);
    else if (is_token(c, K_LEFT))
        m->cursor--;
    else if (is_token(c, K_RIGHT))
        m->cursor++;
    else if (is_token(c, K_HOME))
        m->cursor = 0;
    else if (is_token(c, K_END))
        m->cursor = m->length;
    else if (is_token(c, K_UP) || is_token(c, K_DOWN))
        model_browse(m, is_token(c, K_UP));
    else if (c == '\t')
        model_type(m, ' ');
    else if (c >= 0x20 && c <= 0x7E)
        model_type(m, (char)c);
    /* Ctrl+L, releases and ignored keys change nothing. */
    return LINE_EDIT_CONTINUE;
}

static uint32_t random_state = 2024;

static uint32_t next_random(void)
{
    random_state = random_state * 1103515245u + 12345u;
    return random_state >> 8;
}

/* How the random typist behaves for a while. */
enum typing_mode {
    TYPING_NORMAL,   /* lines of a few dozen characters, every key now and then */
    TYPING_FILLING,  /* long runs of characters: lines reach LINE_EDIT_MAX */
    TYPING_BROWSING, /* mostly Up: walks to the far end of the history */
    TYPING_MODES
};

/* Mostly typing from a small alphabet (so that repeats and blank lines
 * reach the history), with every editing key, Enter and Ctrl+C now and
 * then. */
static unsigned char random_key(enum typing_mode mode)
{
    static const char keys[] = "\b\t" K_LEFT K_RIGHT K_HOME K_END K_UP K_DOWN K_DELETE K_CTRL_L
        K_RELEASE_A K_F1 K_ESCAPE K_SHIFT K_CTRL_X;
    uint32_t r = next_random() % 1000;
    if (mode == TYPING_BROWSING && r < 700)
        return (unsigned char)(r < 600 ? K_UP[0] : K_DOWN[0]);
    if (r < (mode == TYPING_FILLING ? 2u : 15u))
        return '\n';
    if (r < (mode == TYPING_FILLING ? 3u : 18u))
        return (unsigned char)K_CTRL_C[0];
    if (r < (mode == TYPING_FILLING ? 950u : 550u))
        return (unsigned char)"ab  c"[next_random() % 5];
    if (r < (mode == TYPING_FILLING ? 960u : 600u))
        return (unsigned char)(0x20 + next_random() % 95);
    return (unsigned char)keys[next_random() % (sizeof(keys) - 1)];
}

static void check_invariants(const struct session *s)
{
    const struct line_editor *ed = &s->ed;
    assert_true(ed->length <= LINE_EDIT_MAX);
    assert_true(ed->cursor <= ed->length);
    assert_int_equal(ed->buffer[ed->length], '\0');
    assert_int_equal(strlen(ed->buffer), ed->length);
    assert_true(line_edit_history_count(ed) <= LINE_HISTORY_SIZE);
}

static void compare_with_model(const struct session *s, const struct model *m)
{
    expect_line(s, m->text, m->cursor);
    assert_int_equal(s->ed.cursor, m->cursor);
    assert_int_equal(s->term.bells, m->bells);
    assert_int_equal(line_edit_history_count(&s->ed), m->history_count);
    for (size_t age = 0; age < m->history_count; age++)
        assert_string_equal(line_edit_history_entry(&s->ed, age), m->history[age]);
}

/* Random keys against the model; the run must have reached the corners
 * (a full line, a full history browsed to its end) to count. */
static void run_random(unsigned cols, unsigned rows, unsigned keys)
{
    struct session *s = start(cols, rows);
    static struct model m;
    memset(&m, 0, sizeof(m));
    enum typing_mode mode = TYPING_NORMAL;
    unsigned finished[3] = {0};
    begin(s, PROMPT);
    for (unsigned i = 0; i < keys; i++) {
        if (next_random() % 300 == 0)
            mode = (enum typing_mode)(next_random() % TYPING_MODES);
        unsigned char c = random_key(mode);
        struct key_event ev = key_for(c);
        enum line_edit_result result = line_edit_key(&s->ed, &ev, &s->out);
        assert_int_equal(result, model_key(&m, c));
        check_invariants(s);
        if (result == LINE_EDIT_CONTINUE) {
            if (is_token(c, K_CTRL_L))
                s->term.line_start = 0;
            compare_with_model(s, &m);
            continue;
        }
        finished[result]++;
        char shown[LINE_EDIT_MAX + sizeof("^C")];
        snprintf(shown, sizeof(shown), "%s%s", m.text, result == LINE_EDIT_DONE ? "" : "^C");
        expect_finished(s, shown);
        assert_string_equal(line_edit_text(&s->ed), result == LINE_EDIT_DONE ? m.text : "");
        begin(s, PROMPT);
        model_show(&m, "");
        m.browse = 0;
        compare_with_model(s, &m);
    }
    printf("  %ux%u, %u keys: %u lines entered, %u cancelled, %u characters refused at "
           "full length, history browsed %zu deep\n",
           cols, rows, keys, finished[LINE_EDIT_DONE], finished[LINE_EDIT_CANCELLED],
           m.refused_full, m.deepest_browse);
    assert_true(m.refused_full > 0);
    assert_int_equal(m.history_count, LINE_HISTORY_SIZE);
    assert_int_equal(m.deepest_browse, LINE_HISTORY_SIZE);
}

static void test_random_keys(void **state)
{
    (void)state;
    run_random(80, 25, 100000);
    run_random(13, 20, 100000); /* narrow: every line wraps, the screen scrolls */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_prompt_and_typing, setup),
        cmocka_unit_test(test_insert_and_move),
        cmocka_unit_test(test_deleting),
        cmocka_unit_test_setup(test_ignored_keys, setup),
        cmocka_unit_test(test_minimal_redraw),
        cmocka_unit_test_setup(test_overflow_refused, setup),
        cmocka_unit_test_setup(test_long_line_across_rows, setup),
        cmocka_unit_test(test_enter_from_middle_of_wrapped_line),
        cmocka_unit_test_setup(test_enter, setup),
        cmocka_unit_test_setup(test_ctrl_c, setup),
        cmocka_unit_test_setup(test_ctrl_l, setup),
        cmocka_unit_test_setup(test_history_up_down, setup),
        cmocka_unit_test_setup(test_history_restores_typed_line, setup),
        cmocka_unit_test_setup(test_history_edit_recalled, setup),
        cmocka_unit_test_setup(test_history_skips_blank_and_repeated, setup),
        cmocka_unit_test_setup(test_history_wraps, setup),
        cmocka_unit_test_setup(test_history_full_length, setup),
        cmocka_unit_test(test_random_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
