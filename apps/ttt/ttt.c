/*
 * ttt.c - tic-tac-toe rules and the minimax player (see ttt.h).
 *
 * The search is negamax: a position's value for the player to move is the
 * best over its moves of that move's value, and a move that does not end
 * the game is worth the opponent's value of the position after it, negated
 * and moved one step towards zero, because the win or loss is then one
 * move further away (the TTT_WIN_SCORE scale in ttt.h). A position in the
 * search always has at least one mark and no line, so its value is never
 * +-1 and one step towards zero never reaches or crosses 0: wins stay
 * wins and losses stay losses.
 *
 * The search marks cells in one 9-byte copy of the board and clears them
 * again on the way back, so the recursion (at most 9 levels, one per empty
 * cell) carries only a pointer, a mark and a count per frame.
 */
#include <apps/ttt/ttt.h>

#define LINE_COUNT 8
#define NO_LINE    (-1)

/* Each line's cells in ascending order, which is the order win_line keeps. */
static const uint8_t lines[LINE_COUNT][3] = {
    {0, 1, 2}, {3, 4, 5}, {6, 7, 8}, /* rows */
    {0, 3, 6}, {1, 4, 7}, {2, 5, 8}, /* columns */
    {0, 4, 8}, {2, 4, 6},            /* diagonals */
};

/* A move that wins at once: TTT_WIN_SCORE - 1. Nothing scores higher. */
#define IMMEDIATE_WIN (TTT_WIN_SCORE - 1)

static enum ttt_mark opponent(enum ttt_mark mark)
{
    return mark == TTT_X ? TTT_O : TTT_X;
}

/* Index into lines[] of a line filled with `mark`, or NO_LINE. */
static int find_line(const uint8_t cells[TTT_CELLS], enum ttt_mark mark)
{
    for (int i = 0; i < LINE_COUNT; i++) {
        const uint8_t *line = lines[i];
        if (cells[line[0]] == mark && cells[line[1]] == mark && cells[line[2]] == mark)
            return i;
    }
    return NO_LINE;
}

static int negamax(uint8_t cells[TTT_CELLS], enum ttt_mark mark, unsigned empty);

/* Value, for `mark`, of playing the empty `cell` when `empty` cells are
 * free and nobody has a line yet. `cells` is put back as it was. */
static int move_value(uint8_t cells[TTT_CELLS], unsigned cell, enum ttt_mark mark, unsigned empty)
{
    int value;

    cells[cell] = (uint8_t)mark;
    if (find_line(cells, mark) != NO_LINE) {
        value = IMMEDIATE_WIN;
    } else if (empty == 1) {
        value = 0; /* the board is full: a draw */
    } else {
        value = -negamax(cells, opponent(mark), empty - 1);
        value += value > 0 ? -1 : value < 0 ? 1 : 0; /* one move further away */
    }
    cells[cell] = TTT_EMPTY;
    return value;
}

/* Value of the position for `mark` to move, with `empty` (>= 1) cells free
 * and no line on the board. */
static int negamax(uint8_t cells[TTT_CELLS], enum ttt_mark mark, unsigned empty)
{
    int best = -TTT_WIN_SCORE;

    /* An immediate win cannot be beaten, so the search stops at one. */
    for (unsigned cell = 0; cell < TTT_CELLS && best < IMMEDIATE_WIN; cell++) {
        if (cells[cell] != TTT_EMPTY)
            continue;
        int value = move_value(cells, cell, mark, empty);
        if (value > best)
            best = value;
    }
    return best;
}

static void copy_board(uint8_t to[TTT_CELLS], const struct ttt_game *g)
{
    for (unsigned cell = 0; cell < TTT_CELLS; cell++)
        to[cell] = g->cells[cell];
}

void ttt_new_game(struct ttt_game *g)
{
    for (unsigned cell = 0; cell < TTT_CELLS; cell++)
        g->cells[cell] = TTT_EMPTY;
    for (unsigned i = 0; i < 3; i++)
        g->win_line[i] = TTT_NO_CELL;
    g->turn = TTT_X;
    g->state = TTT_PLAYING;
    g->moves = 0;
}

enum ttt_move_result ttt_play(struct ttt_game *g, unsigned cell)
{
    if (g->state != TTT_PLAYING)
        return TTT_MOVE_GAME_OVER;
    if (cell >= TTT_CELLS)
        return TTT_MOVE_OUT_OF_RANGE;
    if (g->cells[cell] != TTT_EMPTY)
        return TTT_MOVE_OCCUPIED;

    enum ttt_mark mark = g->turn;
    g->cells[cell] = (uint8_t)mark;
    g->moves++;
    g->turn = opponent(mark);

    /* All 8 lines, not only those through `cell`: cheap, and it cannot
     * miss a line however the board was reached. */
    int line = find_line(g->cells, mark);
    if (line != NO_LINE) {
        for (unsigned i = 0; i < 3; i++)
            g->win_line[i] = lines[line][i];
        g->state = mark == TTT_X ? TTT_X_WINS : TTT_O_WINS;
    } else if (g->moves == TTT_CELLS) {
        g->state = TTT_DRAW;
    }
    return TTT_MOVE_OK;
}

unsigned ttt_best_moves(const struct ttt_game *g, uint8_t moves[TTT_CELLS])
{
    if (g->state != TTT_PLAYING)
        return 0;

    uint8_t cells[TTT_CELLS];
    int8_t values[TTT_CELLS];
    int best = -TTT_WIN_SCORE;
    unsigned empty = TTT_CELLS - g->moves;

    copy_board(cells, g);
    for (unsigned cell = 0; cell < TTT_CELLS; cell++) {
        if (cells[cell] != TTT_EMPTY)
            continue;
        values[cell] = (int8_t)move_value(cells, cell, g->turn, empty);
        if (values[cell] > best)
            best = values[cell];
    }

    unsigned count = 0;
    for (unsigned cell = 0; cell < TTT_CELLS; cell++)
        if (cells[cell] == TTT_EMPTY && values[cell] == best)
            moves[count++] = (uint8_t)cell;
    return count;
}

/* MurmurHash3's 32-bit finaliser (fmix32): every input bit affects every
 * output bit, so consecutive timer ticks give unrelated choices. */
static uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

int ttt_choose_move(const struct ttt_game *g, uint32_t random)
{
    uint8_t moves[TTT_CELLS];
    unsigned count = ttt_best_moves(g, moves);

    if (count == 0)
        return -1;
    /* Scale the hash to 0..count-1 by its high bits (multiply, then shift:
     * Lemire's reduction); the bias for count <= 9 is below 1 in 2^28. */
    unsigned pick = (unsigned)(((uint64_t)mix32(random) * count) >> 32);
    return moves[pick];
}

int ttt_evaluate(const struct ttt_game *g)
{
    if (g->state == TTT_DRAW)
        return 0;
    if (g->state != TTT_PLAYING) {
        enum ttt_mark winner = g->state == TTT_X_WINS ? TTT_X : TTT_O;
        return winner == g->turn ? TTT_WIN_SCORE : -TTT_WIN_SCORE;
    }

    uint8_t cells[TTT_CELLS];
    copy_board(cells, g);
    return negamax(cells, g->turn, TTT_CELLS - g->moves);
}

const char *ttt_state_message(enum ttt_state s)
{
    switch (s) {
    case TTT_X_WINS:
        return "X wins!";
    case TTT_O_WINS:
        return "O wins!";
    case TTT_DRAW:
        return "Draw!";
    case TTT_PLAYING:
    default:
        return "";
    }
}
