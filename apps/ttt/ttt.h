/*
 * ttt.h - tic-tac-toe: the rules, and a computer player that never loses.
 *
 * The board is nine cells, indexed 0..8 row by row from the top left; a
 * person sees them numbered 1..9:
 *
 *      1 | 2 | 3        0 | 1 | 2
 *      4 | 5 | 6   =    3 | 4 | 5   (cell index = number - 1)
 *      7 | 8 | 9        6 | 7 | 8
 *
 * X always starts and the players alternate. A game ends when a mark fills
 * one of the 8 lines (3 rows, 3 columns, 2 diagonals), which wins even if
 * that move also filled the board, or when the board is full without a
 * line, which is a draw.
 *
 * The computer plays by minimax over the whole remaining game: a 3x3 game
 * tree has at most 549,946 nodes, so it searches exhaustively with no memo,
 * recursing at most 9 deep with frames of a few words. Everything here is
 * a pure function of the struct passed in: no global state, no allocation.
 */
#ifndef KEEL_APPS_TTT_TTT_H
#define KEEL_APPS_TTT_TTT_H

#include <stdint.h>

#define TTT_CELLS   9
#define TTT_NO_CELL 0xFF /* win_line's contents while nobody has won */

/* The scale of ttt_evaluate: a win for the player to move, k moves from
 * now (counting both players' moves, the winning one included, so
 * k = 1..9), scores TTT_WIN_SCORE - k; a loss k moves from now scores
 * -(TTT_WIN_SCORE - k); a draw scores 0. So a quicker win scores higher
 * and a slower loss scores higher. A finished game is k = 0: a loss
 * scores -TTT_WIN_SCORE for the player whose turn it would be. */
#define TTT_WIN_SCORE 10

enum ttt_mark { TTT_EMPTY = 0, TTT_X = 1, TTT_O = 2 };
enum ttt_state { TTT_PLAYING, TTT_X_WINS, TTT_O_WINS, TTT_DRAW };
enum ttt_move_result { TTT_MOVE_OK, TTT_MOVE_OCCUPIED, TTT_MOVE_OUT_OF_RANGE, TTT_MOVE_GAME_OVER };

struct ttt_game {
    uint8_t cells[TTT_CELLS]; /* enum ttt_mark, index 0..8 as drawn above */
    enum ttt_mark turn;       /* who moves next; passes on every accepted move, the last too */
    enum ttt_state state;
    uint8_t win_line[3]; /* the winning cells (0..8, ascending) when state is a win,
                            otherwise TTT_NO_CELL */
    unsigned moves;      /* marks on the board */
};

/* An empty board, X to move. */
void ttt_new_game(struct ttt_game *g);

/* The player to move puts a mark on `cell` (0..8). Anything but
 * TTT_MOVE_OK changes nothing, so the same player is still to move.
 * Checked in this order: GAME_OVER, OUT_OF_RANGE, OCCUPIED. */
enum ttt_move_result ttt_play(struct ttt_game *g, unsigned cell);

/* Every move that is best for the player to move under perfect play by
 * both sides: win over draw over loss; among wins the quickest, among
 * losses the slowest (the ttt_evaluate scale). Written to moves[] in
 * ascending cell order; returns how many (1..9), or 0 if the game is over. */
unsigned ttt_best_moves(const struct ttt_game *g, uint8_t moves[TTT_CELLS]);

/* One of ttt_best_moves, picked by `random` (any 32-bit value: a counter
 * or the timer will do, it is hashed first) so that equal moves vary.
 * Returns the cell (0..8), or -1 if the game is over. */
int ttt_choose_move(const struct ttt_game *g, uint32_t random);

/* The minimax value of the position for the player to move, on the
 * TTT_WIN_SCORE scale: > 0 a forced win, 0 a draw, < 0 a forced loss. */
int ttt_evaluate(const struct ttt_game *g);

/* "X wins!", "O wins!", "Draw!", or "" while playing. */
const char *ttt_state_message(enum ttt_state s);

#endif
