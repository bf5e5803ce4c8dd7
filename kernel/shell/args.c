/*
 * args.c - command line splitting (see args.h for the quoting rules).
 *
 * One pass with two pointers into the line: `in` reads, `out` writes the
 * argument with quotes and escapes removed. Removing only ever shortens
 * text, so out never passes in and each character is read before it can be
 * overwritten. An argument ends at a blank or the NUL; the NUL written at
 * `out` may land on that blank, which has been read by then.
 */
#include <kernel/shell/args.h>
#include <stdbool.h>
#include <stddef.h>

#define QUOTE     '"'
#define BACKSLASH '\\'

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int fail(const char **error, const char *message)
{
    if (error)
        *error = message;
    return -1;
}

/* Copy a quoted section starting after its opening quote; *in is left after
 * the closing quote. False when the line ends first. */
static bool copy_quoted(const char **in, char **out)
{
    const char *r = *in;
    char *w = *out;

    while (*r != QUOTE) {
        if (*r == '\0')
            return false;
        if (*r == BACKSLASH && (r[1] == QUOTE || r[1] == BACKSLASH))
            r++; /* the escaped character follows; r[1] was not the NUL */
        *w++ = *r++;
    }
    *in = r + 1;
    *out = w;
    return true;
}

/* Copy one argument from *in (not blank, not NUL) to *out, leaving *in at
 * the blank or NUL that ends it and *out after the copied text. */
static bool copy_argument(const char **in, char **out)
{
    const char *r = *in;
    char *w = *out;

    while (*r != '\0' && !is_blank(*r)) {
        if (*r == QUOTE) {
            r++;
            if (!copy_quoted(&r, &w))
                return false;
        } else {
            *w++ = *r++;
        }
    }
    *in = r;
    *out = w;
    return true;
}

int args_split(char *line, char *argv[], int max_args, const char **error)
{
    const char *in = line;
    int argc = 0;

    for (;;) {
        while (is_blank(*in))
            in++;
        if (*in == '\0')
            break;
        if (argc >= max_args)
            return fail(error, "too many arguments");
        char *out = line + (in - line);
        argv[argc++] = out;
        if (!copy_argument(&in, &out))
            return fail(error, "unterminated quote");
        bool last = *in == '\0';
        *out = '\0'; /* may overwrite the blank at `in`, already read */
        if (last)
            break;
        in++;
    }
    argv[argc] = NULL;
    return argc;
}
