/*
 * hello.c - the first program: says hello with its pid and shows the
 * arguments it was started with, one per line, as crt0 handed them to main.
 *
 *   hello [args]
 */
#include <user/lib/stdio.h>
#include <user/lib/sys.h>

int main(int argc, char **argv)
{
    printf("Hello from user space: pid %d, %d argument%s\n", getpid(), argc, argc == 1 ? "" : "s");
    for (int i = 0; i < argc; i++)
        printf("  argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}
