/*
 * fuzz_line_edit.c - libFuzzer target for the line editor (kernel/shell/line_edit.c)
 * and the argument splitter (kernel/shell/args.c).
 *
 * Build and run (clang only; libFuzzer supplies main):
 *   make build/fuzz/fuzz_line_edit
 *   build/fuzz/fuzz_line_edit -max_total_time=60
 *
 * The first input byte is max_args for every split. The whole input, cut at
 * its first NUL, is split as a command line. Then each byte becomes a key
 * event (below 0x80: that character, with the key a terminal would report;
 * from 0x80: a key from a table, pressed or released, with modifiers from
 * the byte's bits), and every finished line is split too.
 *
 * After every key the target traps unless: the fake screen (one long row of
 * cells) shows exactly the prompt and the line with nothing after it, the
 * cursor sits on prompt length + cursor, length <= LINE_EDIT_MAX, cursor <=
 * length, the line is NUL-terminated at its length and holds only printable
 * characters, and the history holds at most LINE_HISTORY_SIZE non-blank
 * entries with no two neighbours equal. Every split is compared with a
 * second, simpler splitter written here from args.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/shell/args.h>
#include <kernel/shell/line_edit.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define PROMPT     "keel> "
#define CELLS      1024 /* the prompt, a full line and "^C\n" fit with room to spare */
#define LINE_BYTES 4096 /* longest input split as one line */
#define MAX_ARGS   40

/* ------------------------------------------------------------ fake screen */

struct screen {
    char cells[CELLS];
    size_t cursor;
    size_t used;     /* cells ever written since the last clear */
    bool line_ended; /* a '\n' was printed: the line is finished */
};

static void screen_clear(struct screen *s)
{
    memset(s->cells, ' ', sizeof(s->cells));
    s->cursor = s->used = 0;
    s->line_ended = false;
}

static void fake_write(void *ctx, const char *text, size_t n)
{
    struct screen *s = ctx;
    for (size_t i = 0; i < n; i++) {
        CHECK(!s->line_ended);
        if (text[i] == '\n') {
            s->line_ended = true;
            continue;
        }
        CHECK(text[i] >= 0x20 && text[i] <= 0x7E);
        CHECK(s->cursor < CELLS);
        s->cells[s->cursor++] = text[i];
        if (s->cursor > s->used)
            s->used = s->cursor;
    }
}

static void fake_cursor_left(void *ctx, size_t n)
{
    struct screen *s = ctx;
    CHECK(n <= s->cursor);
    s->cursor -= n;
}

static void fake_bell(void *ctx)
{
    (void)ctx;
}

static void fake_clear_screen(void *ctx)
{
    screen_clear(ctx);
}

/* ------------------------------------------------------------ keys */

static const struct key_event special_keys[] = {
    {KEY_LEFT, true, 0, 0},     {KEY_RIGHT, true, 0, 0},     {KEY_HOME, true, 0, 0},
    {KEY_END, true, 0, 0},      {KEY_UP, true, 0, 0},        {KEY_DOWN, true, 0, 0},
    {KEY_DELETE, true, 0, 0},   {KEY_BACKSPACE, true, 0, 0}, {KEY_C, true, 0, 0},
    {KEY_L, true, 0, 0},        {KEY_A, true, 0, 0},         {KEY_E, true, 0, 0},
    {KEY_ENTER, true, 0, 0},    {KEY_F1, true, 0, 0},        {KEY_INSERT, true, 0, 0},
    {KEY_KP_ENTER, true, 0, 0},
};

#define SPECIAL_COUNT (sizeof(special_keys) / sizeof(special_keys[0]))
#define SPECIAL_BIT   0x80
#define RELEASE_BIT   0x40
#define CTRL_BIT      0x20
#define ALT_BIT       0x10

static struct key_event key_from_byte(uint8_t byte)
{
    if (!(byte & SPECIAL_BIT)) {
        enum keycode key = KEY_NONE;
        if (byte >= 'a' && byte <= 'z')
            key = (enum keycode)(KEY_A + (byte - 'a'));
        return (struct key_event){key, true, 0, (char)byte};
    }
    struct key_event ev = special_keys[(byte & 0x0F) % SPECIAL_COUNT];
    ev.pressed = !(byte & RELEASE_BIT);
    ev.modifiers = (uint8_t)(((byte & CTRL_BIT) ? MOD_CTRL : 0) | ((byte & ALT_BIT) ? MOD_ALT : 0));
    return ev;
}

/* ------------------------------------------------------------ checks */

static void check_editor(const struct line_editor *ed, const struct screen *s)
{
    size_t prompt_length = sizeof(PROMPT) - 1;
    const char *text = line_edit_text(ed);

    CHECK(ed->length <= LINE_EDIT_MAX);
    CHECK(ed->cursor <= ed->length);
    CHECK(text[ed->length] == '\0');
    CHECK(strlen(text) == ed->length);
    for (size_t i = 0; i < ed->length; i++)
        CHECK(text[i] >= 0x20 && text[i] <= 0x7E);

    CHECK(memcmp(s->cells, PROMPT, prompt_length) == 0);
    CHECK(memcmp(s->cells + prompt_length, text, ed->length) == 0);
    for (size_t i = prompt_length + ed->length; i < s->used; i++)
        CHECK(s->cells[i] == ' ');
    CHECK(s->cursor == prompt_length + ed->cursor);
}

static void check_history(const struct line_editor *ed)
{
    size_t count = line_edit_history_count(ed);
    CHECK(count <= LINE_HISTORY_SIZE);
    CHECK(line_edit_history_entry(ed, count) == NULL);
    for (size_t age = 0; age < count; age++) {
        const char *entry = line_edit_history_entry(ed, age);
        CHECK(entry != NULL);
        CHECK(strlen(entry) <= LINE_EDIT_MAX);
        CHECK(strspn(entry, " ") < strlen(entry)); /* not blank */
        if (age > 0)
            CHECK(strcmp(entry, line_edit_history_entry(ed, age - 1)) != 0);
    }
}

/* A finished line is still on the screen as the prompt and `shown`. */
static void check_finished(const struct screen *s, const char *shown)
{
    size_t prompt_length = sizeof(PROMPT) - 1, length = strlen(shown);
    CHECK(s->line_ended);
    CHECK(memcmp(s->cells, PROMPT, prompt_length) == 0);
    CHECK(memcmp(s->cells + prompt_length, shown, length) == 0);
    for (size_t i = prompt_length + length; i < s->used; i++)
        CHECK(s->cells[i] == ' ');
}

/* The splitter as args.h states it, into separate storage: returns argc or
 * -1 (too_many tells which error). */
static int reference_split(const char *line, char words[][LINE_BYTES], int max_args, bool *too_many)
{
    int argc = 0;
    size_t i = 0;
    for (;;) {
        while (line[i] == ' ' || line[i] == '\t')
            i++;
        if (line[i] == '\0')
            return argc;
        if (argc >= max_args) {
            *too_many = true;
            return -1;
        }
        size_t n = 0;
        bool quoted = false;
        for (; line[i] != '\0' && (quoted || (line[i] != ' ' && line[i] != '\t')); i++) {
            if (line[i] == '"')
                quoted = !quoted;
            else if (quoted && line[i] == '\\' && (line[i + 1] == '"' || line[i + 1] == '\\'))
                words[argc][n++] = line[++i];
            else
                words[argc][n++] = line[i];
        }
        if (quoted) {
            *too_many = false;
            return -1;
        }
        words[argc++][n] = '\0';
    }
}

/* Split `text` (length bytes, no NUL inside) both ways and compare. */
static void check_split(const char *text, size_t length, int max_args)
{
    static char line[LINE_BYTES + 1];
    static char words[MAX_ARGS][LINE_BYTES];
    char *argv[MAX_ARGS + 1];
    const char *error = NULL;
    bool too_many = false;

    memcpy(line, text, length);
    line[length] = '\0';
    int expected = reference_split(line, words, max_args, &too_many);
    int argc = args_split(line, argv, max_args, &error);
    CHECK(argc == expected);
    if (argc < 0) {
        CHECK(error != NULL);
        CHECK(strcmp(error, too_many ? "too many arguments" : "unterminated quote") == 0);
        return;
    }
    CHECK(argv[argc] == NULL);
    for (int i = 0; i < argc; i++) {
        CHECK(argv[i] >= line && argv[i] <= line + length);
        CHECK(strcmp(argv[i], words[i]) == 0);
        if (i > 0)
            CHECK(argv[i] > argv[i - 1]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct line_editor ed;
    struct screen screen;
    const struct line_output out = {&screen, fake_write, fake_cursor_left, fake_bell,
                                    fake_clear_screen};
    if (size == 0)
        return 0;
    int max_args = data[0] % (MAX_ARGS + 1);

    size_t raw = strnlen((const char *)data, size < LINE_BYTES ? size : LINE_BYTES);
    check_split((const char *)data, raw, max_args);

    line_editor_init(&ed);
    screen_clear(&screen);
    line_edit_begin(&ed, PROMPT, &out);
    for (size_t i = 1; i < size; i++) {
        char before[LINE_EDIT_MAX + sizeof("^C")];
        strcpy(before, line_edit_text(&ed));
        struct key_event ev = key_from_byte(data[i]);
        enum line_edit_result result = line_edit_key(&ed, &ev, &out);
        check_history(&ed);
        if (result == LINE_EDIT_CONTINUE) {
            CHECK(!screen.line_ended);
            check_editor(&ed, &screen);
            continue;
        }
        if (result == LINE_EDIT_DONE) {
            CHECK(strcmp(line_edit_text(&ed), before) == 0);
            check_finished(&screen, before);
            check_split(line_edit_text(&ed), strlen(line_edit_text(&ed)), max_args);
        } else {
            CHECK(line_edit_text(&ed)[0] == '\0');
            check_finished(&screen, strcat(before, "^C"));
        }
        screen_clear(&screen);
        line_edit_begin(&ed, PROMPT, &out);
        check_editor(&ed, &screen);
    }
    return 0;
}
