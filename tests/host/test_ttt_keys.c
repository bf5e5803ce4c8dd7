/*
 * test_ttt_keys.c - host tests for the raw-input key decoder of the ttt
 * program (user/programs/ttt_keys.c): characters, Enter in both forms,
 * Escape alone and before another key, the arrows in both of a terminal's
 * forms, other sequences skipped whole, a sequence cut short, the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <user/programs/ttt_keys.h>

#define MAX_KEYS 16

static size_t decode(const char *bytes, struct key *keys)
{
    return keys_decode(bytes, strlen(bytes), keys, MAX_KEYS);
}

static void test_characters(void **state)
{
    (void)state;
    struct key keys[MAX_KEYS];
    assert_int_equal(decode("5qR ", keys), 4);
    assert_int_equal(keys[0].kind, KEY_CHAR);
    assert_int_equal(keys[0].ch, '5');
    assert_int_equal(keys[1].ch, 'q');
    assert_int_equal(keys[2].ch, 'R');
    assert_int_equal(keys[3].ch, ' ');
}

static void test_enter(void **state)
{
    (void)state;
    struct key keys[MAX_KEYS];
    assert_int_equal(decode("\r\n", keys), 2);
    assert_int_equal(keys[0].kind, KEY_ENTER);
    assert_int_equal(keys[1].kind, KEY_ENTER);
}

static void test_escape_alone(void **state)
{
    (void)state;
    struct key keys[MAX_KEYS];
    assert_int_equal(decode("\x1b", keys), 1);
    assert_int_equal(keys[0].kind, KEY_ESCAPE);
    assert_int_equal(decode("7\x1b", keys), 2);
    assert_int_equal(keys[1].kind, KEY_ESCAPE);
}

static void test_escape_then_a_key(void **state)
{
    (void)state;
    struct key keys[MAX_KEYS];
    assert_int_equal(decode("\x1bq", keys), 2);
    assert_int_equal(keys[0].kind, KEY_ESCAPE);
    assert_int_equal(keys[1].kind, KEY_CHAR);
    assert_int_equal(keys[1].ch, 'q');
    assert_int_equal(decode("\x1b\x1b", keys), 2);
    assert_int_equal(keys[0].kind, KEY_ESCAPE);
    assert_int_equal(keys[1].kind, KEY_ESCAPE);
}

static void test_arrows(void **state)
{
    (void)state;
    struct key keys[MAX_KEYS];
    assert_int_equal(decode("\x1b[A\x1b[B\x1b[C\x1b[D", keys), 4);
    assert_int_equal(keys[0].kind, KEY_UP);
    assert_int_equal(keys[1].kind, KEY_DOWN);
    assert_int_equal(keys[2].kind, KEY_RIGHT);
    assert_int_equal(keys[3].kind, KEY_LEFT);
    assert_int_equal(decode("\x1bOA\x1bOD", keys), 2); /* application mode */
    assert_int_equal(keys[0].kind, KEY_UP);
    assert_int_equal(keys[1].kind, KEY_LEFT);
}

static void test_other_sequences_are_skipped(void **state)
{
    (void)state;
    struct key keys[MAX_KEYS];
    /* Delete, Home, Ctrl+Right, F5: none is a key of the game; the 1 after is. */
    assert_int_equal(decode("\x1b[3~\x1b[H\x1b[1;5C\x1b[15~1", keys), 1);
    assert_int_equal(keys[0].kind, KEY_CHAR);
    assert_int_equal(keys[0].ch, '1');
}

static void test_sequence_cut_short_is_dropped(void **state)
{
    (void)state;
    struct key keys[MAX_KEYS];
    assert_int_equal(decode("2\x1b[", keys), 1);
    assert_int_equal(keys[0].ch, '2');
    assert_int_equal(decode("\x1b[12;", keys), 0);
}

static void test_at_most_max_keys(void **state)
{
    (void)state;
    struct key keys[3];
    memset(keys, 0x55, sizeof(keys));
    assert_int_equal(keys_decode("123456", 6, keys, 2), 2);
    assert_int_equal(keys[1].ch, '2');
    assert_int_equal((unsigned char)keys[2].ch, 0x55); /* untouched */
    assert_int_equal(keys_decode("", 0, keys, 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_characters),
        cmocka_unit_test(test_enter),
        cmocka_unit_test(test_escape_alone),
        cmocka_unit_test(test_escape_then_a_key),
        cmocka_unit_test(test_arrows),
        cmocka_unit_test(test_other_sequences_are_skipped),
        cmocka_unit_test(test_sequence_cut_short_is_dropped),
        cmocka_unit_test(test_at_most_max_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
