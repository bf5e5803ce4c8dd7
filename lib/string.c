/*
 * string.c - the kernel's memory and string functions (see string.h).
 *
 * Plain byte loops: easy to check, and fast enough for a kernel that copies
 * kilobytes, not gigabytes. Comparisons treat bytes as unsigned char, as
 * C11 7.24.4 requires, so "\x80" sorts after "a" whatever char's signedness.
 *
 * Trap: an optimiser that spots a byte-copy or byte-fill loop may replace it
 * with a call to memcpy or memset, which inside memcpy itself is endless
 * recursion. The kernel build passes -ffreestanding and, for gcc,
 * -fno-tree-loop-distribute-patterns; clang does not rewrite loops inside
 * functions named like these. Check with `objdump -dr` after changing flags.
 */
#include <lib/string.h>

#include <stdint.h>

void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
    unsigned char *d = dest;
    const unsigned char *s = src;

    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dest;
}

/* Copies as if through a temporary buffer: when dest starts inside src, a
 * forward copy would overwrite source bytes before reading them, so copy
 * backwards. */
void *memmove(void *dest, const void *src, size_t n)
{
    unsigned char *d = dest;
    const unsigned char *s = src;

    /* Compare addresses as integers: relational operators on pointers into
     * different objects are undefined. The unsigned difference is < n
     * exactly when dest lies in [src, src + n). */
    if ((uintptr_t)d - (uintptr_t)s >= n) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        for (size_t i = n; i > 0; i--)
            d[i - 1] = s[i - 1];
    }
    return dest;
}

void *memset(void *dest, int c, size_t n)
{
    unsigned char *d = dest;

    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)c;
    return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] - y[i];
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

/* Reads at most max bytes, so s need not be terminated within them. */
size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n] != '\0')
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    while (*x != '\0' && *x == *y) {
        x++;
        y++;
    }
    return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i] || x[i] == '\0')
            return x[i] - y[i];
    }
    return 0;
}

/* First occurrence of (char)c in s; searching for '\0' finds the
 * terminator (C11 7.24.5.2). */
char *strchr(const char *s, int c)
{
    char wanted = (char)c;

    for (;; s++) {
        if (*s == wanted)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}

size_t strlcpy(char *restrict dest, const char *restrict src, size_t size)
{
    size_t len = strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dest, src, n);
        dest[n] = '\0';
    }
    return len;
}
