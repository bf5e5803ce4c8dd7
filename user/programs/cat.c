/*
 * cat.c - each file's contents to the console, one after the other.
 *
 *   cat <file>...
 *
 * A file that cannot be opened or read gets one line on stderr,
 * `cat: NAME: <error>`, and cat goes on with the next; the exit status is
 * then 1.
 */
#include <lib/errno.h>
#include <user/lib/outbuf.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

#define CHUNK 4096

static char chunk[CHUNK];

/* Copy one file to stdout; 0, or a message already printed and 1. */
static int cat_file(const char *name)
{
    int fd = open(name);
    if (fd < 0) {
        dprintf(KEEL_STDERR, "cat: %s: %s\n", name, error_name(fd));
        return 1;
    }
    long got;
    while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
        long error = outbuf_write_all(write, KEEL_STDOUT, chunk, (size_t)got, NULL);
        if (error < 0) {
            dprintf(KEEL_STDERR, "cat: writing %s: %s\n", name, error_name((int)error));
            close(fd);
            return 1;
        }
    }
    close(fd);
    if (got < 0) {
        dprintf(KEEL_STDERR, "cat: %s: %s\n", name, error_name((int)got));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        dprintf(KEEL_STDERR, "usage: %s <file>...\n", argv[0]);
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= cat_file(argv[i]);
    return status;
}
