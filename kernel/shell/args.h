/*
 * args.h - splitting a command line into arguments, in place.
 *
 * Rules (a small subset of the POSIX shell's):
 *  - arguments are separated by runs of spaces and tabs; leading and
 *    trailing blanks are ignored;
 *  - double quotes group text, blanks included, and are removed: "a b" is
 *    one argument a b, x"y z"w is xy zw, "" is an empty argument;
 *  - inside quotes, \" is a literal quote and \\ a backslash; any other
 *    backslash is an ordinary character (so "\n" is backslash, n);
 *  - outside quotes a backslash is an ordinary character.
 * The line is rewritten in place (quotes and escapes removed, each argument
 * NUL-terminated) and argv points into it; nothing is allocated.
 */
#ifndef KEEL_KERNEL_SHELL_ARGS_H
#define KEEL_KERNEL_SHELL_ARGS_H

/* Split line into at most max_args arguments. argv must have room for
 * max_args + 1 pointers, like main's: on success argv[argc] = NULL, so argv
 * is always NULL-terminated. Returns argc (0 for a blank line), or -1 on the
 * first error from the left, with *error (if error is not NULL) set to
 * "unterminated quote" or "too many arguments"; the line and argv then hold
 * partial results. A negative max_args counts as 0. Reads nothing past the
 * line's NUL. */
int args_split(char *line, char *argv[], int max_args, const char **error);

#endif
