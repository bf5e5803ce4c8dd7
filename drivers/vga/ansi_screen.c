/*
 * ansi_screen.c - what finished control sequences do to the grid (see
 * ansi_screen.h): cursor moves, erasing, colours, the saved cursor and the
 * alternate screen, all through the grid writer (drivers/vga/vga.h).
 *
 * Colours: the parser keeps SGR's state (a foreground, a background, bold)
 * and the grid's attribute follows it, bold brightening colours 0-7 as the
 * VGA has no bold font. The kernel may set the grid's colours itself
 * between programs' writes (console_set_color); the next SGR starts from
 * those. The attribute from before the first change a program makes is
 * kept for ansi_reset. The modes are DEC's (DECTCEM, ?25) and xterm's (?1049).
 */
#include <drivers/vga/ansi_screen.h>

#define MODE_CURSOR_VISIBLE   25   /* DECTCEM */
#define MODE_ALTERNATE_SCREEN 1049 /* xterm: DECSC, alternate screen, cleared */

#define ERASE_TO_END   0
#define ERASE_TO_START 1
#define ERASE_ALL      2

#define SGR_RESET           0
#define SGR_BOLD            1
#define SGR_NORMAL          22 /* neither bold nor faint */
#define SGR_FG              30 /* 30-37 */
#define SGR_FG_EXTENDED     38 /* 38;5;n or 38;2;r;g;b */
#define SGR_FG_DEFAULT      39
#define SGR_BG              40 /* 40-47 */
#define SGR_BG_EXTENDED     48
#define SGR_BG_DEFAULT      49
#define SGR_FG_BRIGHT       90  /* 90-97 (aixterm) */
#define SGR_BG_BRIGHT       100 /* 100-107 */
#define SGR_EXTENDED_RGB    2   /* three more values follow */
#define SGR_EXTENDED_INDEX  5   /* one palette index follows */
#define ANSI_COLOURS        8
#define PALETTE_VGA_COLOURS 16 /* palette indices 0-15 are the 16 ANSI colours */

#define BRIGHT 8 /* VGA colour n + 8 is colour n brightened */

/* ANSI colour n (black red green yellow blue magenta cyan white) as a VGA
 * colour: the VGA numbers blue 1 and red 4, and its dark yellow is brown. */
static const enum vga_color ansi_colours[ANSI_COLOURS] = {
    VGA_BLACK, VGA_RED, VGA_GREEN, VGA_BROWN, VGA_BLUE, VGA_MAGENTA, VGA_CYAN, VGA_LIGHT_GREY,
};

/* ------------------------------------------------------------ the grid */

/* The cursor's column, a pending wrap counting as the last column. */
static unsigned cursor_col(const struct vga_writer *w)
{
    return w->col < w->cols ? w->col : w->cols - 1;
}

/* Blank cells [from, to) in the current colours. */
static void erase(struct vga_writer *w, size_t from, size_t to)
{
    uint16_t blank = vga_cell(' ', w->attr);
    for (size_t i = from; i < to; i++)
        vga_set_cell(w, (unsigned)i, blank);
}

void ansi_screen_move(struct vga_writer *w, enum ansi_direction direction, unsigned n)
{
    unsigned row = w->row, col = cursor_col(w);

    if (direction == ANSI_UP)
        row = n < row ? row - n : 0;
    else if (direction == ANSI_DOWN)
        row = n < w->rows - 1 - row ? row + n : w->rows - 1;
    else if (direction == ANSI_RIGHT)
        col = n < w->cols - 1 - col ? col + n : w->cols - 1;
    else
        col = n < col ? col - n : 0;
    vga_move_to(w, row, col);
}

void ansi_screen_erase_page(struct vga_writer *w, unsigned mode)
{
    size_t cursor = (size_t)w->row * w->cols + cursor_col(w);
    size_t end = (size_t)w->rows * w->cols;

    w->col = cursor_col(w);
    if (mode == ERASE_TO_END)
        erase(w, cursor, end);
    else if (mode == ERASE_TO_START)
        erase(w, 0, cursor + 1);
    else if (mode == ERASE_ALL)
        erase(w, 0, end);
}

void ansi_screen_erase_line(struct vga_writer *w, unsigned mode)
{
    size_t start = (size_t)w->row * w->cols;
    size_t cursor = start + cursor_col(w);

    w->col = cursor_col(w);
    if (mode == ERASE_TO_END)
        erase(w, cursor, start + w->cols);
    else if (mode == ERASE_TO_START)
        erase(w, start, cursor + 1);
    else if (mode == ERASE_ALL)
        erase(w, start, start + w->cols);
}

/* ------------------------------------------------------------ colours */

static uint8_t sgr_attr(const struct ansi_parser *p)
{
    enum vga_color fg = p->bold && p->fg < BRIGHT ? (enum vga_color)(p->fg + BRIGHT) : p->fg;
    return vga_attr(fg, p->bg);
}

/* Colours the kernel gave the grid meanwhile (console_set_color) become
 * the ones an SGR changes. */
void ansi_screen_adopt_colours(struct ansi_parser *p)
{
    if (p->grid->attr == sgr_attr(p))
        return;
    p->fg = (enum vga_color)(p->grid->attr & 0x0F);
    p->bg = (enum vga_color)(p->grid->attr >> 4);
    p->bold = false;
}

/* The grid's colours from the SGR state, remembering the first ones
 * replaced for ansi_reset. */
static void apply_colours(struct ansi_parser *p)
{
    uint8_t attr = sgr_attr(p);

    if (attr == p->grid->attr)
        return;
    if (!p->colours_set) {
        p->colours_set = true;
        p->attr_before = p->grid->attr;
    }
    p->grid->attr = attr;
}

static enum vga_color palette_colour(unsigned n)
{
    return n < ANSI_COLOURS ? ansi_colours[n]
                            : (enum vga_color)(ansi_colours[n - ANSI_COLOURS] + BRIGHT);
}

/* SGR 38 or 48 at params[i]: take a palette index of the 16 colours, skip
 * the rest. Returns how many parameters after params[i] belong to it. */
static unsigned extended_colour(struct ansi_parser *p, unsigned i, bool foreground)
{
    unsigned kind = ansi_param(p, i + 1);

    if (kind == SGR_EXTENDED_RGB)
        return 4;
    if (kind != SGR_EXTENDED_INDEX)
        return 1;
    unsigned n = ansi_param(p, i + 2);
    if (i + 2 < p->param_count && n < PALETTE_VGA_COLOURS) {
        if (foreground)
            p->fg = palette_colour(n);
        else
            p->bg = palette_colour(n);
    }
    return 2;
}

static void sgr_one(struct ansi_parser *p, unsigned n)
{
    if (n == SGR_RESET) {
        p->fg = ANSI_DEFAULT_FG;
        p->bg = ANSI_DEFAULT_BG;
        p->bold = false;
    } else if (n == SGR_BOLD || n == SGR_NORMAL) {
        p->bold = n == SGR_BOLD;
    } else if (n >= SGR_FG && n < SGR_FG + ANSI_COLOURS) {
        p->fg = ansi_colours[n - SGR_FG];
    } else if (n >= SGR_FG_BRIGHT && n < SGR_FG_BRIGHT + ANSI_COLOURS) {
        p->fg = palette_colour(n - SGR_FG_BRIGHT + ANSI_COLOURS);
    } else if (n >= SGR_BG && n < SGR_BG + ANSI_COLOURS) {
        p->bg = ansi_colours[n - SGR_BG];
    } else if (n >= SGR_BG_BRIGHT && n < SGR_BG_BRIGHT + ANSI_COLOURS) {
        p->bg = palette_colour(n - SGR_BG_BRIGHT + ANSI_COLOURS);
    } else if (n == SGR_FG_DEFAULT) {
        p->fg = ANSI_DEFAULT_FG;
    } else if (n == SGR_BG_DEFAULT) {
        p->bg = ANSI_DEFAULT_BG;
    }
}

void ansi_screen_sgr(struct ansi_parser *p)
{
    ansi_screen_adopt_colours(p);
    if (p->param_count == 0)
        sgr_one(p, SGR_RESET);
    for (unsigned i = 0; i < p->param_count; i++) {
        unsigned n = p->params[i];
        if (n == SGR_FG_EXTENDED || n == SGR_BG_EXTENDED)
            i += extended_colour(p, i, n == SGR_FG_EXTENDED);
        else
            sgr_one(p, n);
    }
    apply_colours(p);
}

/* ------------------------------------------------------------ cursor and screens */

struct ansi_cursor ansi_screen_cursor(struct ansi_parser *p)
{
    ansi_screen_adopt_colours(p);
    return (struct ansi_cursor){p->grid->row, cursor_col(p->grid), p->fg, p->bg, p->bold};
}

void ansi_screen_restore_cursor(struct ansi_parser *p, const struct ansi_cursor *saved)
{
    vga_move_to(p->grid, saved->row, saved->col);
    p->fg = saved->fg;
    p->bg = saved->bg;
    p->bold = saved->bold;
    apply_colours(p);
}

static void enter_alternate(struct ansi_parser *p)
{
    struct vga_writer *w = p->grid;
    size_t cells = (size_t)w->cols * w->rows;

    if (p->alternate || cells > p->main_capacity)
        return;
    for (size_t i = 0; i < cells; i++)
        p->main_cells[i] = w->cells[i];
    p->main_cols = w->cols;
    p->main_rows = w->rows;
    p->main_cursor = ansi_screen_cursor(p);
    p->alternate = true;
    erase(w, 0, cells);
}

/* The main screen back; a grid that changed size meanwhile is cleared. */
void ansi_screen_leave_alternate(struct ansi_parser *p)
{
    struct vga_writer *w = p->grid;
    size_t cells = (size_t)w->cols * w->rows;

    if (!p->alternate)
        return;
    p->alternate = false;
    if (w->cols == p->main_cols && w->rows == p->main_rows) {
        for (size_t i = 0; i < cells; i++)
            vga_set_cell(w, (unsigned)i, p->main_cells[i]);
    } else {
        erase(w, 0, cells);
    }
    ansi_screen_restore_cursor(p, &p->main_cursor);
}

void ansi_screen_set_modes(struct ansi_parser *p, bool set)
{
    for (unsigned i = 0; i < p->param_count; i++) {
        if (p->params[i] == MODE_CURSOR_VISIBLE)
            vga_show_cursor(p->grid, set);
        else if (p->params[i] == MODE_ALTERNATE_SCREEN && set)
            enter_alternate(p);
        else if (p->params[i] == MODE_ALTERNATE_SCREEN)
            ansi_screen_leave_alternate(p);
    }
}

bool ansi_screen_restore_colours(struct ansi_parser *p)
{
    if (!p->colours_set)
        return false;
    p->grid->attr = p->attr_before;
    p->colours_set = false;
    ansi_screen_adopt_colours(p);
    return true;
}
