/*
 * parse.c - numbers from program arguments (see parse.h).
 */
#include <user/lib/parse.h>

/* The value of digit c in base (10 or 16), or -1. */
static int digit_value(char c, unsigned base)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (base == 16 && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool parse_u64(const char *text, uint64_t max, uint64_t *value)
{
    unsigned base = 10;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
    }
    if (*text == '\0')
        return false;
    uint64_t result = 0;
    for (; *text; text++) {
        int digit = digit_value(*text, base);
        if (digit < 0 || (uint64_t)digit > max || result > (max - (uint64_t)digit) / base)
            return false;
        result = result * base + (uint64_t)digit;
    }
    *value = result;
    return true;
}
