/*
 * test_ttt.c - host tests for tic-tac-toe's rules and computer player
 * (apps/ttt/ttt.c).
 *
 * Games are written as strings of cell indices, '0'..'8', in the order the
 * moves are played (X first): "048" is X in the top left, O in the centre,
 * X in the bottom right. Expected boards, lines and best moves are worked
 * out by hand, next to each case; the published totals of tic-tac-toe
 * (255,168 games, 5,478 positions) check the rules engine as a whole.
 *
 * The never-loses proof plays the computer against every possible
 * opponent, following every one of the computer's best moves, so no
 * tie-break can hide a losing line. A separate small negamax written here,
 * sharing no code with apps/ttt/ttt.c, then re-derives the value and the best
 * moves of every reachable position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apps/ttt/ttt.h>

/* Published counts over all games: 255,168 games, of which X wins
 * 131,184, O wins 77,904 and 46,080 are drawn; 81,792 of X's wins come on
 * the 9th move. 5,478 positions can occur in play; 958 of them end a game:
 * 626 won by X, 316 by O, 16 drawn. */
#define ALL_GAMES           255168
#define ALL_GAMES_X_WINS    131184
#define ALL_GAMES_O_WINS    77904
#define ALL_GAMES_DRAWS     46080
#define NINTH_MOVE_X_WINS   81792
#define REACHABLE_POSITIONS 5478
#define FINISHED_X_WINS     626
#define FINISHED_O_WINS     316
#define FINISHED_DRAWS      16
#define BOARD_CODES         19683 /* 3^9: a board read as a base-3 number */

/* ------------------------------------------------------------ helpers */

/* Apply `moves` (see above) to *g; every one must be accepted. */
static void play_all(struct ttt_game *g, const char *moves)
{
    for (const char *m = moves; *m; m++)
        assert_int_equal(ttt_play(g, (unsigned)(*m - '0')), TTT_MOVE_OK);
}

static struct ttt_game game_after(const char *moves)
{
    struct ttt_game g;
    ttt_new_game(&g);
    play_all(&g, moves);
    return g;
}

static void assert_same_game(const struct ttt_game *a, const struct ttt_game *b)
{
    assert_memory_equal(a->cells, b->cells, TTT_CELLS);
    assert_int_equal(a->turn, b->turn);
    assert_int_equal(a->state, b->state);
    assert_memory_equal(a->win_line, b->win_line, 3);
    assert_int_equal(a->moves, b->moves);
}

/* Every kind of move into a finished game is refused and changes nothing. */
static void assert_game_over(struct ttt_game *g)
{
    const struct ttt_game before = *g;
    for (unsigned cell = 0; cell <= TTT_CELLS; cell++) {
        assert_int_equal(ttt_play(g, cell), TTT_MOVE_GAME_OVER);
        assert_same_game(g, &before);
    }
    assert_int_equal(ttt_play(g, UINT_MAX), TTT_MOVE_GAME_OVER);
    assert_same_game(g, &before);
}

/* Play `moves`; all but the last leave the game running, the last ends it
 * in `state` with `line` (when a win). */
static void check_game_ends(const char *moves, enum ttt_state state, const uint8_t line[3])
{
    struct ttt_game g;
    size_t n = strlen(moves);
    ttt_new_game(&g);
    for (size_t i = 0; i < n; i++) {
        enum ttt_mark mover = i % 2 == 0 ? TTT_X : TTT_O;
        assert_int_equal(g.turn, mover);
        assert_int_equal(g.state, TTT_PLAYING);
        assert_int_equal(ttt_play(&g, (unsigned)(moves[i] - '0')), TTT_MOVE_OK);
        assert_int_equal(g.cells[moves[i] - '0'], mover);
        assert_int_equal(g.moves, i + 1);
    }
    assert_int_equal(g.state, state);
    if (line)
        assert_memory_equal(g.win_line, line, 3);
    assert_game_over(&g);
}

/* ttt_best_moves after `moves` is exactly `want` (cells, ascending) and
 * ttt_evaluate gives `value`. */
static void check_best(const char *moves, const char *want, int value)
{
    struct ttt_game g = game_after(moves);
    uint8_t best[TTT_CELLS];
    unsigned count = ttt_best_moves(&g, best);
    assert_int_equal(count, strlen(want));
    for (unsigned i = 0; i < count; i++)
        assert_int_equal(best[i], want[i] - '0');
    assert_int_equal(ttt_evaluate(&g), value);
}

/* ------------------------------------------------------------ the rules */

static void test_new_game(void **state)
{
    (void)state;
    struct ttt_game g;
    memset(&g, 0xA5, sizeof(g)); /* garbage that ttt_new_game must replace */
    ttt_new_game(&g);
    for (unsigned cell = 0; cell < TTT_CELLS; cell++)
        assert_int_equal(g.cells[cell], TTT_EMPTY);
    assert_int_equal(g.turn, TTT_X);
    assert_int_equal(g.state, TTT_PLAYING);
    assert_int_equal(g.moves, 0);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(g.win_line[i], TTT_NO_CELL);
}

/* For each line: X fills it while O plays the two cells listed first
 * elsewhere; then O fills it while X plays three cells that are off the
 * line and not in a line of their own. */
static const struct {
    uint8_t line[3];
    const char *x_fills; /* X l0, O, X l1, O, X l2 */
    const char *o_fills; /* X, O l0, X, O l1, X, O l2 */
} line_games[] = {
    {{0, 1, 2}, "03142", "304162"}, /* top row; O 3 4 / X 3 4 6 */
    {{3, 4, 5}, "30415", "031465"}, /* middle row; O 0 1 / X 0 1 6 */
    {{6, 7, 8}, "60718", "061738"}, /* bottom row; O 0 1 / X 0 1 3 */
    {{0, 3, 6}, "01346", "102346"}, /* left column; O 1 4 / X 1 2 4 */
    {{1, 4, 7}, "10437", "012437"}, /* middle column; O 0 3 / X 0 2 3 */
    {{2, 5, 8}, "20518", "021538"}, /* right column; O 0 1 / X 0 1 3 */
    {{0, 4, 8}, "01428", "102438"}, /* diagonal; O 1 2 / X 1 2 3 */
    {{2, 4, 6}, "20416", "021436"}, /* anti-diagonal; O 0 1 / X 0 1 3 */
};

static void test_every_line_wins(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(line_games) / sizeof(line_games[0]); i++) {
        check_game_ends(line_games[i].x_fills, TTT_X_WINS, line_games[i].line);
        check_game_ends(line_games[i].o_fills, TTT_O_WINS, line_games[i].line);
    }
}

/*  X X O
 *  O O X    no line anywhere: a draw on the 9th move.
 *  X O X */
static void test_draw(void **state)
{
    (void)state;
    check_game_ends("048263571", TTT_DRAW, NULL);
    struct ttt_game g = game_after("048263571");
    static const uint8_t board[TTT_CELLS] = {TTT_X, TTT_X, TTT_O, TTT_O, TTT_O,
                                             TTT_X, TTT_X, TTT_O, TTT_X};
    assert_memory_equal(g.cells, board, TTT_CELLS);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(g.win_line[i], TTT_NO_CELL);
}

/*  X O X
 *  X O O    X's 9th move, in cell 3, fills the board and the left column:
 *  X X O    a win, not a draw. */
static void test_win_on_last_cell(void **state)
{
    (void)state;
    static const uint8_t left_column[3] = {0, 3, 6};
    check_game_ends("042175683", TTT_X_WINS, left_column);
}

static void test_refused_moves_change_nothing(void **state)
{
    (void)state;
    static const unsigned out_of_range[] = {9, 10, 255, 256, UINT_MAX};
    struct ttt_game g = game_after("4");
    struct ttt_game before = g;

    assert_int_equal(ttt_play(&g, 4), TTT_MOVE_OCCUPIED);
    assert_same_game(&g, &before);
    assert_int_equal(g.turn, TTT_O);
    for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
        assert_int_equal(ttt_play(&g, out_of_range[i]), TTT_MOVE_OUT_OF_RANGE);
        assert_same_game(&g, &before);
    }

    /* O's turn was not lost: O plays, then X meets both kinds of cell. */
    assert_int_equal(ttt_play(&g, 0), TTT_MOVE_OK);
    assert_int_equal(g.cells[0], TTT_O);
    assert_int_equal(g.turn, TTT_X);
    before = g;
    assert_int_equal(ttt_play(&g, 0), TTT_MOVE_OCCUPIED);
    assert_int_equal(ttt_play(&g, 4), TTT_MOVE_OCCUPIED);
    assert_int_equal(ttt_play(&g, 9), TTT_MOVE_OUT_OF_RANGE);
    assert_same_game(&g, &before);
}

static void test_state_messages(void **state)
{
    (void)state;
    assert_string_equal(ttt_state_message(TTT_X_WINS), "X wins!");
    assert_string_equal(ttt_state_message(TTT_O_WINS), "O wins!");
    assert_string_equal(ttt_state_message(TTT_DRAW), "Draw!");
    assert_string_equal(ttt_state_message(TTT_PLAYING), "");
}

/* Every game of tic-tac-toe, by where it ends. */
struct game_counts {
    unsigned long games, x_wins, o_wins, draws;
    unsigned long by_length[TTT_CELLS + 1]; /* games ending on move n, wins only */
};

static void count_outcome(const struct ttt_game *g, struct game_counts *c)
{
    c->games++;
    if (g->state == TTT_X_WINS)
        c->x_wins++;
    else if (g->state == TTT_O_WINS)
        c->o_wins++;
    else
        c->draws++;
    if (g->state != TTT_DRAW)
        c->by_length[g->moves]++;
}

static void every_game(const struct ttt_game *g, struct game_counts *c)
{
    if (g->state != TTT_PLAYING) {
        count_outcome(g, c);
        return;
    }
    for (unsigned cell = 0; cell < TTT_CELLS; cell++) {
        struct ttt_game next = *g;
        enum ttt_move_result want = g->cells[cell] ? TTT_MOVE_OCCUPIED : TTT_MOVE_OK;
        assert_int_equal(ttt_play(&next, cell), want);
        if (want == TTT_MOVE_OK)
            every_game(&next, c);
    }
}

static void test_all_games_match_published_counts(void **state)
{
    (void)state;
    struct game_counts c = {0};
    struct ttt_game g = game_after("");
    every_game(&g, &c);
    assert_int_equal(c.games, ALL_GAMES);
    assert_int_equal(c.x_wins, ALL_GAMES_X_WINS);
    assert_int_equal(c.o_wins, ALL_GAMES_O_WINS);
    assert_int_equal(c.draws, ALL_GAMES_DRAWS);
    assert_int_equal(c.by_length[TTT_CELLS], NINTH_MOVE_X_WINS);
    for (unsigned n = 0; n < 5; n++)
        assert_int_equal(c.by_length[n], 0); /* X needs 3 marks: move 5 at the earliest */
}

/* ------------------------------------------------------------ best moves */

/* No opening wins or loses with perfect play (each of corner, centre and
 * edge is answered to a draw), so all 9 score 0 and all are best: the
 * quickest-win rule only orders wins and there are none. */
static void test_best_moves_empty_board(void **state)
{
    (void)state;
    check_best("", "012345678", 0);
}

/* The classic replies. After a corner only the centre holds: an edge or
 * another corner lets X build two threats at once. After the centre only a
 * corner holds: an edge reply loses to X corner, O blocks, X fork. After an
 * edge, O draws with the centre, a corner next to X, or the edge opposite;
 * a far corner or an adjacent edge lose. */
static void test_best_replies_to_openings(void **state)
{
    (void)state;
    check_best("0", "4", 0);
    check_best("4", "0268", 0);
    check_best("1", "0247", 0);
}

/*  X X .
 *  . O .    X to move. Cell 2 wins now (score 10 - 1 = 9). Cells 3 and 6
 *  . . O    win too, in 3 moves, by threatening two lines; only 2 is best. */
static void test_immediate_win_is_taken(void **state)
{
    (void)state;
    check_best("0418", "2", TTT_WIN_SCORE - 1);
    /* After X 6 instead, O blocks 2 or 3 and X completes the other: O
     * loses 2 moves from now. */
    struct ttt_game g = game_after("04186");
    assert_int_equal(ttt_evaluate(&g), -(TTT_WIN_SCORE - 2));
}

/*  X X .
 *  . O .    O to move must block 2; that forces X 6, O 3, X 5, and the
 *  . . .    game is drawn. Any other move loses to X 2 at once. */
static void test_block_is_the_only_move(void **state)
{
    (void)state;
    check_best("041", "2", 0);
}

/*  X O .
 *  . X .    O to move loses whatever it does. Not blocking 8 loses 2 moves
 *  . . .    from now (score -8); blocking 8 lets X play 3 or 6, two threats
 *           at once, and win 4 moves from now (score -6): the slowest loss. */
static void test_slowest_loss_is_best(void **state)
{
    (void)state;
    check_best("014", "8", -(TTT_WIN_SCORE - 4));
}

/*  X O .
 *  . X O    O to move; X threatens 2, 3 and 8. O blocks one and loses on the
 *  X . .    next move whatever it plays: all four empty cells are equal. */
static void test_equal_losses_are_all_best(void **state)
{
    (void)state;
    check_best("01456", "2378", -(TTT_WIN_SCORE - 2));
}

static void test_finished_games(void **state)
{
    (void)state;
    uint8_t moves[TTT_CELLS];
    struct ttt_game x_won = game_after("03142");
    struct ttt_game o_won = game_after("304162");
    struct ttt_game drawn = game_after("048263571");

    assert_int_equal(ttt_best_moves(&x_won, moves), 0);
    assert_int_equal(ttt_best_moves(&drawn, moves), 0);
    assert_int_equal(ttt_choose_move(&o_won, 12345), -1);
    assert_int_equal(ttt_choose_move(&drawn, 0), -1);
    /* Scored for the player whose turn it would be: the loser. */
    assert_int_equal(ttt_evaluate(&x_won), -TTT_WIN_SCORE);
    assert_int_equal(ttt_evaluate(&o_won), -TTT_WIN_SCORE);
    assert_int_equal(ttt_evaluate(&drawn), 0);
}

/* ------------------------------------------------------------ choose_move */

/* `draws` values of `random` from a counter (as a timer gives), then as
 * many spread over 32 bits: every choice is one of the best moves, and
 * each best move is chosen at least once and at least a third as often as
 * a fair share. ttt_choose_move searches afresh each time (about 10 ms
 * from the empty board under the sanitizers), so the deep positions get
 * fewer draws. */
static void check_choices(const char *moves, uint32_t draws)
{
    struct ttt_game g = game_after(moves);
    uint8_t best[TTT_CELLS];
    unsigned count = ttt_best_moves(&g, best);

    for (unsigned round = 0; round < 2; round++) {
        unsigned hits[TTT_CELLS] = {0};
        for (uint32_t i = 0; i < draws; i++) {
            uint32_t random = round == 0 ? i : i * 2654435761u + 7u;
            int cell = ttt_choose_move(&g, random);
            assert_in_range(cell, 0, TTT_CELLS - 1);
            assert_non_null(memchr(best, cell, count));
            hits[cell]++;
        }
        for (unsigned i = 0; i < count; i++) {
            assert_true(hits[best[i]] >= 1);
            assert_true(hits[best[i]] >= draws / count / 3);
        }
    }
}

static void test_choose_move_covers_best_moves(void **state)
{
    (void)state;
    check_choices("", 90);        /* all 9 cells */
    check_choices("4", 200);      /* the 4 corners */
    check_choices("01456", 9000); /* 2, 3, 7, 8 */
    check_choices("0", 50);       /* only the centre */
    struct ttt_game g = game_after("0");
    assert_int_equal(ttt_choose_move(&g, 0), 4);
    assert_int_equal(ttt_choose_move(&g, UINT32_MAX), 4);
}

/* ------------------------------------------------------------ never loses */

struct tally {
    unsigned long games, x_wins, o_wins, draws;
    unsigned long computer_turns;
};

/* Every game from *g on, where `person` tries every empty cell and the
 * computer every one of its best moves. */
static void play_every_game(const struct ttt_game *g, enum ttt_mark person, struct tally *t)
{
    uint8_t moves[TTT_CELLS];
    unsigned count = 0;

    if (g->state != TTT_PLAYING) {
        t->games++;
        t->x_wins += g->state == TTT_X_WINS;
        t->o_wins += g->state == TTT_O_WINS;
        t->draws += g->state == TTT_DRAW;
        return;
    }
    if (g->turn == person) {
        for (unsigned cell = 0; cell < TTT_CELLS; cell++)
            if (g->cells[cell] == TTT_EMPTY)
                moves[count++] = (uint8_t)cell;
    } else {
        count = ttt_best_moves(g, moves);
        assert_true(count >= 1);
        t->computer_turns++;
    }
    for (unsigned i = 0; i < count; i++) {
        struct ttt_game next = *g;
        assert_int_equal(ttt_play(&next, moves[i]), TTT_MOVE_OK);
        play_every_game(&next, person, t);
    }
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static struct tally enumerate_games(enum ttt_mark person, const char *title)
{
    struct tally t = {0};
    struct timespec start;
    struct ttt_game g = game_after("");

    clock_gettime(CLOCK_MONOTONIC, &start);
    play_every_game(&g, person, &t);
    printf("  %s: %lu games (%lu computer turns): X wins %lu, O wins %lu, draws %lu; %.2f s\n",
           title, t.games, t.computer_turns, t.x_wins, t.o_wins, t.draws, seconds_since(&start));
    assert_int_equal(t.games, t.x_wins + t.o_wins + t.draws);
    assert_true(t.games < ALL_GAMES);
    assert_true(t.draws > 0); /* the person can play well */
    return t;
}

static void test_computer_as_o_never_loses(void **state)
{
    (void)state;
    struct tally t = enumerate_games(TTT_X, "person X, computer O");
    assert_int_equal(t.x_wins, 0);
    assert_true(t.o_wins > 0); /* and the person can blunder */
    assert_true(t.o_wins <= ALL_GAMES_O_WINS && t.draws <= ALL_GAMES_DRAWS);
}

static void test_computer_as_x_never_loses(void **state)
{
    (void)state;
    struct tally t = enumerate_games(TTT_O, "computer X, person O");
    assert_int_equal(t.o_wins, 0);
    assert_true(t.x_wins > 0);
    assert_true(t.x_wins <= ALL_GAMES_X_WINS && t.draws <= ALL_GAMES_DRAWS);
}

/* ------------------------------------------------------------ independent check */

/* A second solver, sharing nothing with apps/ttt/ttt.c: outcome and distance
 * instead of a score, lines found by loops instead of a table. */
struct outcome {
    int result;     /* for the player to move: 1 win, 0 draw, -1 loss */
    unsigned plies; /* moves until the game ends with that result */
};

static bool check_has_line(const uint8_t c[TTT_CELLS], uint8_t m)
{
    for (unsigned i = 0; i < 3; i++) {
        if (c[3 * i] == m && c[3 * i + 1] == m && c[3 * i + 2] == m)
            return true;
        if (c[i] == m && c[i + 3] == m && c[i + 6] == m)
            return true;
    }
    return c[4] == m && ((c[0] == m && c[8] == m) || (c[2] == m && c[6] == m));
}

/* Better for the one choosing: win > draw > loss; a sooner win, a later loss. */
static bool check_better(struct outcome a, struct outcome b)
{
    if (a.result != b.result)
        return a.result > b.result;
    if (a.result == 1)
        return a.plies < b.plies;
    if (a.result == -1)
        return a.plies > b.plies;
    return false;
}

static struct outcome check_solve(uint8_t c[TTT_CELLS], uint8_t m);

static struct outcome check_move(uint8_t c[TTT_CELLS], unsigned cell, uint8_t m)
{
    struct outcome o;
    c[cell] = m;
    if (check_has_line(c, m)) {
        o = (struct outcome){1, 1};
    } else if (memchr(c, TTT_EMPTY, TTT_CELLS) == NULL) {
        o = (struct outcome){0, 1};
    } else {
        struct outcome reply = check_solve(c, m == TTT_X ? TTT_O : TTT_X);
        o = (struct outcome){-reply.result, reply.plies + 1};
    }
    c[cell] = TTT_EMPTY;
    return o;
}

static struct outcome check_solve(uint8_t c[TTT_CELLS], uint8_t m)
{
    struct outcome best = {-2, 0}; /* below any real outcome */
    for (unsigned cell = 0; cell < TTT_CELLS; cell++) {
        if (c[cell] != TTT_EMPTY)
            continue;
        struct outcome o = check_move(c, cell, m);
        if (check_better(o, best))
            best = o;
    }
    return best;
}

/* Compare apps/ttt/ttt.c with the second solver on one position. */
static void check_position(const struct ttt_game *g)
{
    uint8_t c[TTT_CELLS];
    int value = ttt_evaluate(g);
    memcpy(c, g->cells, TTT_CELLS);

    if (g->state != TTT_PLAYING) {
        uint8_t last = g->turn == TTT_X ? TTT_O : TTT_X; /* who made the final move */
        assert_int_equal(value, check_has_line(c, last) ? -TTT_WIN_SCORE : 0);
        return;
    }

    struct outcome moves[TTT_CELLS], best = {-2, 0};
    for (unsigned cell = 0; cell < TTT_CELLS; cell++) {
        if (c[cell] != TTT_EMPTY)
            continue;
        moves[cell] = check_move(c, cell, (uint8_t)g->turn);
        if (check_better(moves[cell], best))
            best = moves[cell];
    }
    /* The sign agrees, and the size follows ttt.h's scale. */
    assert_int_equal(value > 0 ? 1 : value < 0 ? -1 : 0, best.result);
    if (best.result != 0)
        assert_int_equal(abs(value), TTT_WIN_SCORE - (int)best.plies);

    uint8_t want[TTT_CELLS], got[TTT_CELLS];
    unsigned n_want = 0, n_got = ttt_best_moves(g, got);
    for (unsigned cell = 0; cell < TTT_CELLS; cell++)
        if (c[cell] == TTT_EMPTY && !check_better(best, moves[cell]))
            want[n_want++] = (uint8_t)cell;
    assert_int_equal(n_got, n_want);
    assert_memory_equal(got, want, n_want);
}

static unsigned board_code(const struct ttt_game *g)
{
    unsigned code = 0;
    for (unsigned cell = 0; cell < TTT_CELLS; cell++)
        code = code * 3 + g->cells[cell];
    return code;
}

struct reachable {
    bool seen[BOARD_CODES];
    unsigned positions;
    unsigned finished[TTT_DRAW + 1]; /* by state; [TTT_PLAYING] unused */
};

/* Each position reachable from *g through ttt_play, checked once. */
static void check_reachable(const struct ttt_game *g, struct reachable *r)
{
    unsigned code = board_code(g);
    if (r->seen[code])
        return;
    r->seen[code] = true;
    r->positions++;
    check_position(g);
    if (g->state != TTT_PLAYING) {
        r->finished[g->state]++;
        return;
    }
    for (unsigned cell = 0; cell < TTT_CELLS; cell++) {
        struct ttt_game next = *g;
        if (ttt_play(&next, cell) == TTT_MOVE_OK)
            check_reachable(&next, r);
    }
}

static void test_independent_solver_agrees(void **state)
{
    (void)state;
    struct reachable *r = calloc(1, sizeof(*r));
    struct ttt_game g = game_after("");
    struct timespec start;

    assert_non_null(r);
    clock_gettime(CLOCK_MONOTONIC, &start);
    check_reachable(&g, r);
    printf("  %u reachable positions agree (finished: X won %u, O won %u, drawn %u); %.2f s\n",
           r->positions, r->finished[TTT_X_WINS], r->finished[TTT_O_WINS], r->finished[TTT_DRAW],
           seconds_since(&start));
    assert_int_equal(r->positions, REACHABLE_POSITIONS);
    assert_int_equal(r->finished[TTT_X_WINS], FINISHED_X_WINS);
    assert_int_equal(r->finished[TTT_O_WINS], FINISHED_O_WINS);
    assert_int_equal(r->finished[TTT_DRAW], FINISHED_DRAWS);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_game),
        cmocka_unit_test(test_every_line_wins),
        cmocka_unit_test(test_draw),
        cmocka_unit_test(test_win_on_last_cell),
        cmocka_unit_test(test_refused_moves_change_nothing),
        cmocka_unit_test(test_state_messages),
        cmocka_unit_test(test_all_games_match_published_counts),
        cmocka_unit_test(test_best_moves_empty_board),
        cmocka_unit_test(test_best_replies_to_openings),
        cmocka_unit_test(test_immediate_win_is_taken),
        cmocka_unit_test(test_block_is_the_only_move),
        cmocka_unit_test(test_slowest_loss_is_best),
        cmocka_unit_test(test_equal_losses_are_all_best),
        cmocka_unit_test(test_finished_games),
        cmocka_unit_test(test_choose_move_covers_best_moves),
        cmocka_unit_test(test_computer_as_o_never_loses),
        cmocka_unit_test(test_computer_as_x_never_loses),
        cmocka_unit_test(test_independent_solver_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
