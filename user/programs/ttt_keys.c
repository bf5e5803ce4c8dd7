/*
 * ttt_keys.c - raw console bytes to keys (see ttt_keys.h).
 */
#include <stdbool.h>
#include <user/programs/ttt_keys.h>

/* ECMA-48 5.4: a control sequence's parameter and intermediate bytes lie in
 * 0x20-0x3F, its final byte in 0x40-0x7E. */
#define CSI_FINAL_MIN 0x40
#define CSI_FINAL_MAX 0x7E

/* The arrow a final byte names (A up, B down, C right, D left), or -1. */
static int arrow(char final)
{
    if (final >= 'A' && final <= 'D')
        return KEY_UP + (final - 'A');
    return -1;
}

/* The escape sequence at bytes[0] (an ESC): its length, with *key set and
 * *has_key whether it is a key we know. */
static size_t decode_escape(const char *bytes, size_t n, struct key *key, bool *has_key)
{
    *has_key = true;
    key->kind = KEY_ESCAPE;
    if (n == 1 || (bytes[1] != '[' && bytes[1] != 'O'))
        return 1; /* the Escape key itself */
    size_t i = 2;
    while (i < n && !(bytes[i] >= CSI_FINAL_MIN && bytes[i] <= CSI_FINAL_MAX))
        i++;
    if (i == n) {
        *has_key = false; /* cut short: drop it */
        return n;
    }
    int kind = i == 2 ? arrow(bytes[i]) : -1;
    *has_key = kind >= 0;
    if (kind >= 0)
        key->kind = (enum key_kind)kind;
    return i + 1;
}

size_t keys_decode(const char *bytes, size_t n, struct key *keys, size_t max)
{
    size_t count = 0, i = 0;
    while (i < n && count < max) {
        struct key key = {KEY_CHAR, bytes[i]};
        bool has_key = true;
        if (bytes[i] == KEYS_ESCAPE)
            i += decode_escape(bytes + i, n - i, &key, &has_key);
        else {
            if (bytes[i] == '\r' || bytes[i] == '\n')
                key.kind = KEY_ENTER;
            i++;
        }
        if (has_key)
            keys[count++] = key;
    }
    return count;
}
