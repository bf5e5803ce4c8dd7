/*
 * ls.c - the ramdisk's files with their sizes, in the ramdisk's order:
 * open("/") and readdir() until it says there are no more.
 *
 *   ls
 */
#include <lib/errno.h>
#include <stdbool.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

int main(int argc, char **argv)
{
    if (argc != 1) {
        dprintf(KEEL_STDERR, "usage: %s\n", argv[0]);
        return 2;
    }
    int dir = open("/");
    if (dir < 0) {
        dprintf(KEEL_STDERR, "ls: /: %s\n", error_name(dir));
        return 1;
    }
    struct keel_dirent entry;
    unsigned long long files = 0, bytes = 0;
    int more;
    while ((more = readdir(dir, &entry)) == 1) {
        bool is_dir = entry.stat.type == KEEL_FILE_DIRECTORY;
        printf("%10llu  %s%s\n", (unsigned long long)entry.stat.size, entry.name,
               is_dir ? "/" : "");
        files++;
        bytes += entry.stat.size;
    }
    close(dir);
    if (more < 0) {
        dprintf(KEEL_STDERR, "ls: /: %s\n", error_name(more));
        return 1;
    }
    printf("%llu file%s, %llu bytes\n", files, files == 1 ? "" : "s", bytes);
    return 0;
}
