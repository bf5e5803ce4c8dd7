/*
 * ansi.h - ANSI (ECMA-48) and xterm control sequences shown on a text grid.
 *
 * Programs draw full screens the way they would on a serial terminal: text
 * with control sequences in it. A parser is fed that byte stream one byte at
 * a time (a sequence may be split over any number of writes) and drives a
 * grid writer (drivers/vga/vga.h) with it. It has no I/O of its own; the
 * console sends the same bytes to the serial terminal unchanged. ansi.c
 * reads the bytes; what a finished sequence does to the grid is in
 * ansi_screen.c.
 *
 * Characters: the stream is UTF-8, as a serial terminal expects. A code
 * point that has a code page 437 glyph (drivers/vga/cp437.h: ASCII, box
 * drawing, blocks, accented letters) is shown as that glyph; any other code
 * point, and each malformed piece of UTF-8 (a stray continuation byte, an
 * overlong form, a surrogate, a character cut short), shows as one
 * VGA_REPLACEMENT_CHAR, where a terminal shows U+FFFD. \n \r \t \b act as
 * in the writer; the other C0 control bytes and DEL show nothing (BEL rings
 * only on serial).
 *
 * Sequences (CSI is ESC [; parameters are decimal, separated by ';'):
 *   CSI n A, B, C, D        cursor up, down, right, left n cells (missing or
 *                           0: 1), stopping at the grid's edges
 *   CSI r ; c H, CSI r ; c f  cursor to row r, column c, counted from 1
 *                           (missing or 0: 1), clamped to the grid
 *   CSI n J                 erase 0: cursor to the end of the screen,
 *                           1: the start to the cursor, 2: all
 *   CSI n K                 erase 0: cursor to the end of the line,
 *                           1: the line's start to the cursor, 2: the line
 *   CSI n ; ... m           SGR, every parameter in turn: 0 default colours
 *                           (light grey on black), 1 bold (the bright
 *                           foreground), 22 not bold, 30-37 / 90-97
 *                           foreground, 39 default foreground, 40-47 /
 *                           100-107 background, 49 default background;
 *                           38;5;n and 48;5;n take n from 0 to 15, other
 *                           38 and 48 forms are skipped with their values;
 *                           other parameters are ignored
 *   CSI ? 25 l, CSI ? 25 h  hide, show the cursor (other private modes are
 *                           ignored)
 *   CSI ? 1049 h            alternate screen: keep the grid and the cursor
 *                           (position, colours), clear the grid
 *   CSI ? 1049 l            back to the kept grid and cursor
 *   CSI s, ESC 7            save the cursor (position, colours)
 *   CSI u, ESC 8            restore it (before any save: top left, default
 *                           colours)
 * Erasing writes blanks in the current colours and leaves the cursor where
 * it is; cursor moves and erasing end a pending wrap (vga.h).
 *
 * Everything else is swallowed whole, never shown in part: other CSI
 * sequences (unknown final bytes, intermediates, ':' sub-parameters, a
 * private marker after the first parameter byte, bytes from 0x80 inside),
 * character set choices (ESC ( B and other ESC + intermediates + final),
 * ESC followed by a byte from 0x30 to 0x3F (ESC =, ESC >) or by one of
 * c D E H M N O Z \, and control strings (ESC ] OSC, ESC P DCS, ESC X, ESC ^,
 * ESC _) up to BEL or ESC \. ESC followed by any other byte is dropped alone
 * and the byte is handled as usual. CAN and SUB end a sequence; ESC inside
 * one starts a new one; C0 controls inside one act as outside (as on a
 * terminal). A parameter over ANSI_PARAM_LIMIT counts as ANSI_PARAM_LIMIT;
 * parameters after the first ANSI_MAX_PARAMS are ignored.
 */
#ifndef KEEL_DRIVERS_VGA_ANSI_H
#define KEEL_DRIVERS_VGA_ANSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drivers/vga/vga.h>

#define ANSI_MAX_PARAMS  16
#define ANSI_PARAM_LIMIT 9999           /* beyond any grid: clamped moves end at the edge anyway */
#define ANSI_DEFAULT_FG  VGA_LIGHT_GREY /* SGR 0, 39 */
#define ANSI_DEFAULT_BG  VGA_BLACK      /* SGR 0, 49 */

enum ansi_state {
    ANSI_GROUND,        /* text */
    ANSI_ESCAPE,        /* after ESC */
    ANSI_ESCAPE_INTER,  /* ESC + intermediate bytes: waiting for the final byte */
    ANSI_CSI,           /* ESC [ and its parameters so far */
    ANSI_CSI_IGNORE,    /* a malformed or unknown CSI: swallowed to its final byte */
    ANSI_STRING,        /* a control string: swallowed to BEL or ESC \ */
    ANSI_STRING_ESCAPE, /* ESC inside a control string */
};

/* What ESC 7 and CSI ? 1049 h keep of the cursor. */
struct ansi_cursor {
    unsigned row, col;
    enum vga_color fg, bg; /* before bold brightens fg */
    bool bold;
};

struct ansi_parser {
    struct vga_writer *grid;
    enum ansi_state state;
    /* The CSI sequence being read: params[0 .. param_count-1], the last one
     * still growing. */
    unsigned params[ANSI_MAX_PARAMS];
    unsigned param_count;
    bool params_dropped; /* more than ANSI_MAX_PARAMS: the rest are ignored */
    char private_marker; /* '?', '<', '=', '>' or 0 */
    bool has_intermediate;
    /* The UTF-8 character being read. */
    uint32_t code_point;
    unsigned utf8_missing;             /* continuation bytes still to come */
    unsigned char utf8_low, utf8_high; /* the range the next one must be in */
    /* SGR state: the grid's attribute is fg (brightened when bold) on bg. */
    enum vga_color fg, bg;
    bool bold;
    bool colours_set;    /* an SGR or restore changed the colours since ansi_reset */
    uint8_t attr_before; /* the grid's attribute before that change */
    struct ansi_cursor saved;
    /* The main screen while the alternate one is shown. */
    bool alternate;
    struct ansi_cursor main_cursor;
    uint16_t *main_cells; /* room for main_capacity cells, given by the caller */
    size_t main_capacity;
    unsigned main_cols, main_rows;
};

/* What ansi_reset undid, so that the serial terminal can be told too. */
enum ansi_undone {
    ANSI_UNDONE_SEQUENCE = 1 << 0,  /* a sequence or character was cut short */
    ANSI_UNDONE_ALTERNATE = 1 << 1, /* the alternate screen was left */
    ANSI_UNDONE_CURSOR = 1 << 2,    /* the hidden cursor is shown again */
    ANSI_UNDONE_COLOURS = 1 << 3,   /* the colours are back to the ones before */
};

/* Drive grid from p. main_cells (room for capacity cells) keeps the main
 * screen while the alternate one is shown; a grid larger than capacity has
 * no alternate screen (CSI ? 1049 h and l are swallowed). */
void ansi_init(struct ansi_parser *p, struct vga_writer *grid, uint16_t *main_cells,
               size_t capacity);
void ansi_put(struct ansi_parser *p, unsigned char byte);
void ansi_write(struct ansi_parser *p, const char *s, size_t n);
/* After a program, however it ended: forget a sequence cut short, leave the
 * alternate screen, show the cursor, and put back the grid's colours from
 * before the first SGR (or restore) since the last reset. Returns the
 * ansi_undone bits of what was done. */
unsigned ansi_reset(struct ansi_parser *p);

#endif
