/*
 * ttt.c - tic-tac-toe as a program in ring 3: the built-in game
 * (apps/ttt/game.c) played through system calls alone.
 *
 *   ttt [2]     against the computer (you are X), or 2 for two players
 *
 * The rules and the computer's minimax are apps/ttt/ttt.c, compiled in as
 * they are; the screen is user/programs/ttt_screen.c, keys come from raw
 * console input (user/programs/ttt_keys.c). The game runs on the console's
 * alternate screen, in raw mode; Q or Esc puts back the main screen, the
 * cursor, the colours and line mode. (If the program is killed instead,
 * Ctrl+C, the kernel resets the console itself.)
 */
#include <apps/ttt/ttt.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <user/lib/outbuf.h>
#include <user/lib/stdio.h>
#include <user/lib/sys.h>
#include <user/programs/ttt_keys.h>
#include <user/programs/ttt_screen.h>

#define COMPUTER_PAUSE_MS 300 /* so that a person sees the reply arrive */
#define READ_MAX          64
#define FRAME_BUFFER      8192 /* more than a frame: each goes out in one write */

static char frame_buffer[FRAME_BUFFER];

/* xorshift64 (Marsaglia): enough to vary the computer among equal moves. */
static uint32_t next_random(struct ttt_session *s)
{
    s->random_state ^= s->random_state << 13;
    s->random_state ^= s->random_state >> 7;
    s->random_state ^= s->random_state << 17;
    return (uint32_t)(s->random_state >> 32);
}

/* Send text to the console as it is. */
static void send(const char *text)
{
    outbuf_write_all(write, KEEL_STDOUT, text, strlen(text), NULL);
}

/* The whole screen, in one write. */
static void draw(const struct ttt_session *s)
{
    long size = console_size();
    unsigned cols = size > 0 ? (unsigned)(size >> 16) & 0xffff : TTT_LAYOUT_WIDTH;
    unsigned rows = size > 0 ? (unsigned)size & 0xffff : TTT_LAYOUT_HEIGHT;
    struct outbuf out;
    outbuf_init(&out, KEEL_STDOUT, write, frame_buffer, sizeof(frame_buffer));
    ttt_draw(&out, s, cols, rows);
    outbuf_flush(&out);
}

static void count_result(struct ttt_session *s)
{
    if (s->game.state == TTT_X_WINS)
        s->wins_x++;
    else if (s->game.state == TTT_O_WINS)
        s->wins_o++;
    else if (s->game.state == TTT_DRAW)
        s->draws++;
}

static void computer_moves(struct ttt_session *s)
{
    draw(s);
    sleep_ms(COMPUTER_PAUSE_MS);
    int cell = ttt_choose_move(&s->game, next_random(s));
    if (cell >= 0 && ttt_play(&s->game, (unsigned)cell) == TTT_MOVE_OK) {
        s->selected = (unsigned)cell;
        count_result(s);
    }
}

/* The person (or, with two players, whoever's turn it is) plays `cell`. */
static void play(struct ttt_session *s, unsigned cell)
{
    switch (ttt_play(&s->game, cell)) {
    case TTT_MOVE_OK:
        s->selected = cell;
        s->message = NULL;
        count_result(s);
        if (!s->two_players && s->game.state == TTT_PLAYING)
            computer_moves(s);
        break;
    case TTT_MOVE_OCCUPIED:
        snprintf(s->taken, sizeof(s->taken), "Cell %u is taken: choose another one.", cell + 1);
        s->message = s->taken;
        break;
    default:
        break; /* out of range cannot come from the keys; game over: R or Q */
    }
}

/* Arrow keys move the highlight, wrapping around the board's edges. */
static void move_selection(struct ttt_session *s, enum key_kind arrow)
{
    unsigned row = s->selected / 3, col = s->selected % 3;
    if (arrow == KEY_UP)
        row = (row + 2) % 3;
    else if (arrow == KEY_DOWN)
        row = (row + 1) % 3;
    else if (arrow == KEY_LEFT)
        col = (col + 2) % 3;
    else
        col = (col + 1) % 3;
    s->selected = row * 3 + col;
}

static void new_round(struct ttt_session *s)
{
    ttt_new_game(&s->game);
    s->selected = 4; /* the centre */
    s->message = NULL;
}

/* React to one key; false when the person wants to leave. */
static bool handle_key(struct ttt_session *s, const struct key *key)
{
    char c = key->kind == KEY_CHAR ? key->ch : '\0';
    if (key->kind == KEY_ESCAPE || c == 'q' || c == 'Q')
        return false;
    if (c == 'r' || c == 'R') {
        if (s->game.state == TTT_PLAYING && s->game.moves > 0)
            s->message = "Finish this round first (or Q to leave).";
        else
            new_round(s);
    } else if (c >= '1' && c <= '9') {
        play(s, (unsigned)(c - '1'));
    } else if (key->kind == KEY_UP || key->kind == KEY_DOWN || key->kind == KEY_LEFT ||
               key->kind == KEY_RIGHT) {
        if (s->game.state == TTT_PLAYING)
            move_selection(s, key->kind);
    } else if (key->kind == KEY_ENTER || c == ' ') {
        play(s, s->selected);
    }
    return true;
}

/* Draw, read keys, react: until Q or Esc (true) or the console fails (false). */
static bool play_rounds(struct ttt_session *s)
{
    for (;;) {
        draw(s);
        char bytes[READ_MAX];
        long got = read(KEEL_STDIN, bytes, sizeof(bytes));
        if (got <= 0)
            return false;
        struct key keys[READ_MAX];
        size_t count = keys_decode(bytes, (size_t)got, keys, READ_MAX);
        for (size_t i = 0; i < count; i++) {
            if (!handle_key(s, &keys[i]))
                return true;
        }
    }
}

int main(int argc, char **argv)
{
    static struct ttt_session s;
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "2") != 0)) {
        dprintf(KEEL_STDERR, "usage: %s [2]   (2: two players)\n", argv[0]);
        return 2;
    }
    s.two_players = argc == 2;
    s.random_state = ((uint64_t)uptime_ms() << 20) ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ull;
    int previous_mode = console_mode(KEEL_CONSOLE_RAW);
    if (previous_mode < 0) {
        dprintf(KEEL_STDERR, "ttt: no raw console input: %s\n", error_name(previous_mode));
        return 1;
    }
    send(ANSI_ALTERNATE_SCREEN ANSI_RESET ANSI_CLEAR);
    new_round(&s);
    bool left = play_rounds(&s);
    send(ANSI_RESET ANSI_CURSOR_SHOW ANSI_MAIN_SCREEN);
    console_mode(previous_mode);
    return left ? 0 : 1;
}
