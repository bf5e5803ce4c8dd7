/*
 * game.h - the full-screen tic-tac-toe game behind the shell's `ttt`.
 */
#ifndef KEEL_APPS_TTT_GAME_H
#define KEEL_APPS_TTT_GAME_H

#include <stdbool.h>

/* Play rounds until Q or Esc, then put the shell's screen back. Against
 * the computer the person is X (X always starts); with two_players both
 * marks are played from the keyboard. */
void ttt_app_run(bool two_players);

#endif
