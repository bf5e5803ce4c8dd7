/*
 * string.h - the kernel's freestanding string and memory functions.
 *
 * The compiler emits calls to memcpy, memmove, memset and memcmp even in a
 * freestanding build (structure copies, large initialisers), so the kernel
 * must define them under exactly these names. Host tests compile lib/string.c
 * with the names prefixed (keel_memcpy, ...) to compare against libc.
 */
#ifndef KEEL_LIB_STRING_H
#define KEEL_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copy src into dest (size bytes), always NUL-terminated when size > 0;
 * returns strlen(src) so truncation can be detected (BSD strlcpy). */
size_t strlcpy(char *restrict dest, const char *restrict src, size_t size);

#endif
