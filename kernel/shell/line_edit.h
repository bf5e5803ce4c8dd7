/*
 * line_edit.h - one line of text edited with the keyboard, plus a history of
 * the lines entered before it.
 *
 * The editor is pure: it takes key events (drivers/key_event.h, from the PS/2 decoder
 * or the serial terminal decoder alike) and draws through a struct
 * line_output, so it knows nothing of VGA or serial and runs in host tests.
 * It draws with four primitives only: print at the cursor, move the cursor
 * back, bell, clear the screen. Erasing a tail is spaces then moving back.
 *
 * What the screen shows: after line_edit_begin and after every key until
 * Enter or Ctrl+C, the prompt followed by the line, with the cursor at
 * prompt length + cursor. Each edit redraws only from the edit position on.
 *
 * Keys (releases are ignored):
 *  - printable ASCII 0x20..0x7E inserts at the cursor; Tab inserts a space,
 *    so pasted tab-separated words stay separate words;
 *  - Backspace deletes before the cursor, Delete at it;
 *  - Left/Right move one character, Home/End (also Ctrl+A/Ctrl+E) to the ends;
 *  - Up/Down browse the history (Up = older); Down past the newest entry
 *    brings back the line that was being typed when browsing began. A recalled
 *    line can be edited; the edits are dropped when browsing moves on;
 *  - Enter (either Enter key, '\n' or '\r') finishes the line: LINE_EDIT_DONE;
 *  - Ctrl+C discards it: "^C" at the end of the line, LINE_EDIT_CANCELLED;
 *  - Ctrl+L clears the screen and redraws prompt and line, cursor kept;
 *  - every other key, control character or Alt/Ctrl combination without a
 *    printable character is ignored without output.
 * A key that cannot act rings the bell and changes nothing: a character when
 * the line is full, Backspace or Left at the start, Delete or Right at the
 * end, Up at the oldest entry, Down when not browsing.
 *
 * History: the last LINE_HISTORY_SIZE lines entered, in a ring (the newest
 * overwrites the oldest). Enter adds the line unless it is empty, only
 * spaces, or the same as the newest entry.
 */
#ifndef KEEL_KERNEL_SHELL_LINE_EDIT_H
#define KEEL_KERNEL_SHELL_LINE_EDIT_H

#include <drivers/key_event.h>
#include <stddef.h>

/* Characters in a line, not counting the terminating NUL: a full line after
 * the shell's "keel> " takes 206 cells, three rows of the 80-column screen. */
#define LINE_EDIT_MAX 200
/* Lines kept for Up/Down. */
#define LINE_HISTORY_SIZE 32

/* The terminal the editor draws on. Every operation is required. */
struct line_output {
    void *ctx;
    void (*write)(void *ctx, const char *s, size_t n); /* print at the cursor, cursor advances */
    void (*cursor_left)(void *ctx, size_t n); /* move the cursor n cells back (may cross rows) */
    void (*bell)(void *ctx);                  /* refused key: beep/flash */
    void (*clear_screen)(void *ctx);          /* clear, cursor to the top left */
};

struct line_history {
    char lines[LINE_HISTORY_SIZE][LINE_EDIT_MAX + 1];
    size_t next;  /* slot the next entry goes into; the newest is the one before */
    size_t count; /* entries held, 0 .. LINE_HISTORY_SIZE */
};

/* The fields are private to line_edit.c and read-only for everyone else; they
 * are here so the caller can allocate the struct (about 7 KiB, mostly history). */
struct line_editor {
    char buffer[LINE_EDIT_MAX + 1]; /* the line, always NUL-terminated */
    size_t length;                  /* characters in buffer, 0 .. LINE_EDIT_MAX */
    size_t cursor;                  /* insertion point, 0 .. length */
    const char *prompt;             /* printed before the line; not copied */
    size_t prompt_length;
    size_t browse;                 /* 0: editing the new line; k: showing history age k-1 */
    char saved[LINE_EDIT_MAX + 1]; /* the new line while browsing the history */
    struct line_history history;
};

enum line_edit_result {
    LINE_EDIT_CONTINUE,  /* keep feeding keys */
    LINE_EDIT_DONE,      /* Enter: the line is in line_edit_text */
    LINE_EDIT_CANCELLED, /* Ctrl+C: the line was discarded */
};

/* Set up an editor with an empty history, an empty line and no prompt. */
void line_editor_init(struct line_editor *ed);
/* Start a new line: print prompt (which must stay valid until the line is
 * finished), empty line, cursor at its start, not browsing the history. */
void line_edit_begin(struct line_editor *ed, const char *prompt, const struct line_output *out);
/* Apply one key event, drawing its effect through out. After DONE or
 * CANCELLED, call line_edit_begin before the next line. */
enum line_edit_result line_edit_key(struct line_editor *ed, const struct key_event *ev,
                                    const struct line_output *out);
/* The line as edited so far, NUL-terminated: after DONE, the entered line;
 * after CANCELLED, empty. Valid until the next key or line_edit_begin. */
const char *line_edit_text(const struct line_editor *ed);
/* Entries in the history, 0 .. LINE_HISTORY_SIZE. */
size_t line_edit_history_count(const struct line_editor *ed);
/* History entry by age (0 = newest), or NULL when age >= the count. */
const char *line_edit_history_entry(const struct line_editor *ed, size_t age);

#endif
