/*
 * ansi.c - control sequences and UTF-8 text on a grid writer (see ansi.h).
 *
 * The parser is a state machine after the one DEC's video terminals use.
 * ECMA-48 (5th edition, 5.4) gives a control sequence's shape: CSI, then
 * parameter bytes 0x30-0x3F (digits, ';', and the private markers < = > ?
 * first), then intermediate bytes 0x20-0x2F, then one final byte 0x40-0x7E
 * that names the function. ESC followed by intermediates and a final byte
 * 0x30-0x7E is an escape sequence; ESC ] P X ^ _ open control strings that
 * ST (ESC \) ends, and xterm ends OSC at BEL as well. The private modes
 * (?25, ?1049) and ESC 7 / 8 are DEC's and xterm's (xterm's "Control
 * Sequences" document). A finished sequence becomes one action of
 * ansi_screen.h on the grid; the writer does the drawing (vga.h), cp437.h
 * maps UTF-8 characters onto glyphs.
 */
#include <drivers/vga/ansi.h>
#include <drivers/vga/ansi_screen.h>
#include <drivers/vga/cp437.h>

#define ASCII_BELL   0x07
#define ASCII_CANCEL 0x18 /* CAN: ends a sequence */
#define ASCII_SUB    0x1A /* SUB: ends a sequence as well */
#define ASCII_ESCAPE 0x1B
#define ASCII_DELETE 0x7F
#define C0_END       0x20 /* 0x00-0x1F are the C0 control bytes */

/* Byte classes of a sequence (ECMA-48 5.4). */
#define INTERMEDIATE_FIRST 0x20
#define INTERMEDIATE_LAST  0x2F
#define PRIVATE_FIRST      0x30 /* ESC + 0x30-0x3F: private escape sequences (ESC 7, ESC =) */
#define PRIVATE_LAST       0x3F
#define MARKER_FIRST       '<' /* < = > ? open a private CSI sequence */
#define MARKER_LAST        '?'
#define FINAL_FIRST        0x40
#define FINAL_LAST         0x7E
#define UTF8_FIRST         0x80 /* bytes from here on are parts of UTF-8 characters */

/* CSI final bytes, by their ECMA-48 (and DEC / SCO) names. */
#define CSI_CUU   'A' /* cursor up */
#define CSI_CUD   'B' /* cursor down */
#define CSI_CUF   'C' /* cursor forward */
#define CSI_CUB   'D' /* cursor backward */
#define CSI_CUP   'H' /* cursor position */
#define CSI_HVP   'f' /* character and line position: the same */
#define CSI_ED    'J' /* erase in page */
#define CSI_EL    'K' /* erase in line */
#define CSI_SGR   'm' /* select graphic rendition */
#define CSI_SM    'h' /* set mode (DECSET with '?') */
#define CSI_RM    'l' /* reset mode (DECRST with '?') */
#define CSI_SCOSC 's' /* save cursor */
#define CSI_SCORC 'u' /* restore cursor */
#define ESC_DECSC '7' /* save cursor */
#define ESC_DECRC '8' /* restore cursor */

/* ------------------------------------------------------------ sequences */

/* A parameter that counts something: missing or 0 means 1. */
static unsigned count_param(const struct ansi_parser *p, unsigned i)
{
    unsigned n = ansi_param(p, i);
    return n ? n : 1;
}

static void csi_dispatch(struct ansi_parser *p, unsigned char final)
{
    if (p->has_intermediate)
        return;
    if (p->private_marker == '?' && (final == CSI_SM || final == CSI_RM))
        ansi_screen_set_modes(p, final == CSI_SM);
    if (p->private_marker)
        return;
    if (final == CSI_CUU)
        ansi_screen_move(p->grid, ANSI_UP, count_param(p, 0));
    else if (final == CSI_CUD)
        ansi_screen_move(p->grid, ANSI_DOWN, count_param(p, 0));
    else if (final == CSI_CUF)
        ansi_screen_move(p->grid, ANSI_RIGHT, count_param(p, 0));
    else if (final == CSI_CUB)
        ansi_screen_move(p->grid, ANSI_LEFT, count_param(p, 0));
    else if (final == CSI_CUP || final == CSI_HVP)
        vga_move_to(p->grid, count_param(p, 0) - 1, count_param(p, 1) - 1);
    else if (final == CSI_ED)
        ansi_screen_erase_page(p->grid, ansi_param(p, 0));
    else if (final == CSI_EL)
        ansi_screen_erase_line(p->grid, ansi_param(p, 0));
    else if (final == CSI_SGR)
        ansi_screen_sgr(p);
    else if (final == CSI_SCOSC)
        p->saved = ansi_screen_cursor(p);
    else if (final == CSI_SCORC)
        ansi_screen_restore_cursor(p, &p->saved);
}

static void begin_csi(struct ansi_parser *p)
{
    p->state = ANSI_CSI;
    p->param_count = 0;
    p->params_dropped = false;
    p->private_marker = 0;
    p->has_intermediate = false;
}

/* A digit or ';': the parameters grow. */
static void csi_param(struct ansi_parser *p, unsigned char byte)
{
    if (p->param_count == 0)
        p->params[p->param_count++] = 0;
    if (byte == ';') {
        if (p->param_count < ANSI_MAX_PARAMS)
            p->params[p->param_count++] = 0;
        else
            p->params_dropped = true;
        return;
    }
    if (p->params_dropped)
        return;
    unsigned *value = &p->params[p->param_count - 1];
    *value = *value * 10 + (unsigned)(byte - '0');
    if (*value > ANSI_PARAM_LIMIT)
        *value = ANSI_PARAM_LIMIT;
}

static void csi_byte(struct ansi_parser *p, unsigned char byte)
{
    bool first = p->param_count == 0 && !p->private_marker && !p->has_intermediate;

    if ((byte >= '0' && byte <= '9') || byte == ';') {
        if (p->has_intermediate)
            p->state = ANSI_CSI_IGNORE;
        else
            csi_param(p, byte);
    } else if (byte >= MARKER_FIRST && byte <= MARKER_LAST && first) {
        p->private_marker = (char)byte;
    } else if (byte >= INTERMEDIATE_FIRST && byte <= INTERMEDIATE_LAST) {
        p->has_intermediate = true;
    } else if (byte >= FINAL_FIRST && byte <= FINAL_LAST) {
        p->state = ANSI_GROUND;
        csi_dispatch(p, byte);
    } else if (byte != ASCII_DELETE) {
        p->state = ANSI_CSI_IGNORE; /* ':', a late marker, a byte from 0x80 */
    }
}

/* ------------------------------------------------------------ text */

static void put_glyph(struct ansi_parser *p, unsigned char glyph)
{
    vga_put_char(p->grid, (char)glyph);
}

/* A UTF-8 character cut short by a byte that cannot continue it. */
static void end_utf8(struct ansi_parser *p)
{
    if (p->utf8_missing == 0)
        return;
    p->utf8_missing = 0;
    put_glyph(p, VGA_REPLACEMENT_CHAR);
}

/* A lead byte from 0x80: how many continuation bytes follow, and the range
 * of the first one that excludes overlong forms, surrogates (U+D800-DFFF)
 * and code points above U+10FFFF (RFC 3629, section 4). */
static void begin_utf8(struct ansi_parser *p, unsigned char lead)
{
    p->utf8_low = 0x80;
    p->utf8_high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        p->utf8_missing = 1;
        p->code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        p->utf8_missing = 2;
        p->code_point = lead & 0x0F;
        p->utf8_low = lead == 0xE0 ? 0xA0 : 0x80;
        p->utf8_high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        p->utf8_missing = 3;
        p->code_point = lead & 0x07;
        p->utf8_low = lead == 0xF0 ? 0x90 : 0x80;
        p->utf8_high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        put_glyph(p, VGA_REPLACEMENT_CHAR); /* a lone continuation byte, C0, C1, F5-FF */
    }
}

static void text_byte(struct ansi_parser *p, unsigned char byte)
{
    if (p->utf8_missing) {
        if (byte >= p->utf8_low && byte <= p->utf8_high) {
            p->code_point = (p->code_point << 6) | (byte & 0x3F);
            p->utf8_low = 0x80;
            p->utf8_high = 0xBF;
            unsigned char glyph;
            if (--p->utf8_missing == 0)
                put_glyph(p,
                          cp437_from_unicode(p->code_point, &glyph) ? glyph : VGA_REPLACEMENT_CHAR);
            return;
        }
        end_utf8(p);
    }
    if (byte >= UTF8_FIRST)
        begin_utf8(p, byte);
    else if (byte != ASCII_DELETE)
        put_glyph(p, byte);
}

/* A C0 control byte other than ESC, CAN and SUB: the same in a sequence as
 * in text. */
static void control(struct ansi_parser *p, unsigned char byte)
{
    end_utf8(p);
    if (byte == '\n' || byte == '\r' || byte == '\t' || byte == '\b')
        vga_put_char(p->grid, (char)byte);
}

static void escape_byte(struct ansi_parser *p, unsigned char byte)
{
    p->state = ANSI_GROUND;
    switch (byte) {
    case '[':
        begin_csi(p);
        return;
    case ']':
    case 'P':
    case 'X':
    case '^':
    case '_':
        p->state = ANSI_STRING;
        return;
    case ESC_DECSC:
        p->saved = ansi_screen_cursor(p);
        return;
    case ESC_DECRC:
        ansi_screen_restore_cursor(p, &p->saved);
        return;
    case 'c':
    case 'D':
    case 'E':
    case 'H':
    case 'M':
    case 'N':
    case 'O':
    case 'Z':
    case '\\':
        return; /* reset, index, next line, tab set, reverse index, single shifts, ID, ST */
    }
    if (byte >= INTERMEDIATE_FIRST && byte <= INTERMEDIATE_LAST)
        p->state = ANSI_ESCAPE_INTER;
    else if (byte < PRIVATE_FIRST || byte > PRIVATE_LAST)
        text_byte(p, byte); /* no sequence: only the ESC is dropped */
}

/* Inside a control string, which only BEL, ST (ESC \), CAN or SUB ends. */
static void string_byte(struct ansi_parser *p, unsigned char byte)
{
    if (p->state == ANSI_STRING_ESCAPE) {
        p->state = ANSI_ESCAPE; /* an ESC that is not ST starts a new sequence */
        if (byte == '\\')
            p->state = ANSI_GROUND;
        else
            ansi_put(p, byte);
    } else if (byte == ASCII_ESCAPE) {
        p->state = ANSI_STRING_ESCAPE;
    } else if (byte == ASCII_BELL || byte == ASCII_CANCEL || byte == ASCII_SUB) {
        p->state = ANSI_GROUND;
    }
}

void ansi_put(struct ansi_parser *p, unsigned char byte)
{
    if (p->state == ANSI_STRING || p->state == ANSI_STRING_ESCAPE) {
        string_byte(p, byte);
    } else if (byte == ASCII_ESCAPE || byte == ASCII_CANCEL || byte == ASCII_SUB) {
        end_utf8(p);
        p->state = byte == ASCII_ESCAPE ? ANSI_ESCAPE : ANSI_GROUND;
    } else if (byte < C0_END) {
        control(p, byte);
    } else if (p->state == ANSI_GROUND) {
        text_byte(p, byte);
    } else if (p->state == ANSI_ESCAPE) {
        escape_byte(p, byte);
    } else if (p->state == ANSI_ESCAPE_INTER) {
        if (byte >= PRIVATE_FIRST && byte <= FINAL_LAST)
            p->state = ANSI_GROUND;
    } else if (p->state == ANSI_CSI) {
        csi_byte(p, byte);
    } else if (byte >= FINAL_FIRST && byte <= FINAL_LAST) {
        p->state = ANSI_GROUND; /* the end of an ignored CSI sequence */
    }
}

void ansi_write(struct ansi_parser *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ansi_put(p, (unsigned char)s[i]);
}

void ansi_init(struct ansi_parser *p, struct vga_writer *grid, uint16_t *main_cells,
               size_t capacity)
{
    *p = (struct ansi_parser){
        .grid = grid,
        .state = ANSI_GROUND,
        .fg = ANSI_DEFAULT_FG,
        .bg = ANSI_DEFAULT_BG,
        .saved = {0, 0, ANSI_DEFAULT_FG, ANSI_DEFAULT_BG, false},
        .main_cells = main_cells,
        .main_capacity = capacity,
    };
    ansi_screen_adopt_colours(p);
}

unsigned ansi_reset(struct ansi_parser *p)
{
    unsigned undone = 0;

    if (p->state != ANSI_GROUND || p->utf8_missing)
        undone |= ANSI_UNDONE_SEQUENCE;
    p->state = ANSI_GROUND;
    p->utf8_missing = 0;
    if (p->alternate) {
        ansi_screen_leave_alternate(p);
        undone |= ANSI_UNDONE_ALTERNATE;
    }
    if (p->grid->cursor_hidden) {
        vga_show_cursor(p->grid, true);
        undone |= ANSI_UNDONE_CURSOR;
    }
    if (ansi_screen_restore_colours(p))
        undone |= ANSI_UNDONE_COLOURS;
    return undone;
}
