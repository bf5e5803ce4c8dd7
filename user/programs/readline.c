/*
 * readline.c - one line from the console, in line mode, read in small
 * pieces and given back whole.
 *
 *   readline [prompt]
 *
 * Prints the prompt (default "line? "), reads fd 0 in reads of at most
 * PIECE bytes until the '\n' the kernel's line editor ends every line
 * with, then prints `read N bytes in K reads: "TEXT"`. What is typed is
 * edited and echoed by the kernel (Backspace, arrows, history), not here.
 */
#include <lib/errno.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

#define LINE_MAX 256
#define PIECE    7 /* small, so a line takes several reads */

int main(int argc, char **argv)
{
    if (argc > 2) {
        dprintf(KEEL_STDERR, "usage: readline [prompt]\n");
        return 2;
    }
    static char line[LINE_MAX + 1];
    size_t length = 0;
    unsigned reads = 0;
    printf("%s", argc == 2 ? argv[1] : "line? ");
    while (length < LINE_MAX && (length == 0 || line[length - 1] != '\n')) {
        size_t want = LINE_MAX - length < PIECE ? LINE_MAX - length : PIECE;
        long got = read(KEEL_STDIN, line + length, want);
        if (got <= 0) {
            dprintf(KEEL_STDERR, "readline: %s\n", got < 0 ? error_name((int)got) : "end of input");
            return 1;
        }
        length += (size_t)got;
        reads++;
    }
    size_t text = length > 0 && line[length - 1] == '\n' ? length - 1 : length;
    line[text] = '\0';
    printf("read %zu bytes in %u reads: \"%s\"\n", length, reads, line);
    return 0;
}
