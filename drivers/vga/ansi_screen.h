/*
 * ansi_screen.h - what finished control sequences do to the grid.
 *
 * The parser (drivers/vga/ansi.c) reads bytes and calls these; they live in
 * drivers/vga/ansi_screen.c and act through the grid writer. Each one reads
 * its parameters the way the parser left them (p->params, a missing one
 * being 0) or takes them as arguments. Nothing outside the parser uses
 * this header.
 */
#ifndef KEEL_DRIVERS_VGA_ANSI_SCREEN_H
#define KEEL_DRIVERS_VGA_ANSI_SCREEN_H

#include <stdbool.h>

#include <drivers/vga/ansi.h>
#include <drivers/vga/vga.h>

enum ansi_direction { ANSI_UP, ANSI_DOWN, ANSI_RIGHT, ANSI_LEFT };

/* Parameter i of the sequence just read; 0 when it is missing. */
static inline unsigned ansi_param(const struct ansi_parser *p, unsigned i)
{
    return i < p->param_count ? p->params[i] : 0;
}

/* CUU, CUD, CUF, CUB: n cells, stopping at the grid's edge. */
void ansi_screen_move(struct vga_writer *w, enum ansi_direction direction, unsigned n);
/* ED and EL with mode 0, 1 or 2; other modes do nothing. */
void ansi_screen_erase_page(struct vga_writer *w, unsigned mode);
void ansi_screen_erase_line(struct vga_writer *w, unsigned mode);
/* SGR with p's parameters. */
void ansi_screen_sgr(struct ansi_parser *p);
/* DECSET (set) or DECRST with p's parameters: ?25 and ?1049. */
void ansi_screen_set_modes(struct ansi_parser *p, bool set);
/* The cursor as DECSC keeps it, and DECRC. */
struct ansi_cursor ansi_screen_cursor(struct ansi_parser *p);
void ansi_screen_restore_cursor(struct ansi_parser *p, const struct ansi_cursor *saved);
/* Take the grid's colours as SGR's state when the kernel changed them. */
void ansi_screen_adopt_colours(struct ansi_parser *p);
/* Back to the main screen, if the alternate one is shown. */
void ansi_screen_leave_alternate(struct ansi_parser *p);
/* The colours from before a program's first change; false if it made none. */
bool ansi_screen_restore_colours(struct ansi_parser *p);

#endif
