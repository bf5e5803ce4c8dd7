/*
 * ttt_keys.h - the keys in the bytes a raw-mode read() returns.
 *
 * In raw mode (KEEL_CONSOLE_RAW, include/keel/syscall.h) the console sends
 * keys as a terminal does: characters as themselves, Enter as '\r', Escape
 * as a lone 0x1B, the arrows as ESC [ A .. D (or ESC O A .. D, a terminal's
 * application mode). The kernel queues each key's bytes whole, so an
 * escape sequence never straddles two reads: an ESC that ends the bytes
 * read is the Escape key. Other sequences (Home, Delete: ESC [ 1 ~, ...)
 * are skipped whole.
 */
#ifndef KEEL_USER_PROGRAMS_TTT_KEYS_H
#define KEEL_USER_PROGRAMS_TTT_KEYS_H

#include <stddef.h>

#define KEYS_ESCAPE 0x1B

enum key_kind { KEY_CHAR, KEY_ENTER, KEY_ESCAPE, KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT };

struct key {
    enum key_kind kind;
    char ch; /* KEY_CHAR: the character */
};

/* The keys in bytes[0..n), at most max of them, into keys; how many. */
size_t keys_decode(const char *bytes, size_t n, struct key *keys, size_t max);

#endif
