/*
 * ttt_screen.h - the tic-tac-toe screen as ANSI text: the same board,
 * texts, colours and layout as the built-in game (apps/ttt/game.c), drawn
 * with escape sequences instead of the kernel's console calls.
 *
 * A frame is written into an outbuf (user/lib/outbuf.h), so the caller
 * sends it to the console in one piece; nothing here makes a system call.
 * The console takes UTF-8 and shows the box-drawing characters as the VGA
 * glyphs the built-in game uses; a serial terminal shows the same.
 */
#ifndef KEEL_USER_PROGRAMS_TTT_SCREEN_H
#define KEEL_USER_PROGRAMS_TTT_SCREEN_H

#include <apps/ttt/ttt.h>
#include <stdbool.h>
#include <stdint.h>
#include <user/lib/outbuf.h>

/* The layout is made for 80x25 and centred on a larger screen. */
#define TTT_LAYOUT_WIDTH  80
#define TTT_LAYOUT_HEIGHT 25

/* ECMA-48 control sequences (CSI is ESC [) and xterm's private modes. */
#define ANSI_CSI              "\x1b["
#define ANSI_RESET            ANSI_CSI "0m" /* default colours */
#define ANSI_CLEAR            ANSI_CSI "2J" /* the whole screen */
#define ANSI_CURSOR_HIDE      ANSI_CSI "?25l"
#define ANSI_CURSOR_SHOW      ANSI_CSI "?25h"
#define ANSI_ALTERNATE_SCREEN ANSI_CSI "?1049h" /* keeps the main screen for later */
#define ANSI_MAIN_SCREEN      ANSI_CSI "?1049l"

struct ttt_session {
    struct ttt_game game;
    bool two_players;
    unsigned selected; /* 0..8: the highlighted cell */
    unsigned wins_x, wins_o, draws;
    const char *message; /* status line text; NULL: say whose turn it is */
    char taken[48];      /* the text message points to for a taken cell */
    uint64_t random_state;
};

/* One whole frame for a screen of cols x rows, ending with the cursor shown
 * on the highlighted cell's mark. */
void ttt_draw(struct outbuf *out, const struct ttt_session *s, unsigned cols, unsigned rows);

#endif
