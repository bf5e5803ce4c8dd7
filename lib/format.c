/*
 * format.c - the printf engine behind kprintf, ksnprintf and the panic screen.
 *
 * format_v() walks the format string once. Each conversion is parsed into a
 * struct conv_spec, its argument is fetched at the type the length modifier
 * names, and the field is sent to the sink in this order:
 *
 *     [spaces] [sign or 0x] [zeros] [digits or text] [spaces for '-']
 *
 * Padding is streamed a character at a time, so "%5000d" needs no buffer; the
 * only buffer is one integer's digits (at most 22, for 64 bits in octal).
 * No recursion, no floating point (the kernel is built -mgeneral-regs-only).
 *
 * The output is that of C11 7.21.6.1 and, where C leaves it to the
 * implementation or undefined, that of glibc:
 *   - %p prints like %#x (so "+" and " " add a sign, as in glibc) and prints
 *     "(nil)" in full for NULL, padded with spaces;
 *   - %s of NULL prints "(null)", or nothing when the precision is below 6;
 *   - flags that mean nothing for a conversion are ignored ('#' on d, '0' on
 *     s/c, precision on c), and "%5%" prints "%".
 * Deliberate difference from glibc: a conversion we do not know (%q, %ly,
 * %n, or a format that ends inside a conversion) is printed literally, as it
 * is written in the format, so a typo shows up on screen; glibc rewrites it
 * ("%ly" -> "%y") or, for a format ending in '%', fails with -1. Such a conversion
 * consumes no argument except for any '*' it contains (%n is never
 * supported: writing through an argument pointer is a classic exploit).
 */
#include <lib/format.h>
#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

/* <limits.h> of a hosted toolchain may pull in libc headers; the compilers'
 * own predefined macros give the same values without them. */
#define INT_MAX  __INT_MAX__
#define INT_MIN  (-INT_MAX - 1)
#define CHAR_BIT __CHAR_BIT__

/* Flag characters, C11 7.21.6.1p6. Bit i stands for FLAG_CHARS[i]. */
#define FLAG_CHARS "-0+ #"
enum {
    FLAG_LEFT = 1 << 0,  /* '-': pad on the right instead of the left */
    FLAG_ZERO = 1 << 1,  /* '0': pad numbers with zeros after the sign or 0x */
    FLAG_PLUS = 1 << 2,  /* '+': signed conversions always get a sign */
    FLAG_SPACE = 1 << 3, /* ' ': a space where a '+' would go */
    FLAG_ALT = 1 << 4,   /* '#': 0x/0X for nonzero x/X, a leading 0 for o */
};

/* Length modifiers, C11 7.21.6.1p7: the argument's type. */
enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

#define NO_PRECISION (-1)

/* Room for the digits of any uintmax_t; octal needs the most, ceil(64 / 3). */
#define DIGIT_BUF_SIZE 24
_Static_assert((sizeof(uintmax_t) * CHAR_BIT + 2) / 3 <= DIGIT_BUF_SIZE, "digit buffer too small");

/* %zd takes the signed type of size_t's width; C names none, so we read a
 * ptrdiff_t, which has that width on every ABI Keel targets. */
_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "%zd needs a signed size_t");

/* Longest text before an integer's digits: "+0x", from %+p. */
#define PREFIX_MAX 3

/* glibc's texts for the NULL cases of %s and %p. */
#define NULL_STRING     "(null)"
#define NULL_STRING_LEN 6
#define NULL_POINTER    "(nil)"

struct conv_spec {
    unsigned flags;     /* FLAG_* */
    int width;          /* minimum field width; 0 when none was given */
    int precision;      /* NO_PRECISION or >= 0 */
    enum length length; /* which type the argument has */
    char conv;          /* conversion character; '\0' if the format ended */
};

struct output {
    format_sink sink;
    void *ctx;
    size_t count; /* characters produced so far */
};

static void emit(struct output *out, char c)
{
    out->sink(c, out->ctx);
    out->count++;
}

static void emit_repeat(struct output *out, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        emit(out, c);
}

static void emit_text(struct output *out, const char *text, size_t n)
{
    for (size_t i = 0; i < n; i++)
        emit(out, text[i]);
}

/* Read a decimal number at *fmt and advance past it. Saturates at INT_MAX
 * rather than overflowing on an absurd width. */
static int parse_decimal(const char **fmt)
{
    int value = 0;

    for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
        int digit = **fmt - '0';
        value = value > (INT_MAX - digit) / 10 ? INT_MAX : value * 10 + digit;
    }
    return value;
}

/* Read any flag characters at *fmt (in any order, repeats allowed). */
static unsigned parse_flags(const char **fmt)
{
    unsigned flags = 0;
    const char *flag;

    /* strchr would also "find" the NUL that ends the format: stop there. */
    while (**fmt != '\0' && (flag = strchr(FLAG_CHARS, **fmt)) != NULL) {
        flags |= 1u << (flag - FLAG_CHARS);
        (*fmt)++;
    }
    return flags;
}

/* Read an optional length modifier at *fmt. */
static enum length parse_length(const char **fmt)
{
    const char *p = *fmt;
    enum length length;

    switch (*p) {
    case 'h':
        length = p[1] == 'h' ? LEN_HH : LEN_H;
        break;
    case 'l':
        length = p[1] == 'l' ? LEN_LL : LEN_L;
        break;
    case 'z':
        length = LEN_Z;
        break;
    case 't':
        length = LEN_T;
        break;
    case 'j':
        length = LEN_J;
        break;
    default:
        return LEN_NONE;
    }
    *fmt += (length == LEN_HH || length == LEN_LL) ? 2 : 1;
    return length;
}

/* Parse the conversion spec that follows a '%', taking '*' values from ap.
 * Returns the position just past it (at the NUL if the format ended). */
static const char *parse_spec(const char *fmt, struct conv_spec *spec, va_list *ap)
{
    spec->flags = parse_flags(&fmt);

    spec->width = 0;
    if (*fmt == '*') {
        int width = va_arg(*ap, int);
        fmt++;
        if (width < 0) { /* C11 7.21.6.1p5: a '-' flag and a positive width */
            spec->flags |= FLAG_LEFT;
            width = width == INT_MIN ? INT_MAX : -width;
        }
        spec->width = width;
    } else {
        spec->width = parse_decimal(&fmt);
    }

    spec->precision = NO_PRECISION;
    if (*fmt == '.') {
        fmt++;
        if (*fmt == '*') {
            int precision = va_arg(*ap, int);
            fmt++;
            spec->precision = precision < 0 ? NO_PRECISION : precision; /* 7.21.6.1p5 */
        } else {
            spec->precision = parse_decimal(&fmt); /* a lone '.' means 0 */
        }
    }

    spec->length = parse_length(&fmt);
    spec->conv = *fmt;
    return *fmt != '\0' ? fmt + 1 : fmt;
}

/* Fetch a d/i argument of the spec's type; returns its magnitude. */
static uintmax_t fetch_signed(enum length length, va_list *ap, bool *negative)
{
    intmax_t value;

    switch (length) {
    case LEN_HH: /* char and short arrive promoted to int */
        value = (signed char)va_arg(*ap, int);
        break;
    case LEN_H:
        value = (short)va_arg(*ap, int);
        break;
    case LEN_L:
        value = va_arg(*ap, long);
        break;
    case LEN_LL:
        value = va_arg(*ap, long long);
        break;
    case LEN_Z:
    case LEN_T:
        value = va_arg(*ap, ptrdiff_t);
        break;
    case LEN_J:
        value = va_arg(*ap, intmax_t);
        break;
    default:
        value = va_arg(*ap, int);
        break;
    }
    *negative = value < 0;
    /* Negate in unsigned arithmetic: -INTMAX_MIN would overflow. */
    return *negative ? -(uintmax_t)value : (uintmax_t)value;
}

/* Fetch a u/o/x/X argument of the spec's type. */
static uintmax_t fetch_unsigned(enum length length, va_list *ap)
{
    switch (length) {
    case LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:
        return va_arg(*ap, unsigned long);
    case LEN_LL:
        return va_arg(*ap, unsigned long long);
    case LEN_Z:
        return va_arg(*ap, size_t);
    case LEN_T: /* the unsigned type of ptrdiff_t's width */
        return (size_t)va_arg(*ap, ptrdiff_t);
    case LEN_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

/* Write value's digits for conversion conv (o, x, X, else decimal) so that
 * they end just before end; returns the first digit. Always >= 1 digit. */
static char *to_digits(uintmax_t value, char conv, char *end)
{
    const char *digit_chars = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
    char *p = end;

    do {
        *--p = digit_chars[value % base];
        value /= base;
    } while (value != 0);
    return p;
}

/* The characters before the zeros and digits: a sign and/or "0x"/"0X".
 * Writes them to prefix (PREFIX_MAX bytes) and returns how many. */
static size_t integer_prefix(const struct conv_spec *spec, uintmax_t magnitude, bool negative,
                             char *prefix)
{
    size_t n = 0;

    if (negative)
        prefix[n++] = '-';
    else if (spec->flags & FLAG_PLUS)
        prefix[n++] = '+';
    else if (spec->flags & FLAG_SPACE)
        prefix[n++] = ' ';
    if ((spec->flags & FLAG_ALT) && (spec->conv == 'x' || spec->conv == 'X') && magnitude != 0) {
        prefix[n++] = '0';
        prefix[n++] = spec->conv; /* 'x' or 'X' */
    }
    return n;
}

/* Print an integer field: magnitude in the spec's base with its sign, prefix,
 * precision (minimum digits) and width. */
static void format_integer(struct output *out, const struct conv_spec *spec, uintmax_t magnitude,
                           bool negative)
{
    char buf[DIGIT_BUF_SIZE];
    char prefix[PREFIX_MAX];
    char *digits = buf + sizeof(buf);
    size_t ndigits = 0;

    /* C11 7.21.6.1p8: zero printed with precision 0 gives no characters. */
    if (!(spec->precision == 0 && magnitude == 0)) {
        digits = to_digits(magnitude, spec->conv, buf + sizeof(buf));
        ndigits = (size_t)(buf + sizeof(buf) - digits);
    }
    size_t zeros = 0;
    if (spec->precision != NO_PRECISION && (size_t)spec->precision > ndigits)
        zeros = (size_t)spec->precision - ndigits;
    /* '#' with o raises the precision just enough to make the first digit 0. */
    if (spec->conv == 'o' && (spec->flags & FLAG_ALT) && zeros == 0 &&
        (ndigits == 0 || digits[0] != '0'))
        zeros = 1;

    size_t prefix_len = integer_prefix(spec, magnitude, negative, prefix);
    size_t body = prefix_len + zeros + ndigits;
    size_t pad = (size_t)spec->width > body ? (size_t)spec->width - body : 0;
    /* The '0' flag is ignored with '-' and, for integers, with a precision. */
    if ((spec->flags & FLAG_ZERO) && !(spec->flags & FLAG_LEFT) &&
        spec->precision == NO_PRECISION) {
        zeros += pad;
        pad = 0;
    }

    if (!(spec->flags & FLAG_LEFT))
        emit_repeat(out, ' ', pad);
    emit_text(out, prefix, prefix_len);
    emit_repeat(out, '0', zeros);
    emit_text(out, digits, ndigits);
    if (spec->flags & FLAG_LEFT)
        emit_repeat(out, ' ', pad);
}

/* Print n characters of text padded with spaces to the field width. */
static void format_text(struct output *out, const struct conv_spec *spec, const char *text,
                        size_t n)
{
    size_t pad = (size_t)spec->width > n ? (size_t)spec->width - n : 0;

    if (!(spec->flags & FLAG_LEFT))
        emit_repeat(out, ' ', pad);
    emit_text(out, text, n);
    if (spec->flags & FLAG_LEFT)
        emit_repeat(out, ' ', pad);
}

/* %s: at most precision bytes of s, which need not be NUL-terminated
 * within them (so strnlen, never strlen). */
static void format_string(struct output *out, const struct conv_spec *spec, const char *s)
{
    size_t max = spec->precision == NO_PRECISION ? SIZE_MAX : (size_t)spec->precision;

    if (s == NULL) /* like glibc: all of "(null)" or nothing, never "(nu" */
        s = max >= NULL_STRING_LEN ? NULL_STRING : "";
    format_text(out, spec, s, strnlen(s, max));
}

/* %p: like %#x of the address, or "(nil)" whatever the precision (glibc). */
static void format_pointer(struct output *out, const struct conv_spec *spec, const void *ptr)
{
    if (ptr == NULL) {
        format_text(out, spec, NULL_POINTER, sizeof(NULL_POINTER) - 1);
        return;
    }
    struct conv_spec hex = *spec;
    hex.conv = 'x';
    hex.flags |= FLAG_ALT;
    format_integer(out, &hex, (uintptr_t)ptr, false);
}

/* Print one parsed conversion; start..end is its text in the format, which
 * is printed as is when the conversion is unknown. */
static void format_conversion(struct output *out, struct conv_spec *spec, va_list *ap,
                              const char *start, const char *end)
{
    bool negative;
    uintmax_t magnitude;
    char c;

    switch (spec->conv) {
    case 'd':
    case 'i':
        magnitude = fetch_signed(spec->length, ap, &negative);
        format_integer(out, spec, magnitude, negative);
        break;
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        spec->flags &= ~(unsigned)(FLAG_PLUS | FLAG_SPACE); /* only signed conversions */
        format_integer(out, spec, fetch_unsigned(spec->length, ap), false);
        break;
    case 'c':
        c = (char)(unsigned char)va_arg(*ap, int); /* C11 7.21.6.1p8: to unsigned char */
        format_text(out, spec, &c, 1);
        break;
    case 's':
        format_string(out, spec, va_arg(*ap, const char *));
        break;
    case 'p':
        format_pointer(out, spec, va_arg(*ap, const void *));
        break;
    case '%':
        emit(out, '%');
        break;
    default:
        emit_text(out, start, (size_t)(end - start));
        break;
    }
}

int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct output out = {sink, ctx, 0};
    struct conv_spec spec;
    va_list args;

    /* Helpers take a va_list *; a va_list parameter may be an array that
     * decayed to a pointer, so &ap would have the wrong type. Copy it. */
    va_copy(args, ap);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            emit(&out, *fmt++);
            continue;
        }
        const char *start = fmt;
        fmt = parse_spec(fmt + 1, &spec, &args);
        format_conversion(&out, &spec, &args, start, fmt);
    }
    va_end(args);
    /* Like C's printf family: a length that does not fit the int is an error. */
    return out.count > INT_MAX ? -1 : (int)out.count;
}

/* Sink state for kvsnprintf: keeps the first size-1 characters. */
struct buffer_sink {
    char *buf;
    size_t size;
    size_t written;
};

static void buffer_put(char c, void *ctx)
{
    struct buffer_sink *b = ctx;

    if (b->written + 1 < b->size) /* leave room for the NUL */
        b->buf[b->written++] = c;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buffer_sink b = {buf, size, 0};
    int length = format_v(buffer_put, &b, fmt, ap);

    if (size > 0)
        buf[b.written] = '\0';
    return length;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int length = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return length;
}
