/*
 * test_args.c - host tests for the command line splitter (kernel/shell/args.c).
 *
 * Each table row is a line, the max_args passed, and the arguments (or the
 * error) a reader of args.h expects, written out by hand. Every line is
 * copied into a heap block of exactly its size and argv is a block of exactly
 * max_args + 1 pointers, so AddressSanitizer reports any read past the NUL or
 * write past argv's room.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/shell/args.h>

#define MAX_EXPECTED 20
#define NO_ERROR     NULL
#define UNTERMINATED "unterminated quote"
#define TOO_MANY     "too many arguments"
#define DEFAULT_MAX  16 /* what the shell passes */

struct split_case {
    const char *line;
    int max_args;
    int argc; /* -1: an error */
    const char *error;
    const char *argv[MAX_EXPECTED];
};

/* Split one case's line and compare with what the row says. */
static void check_case(const struct split_case *c)
{
    size_t size = strlen(c->line) + 1;
    char *line = malloc(size);
    int room = c->max_args > 0 ? c->max_args : 0;
    char **argv = malloc(((size_t)room + 1) * sizeof(char *));
    const char *error = "untouched";
    assert_non_null(line);
    assert_non_null(argv);
    memcpy(line, c->line, size);
    static char poison[] = "not written";
    for (int i = 0; i <= room; i++)
        argv[i] = poison; /* so a missing NULL terminator shows */

    int argc = args_split(line, argv, c->max_args, &error);
    if (argc != c->argc)
        print_error("line [%s] max %d: argc %d, expected %d\n", c->line, c->max_args, argc,
                    c->argc);
    assert_int_equal(argc, c->argc);
    if (c->argc < 0) {
        assert_string_equal(error, c->error);
    } else {
        assert_string_equal(error, "untouched"); /* success leaves *error alone */
        for (int i = 0; i < argc; i++) {
            assert_true(argv[i] >= line && argv[i] < line + size); /* in place */
            assert_string_equal(argv[i], c->argv[i]);
        }
        assert_null(argv[argc]);
    }
    free(argv);
    free(line);
}

static void run_cases(const struct split_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++)
        check_case(&cases[i]);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_blank_lines(void **state)
{
    (void)state;
    static const struct split_case cases[] = {
        {"", DEFAULT_MAX, 0, NO_ERROR, {0}},        {" ", DEFAULT_MAX, 0, NO_ERROR, {0}},
        {"     ", DEFAULT_MAX, 0, NO_ERROR, {0}},   {"\t", DEFAULT_MAX, 0, NO_ERROR, {0}},
        {" \t \t ", DEFAULT_MAX, 0, NO_ERROR, {0}},
    };
    RUN(cases);
}

static void test_plain_words(void **state)
{
    (void)state;
    static const struct split_case cases[] = {
        {"help", DEFAULT_MAX, 1, NO_ERROR, {"help"}},
        {"echo a b c", DEFAULT_MAX, 4, NO_ERROR, {"echo", "a", "b", "c"}},
        {"  echo   hi  ", DEFAULT_MAX, 2, NO_ERROR, {"echo", "hi"}},
        {"a\tb\t\tc", DEFAULT_MAX, 3, NO_ERROR, {"a", "b", "c"}},
        {" \ta \t b\t", DEFAULT_MAX, 2, NO_ERROR, {"a", "b"}},
        {"x", DEFAULT_MAX, 1, NO_ERROR, {"x"}},
        {"a\\b c\\", DEFAULT_MAX, 2, NO_ERROR, {"a\\b", "c\\"}}, /* backslash is plain outside */
        {"!@#$%^&*() 'single'", DEFAULT_MAX, 2, NO_ERROR, {"!@#$%^&*()", "'single'"}},
    };
    RUN(cases);
}

static void test_quotes(void **state)
{
    (void)state;
    static const struct split_case cases[] = {
        {"\"a b\"", DEFAULT_MAX, 1, NO_ERROR, {"a b"}},
        {"x\"y z\"w", DEFAULT_MAX, 1, NO_ERROR, {"xy zw"}},
        {"\"\"", DEFAULT_MAX, 1, NO_ERROR, {""}},
        {"a \"\" b", DEFAULT_MAX, 3, NO_ERROR, {"a", "", "b"}},
        {"\"\"\"\"", DEFAULT_MAX, 1, NO_ERROR, {""}},
        {"\"\" \"\"", DEFAULT_MAX, 2, NO_ERROR, {"", ""}},
        {"\"a\"\"b\"", DEFAULT_MAX, 1, NO_ERROR, {"ab"}},
        {"echo \"  spaced  out \"", DEFAULT_MAX, 2, NO_ERROR, {"echo", "  spaced  out "}},
        {"\"tab\there\"", DEFAULT_MAX, 1, NO_ERROR, {"tab\there"}},
        {"  \"lead\"  ", DEFAULT_MAX, 1, NO_ERROR, {"lead"}},
        {"a\"\"", DEFAULT_MAX, 1, NO_ERROR, {"a"}},
        {"\"'\"", DEFAULT_MAX, 1, NO_ERROR, {"'"}},
    };
    RUN(cases);
}

static void test_escapes_in_quotes(void **state)
{
    (void)state;
    static const struct split_case cases[] = {
        {"\"say \\\"hi\\\"\"", DEFAULT_MAX, 1, NO_ERROR, {"say \"hi\""}},
        {"\"back\\\\slash\"", DEFAULT_MAX, 1, NO_ERROR, {"back\\slash"}},
        {"\"\\\"\"", DEFAULT_MAX, 1, NO_ERROR, {"\""}},
        {"\"\\\\\"", DEFAULT_MAX, 1, NO_ERROR, {"\\"}},
        {"\"\\\\\\\"\"", DEFAULT_MAX, 1, NO_ERROR, {"\\\""}},
        {"\"\\n\"", DEFAULT_MAX, 1, NO_ERROR, {"\\n"}}, /* other escapes stay as written */
        {"\"a\\ b\"", DEFAULT_MAX, 1, NO_ERROR, {"a\\ b"}},
        {"x\"\\\"\"y", DEFAULT_MAX, 1, NO_ERROR, {"x\"y"}},
    };
    RUN(cases);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    static const struct split_case cases[] = {
        {"\"", DEFAULT_MAX, -1, UNTERMINATED, {0}},
        {"\"abc", DEFAULT_MAX, -1, UNTERMINATED, {0}},
        {"abc\"", DEFAULT_MAX, -1, UNTERMINATED, {0}},
        {"a \"b c", DEFAULT_MAX, -1, UNTERMINATED, {0}},
        {"ok \"", DEFAULT_MAX, -1, UNTERMINATED, {0}},
        {"\"a\\\"", DEFAULT_MAX, -1, UNTERMINATED, {0}}, /* the escaped quote does not close */
        {"\"a\\", DEFAULT_MAX, -1, UNTERMINATED, {0}},   /* backslash, then the end */
        {"a\\\"b", DEFAULT_MAX, -1, UNTERMINATED, {0}},  /* no escapes outside quotes */
        {"\"\"\"", DEFAULT_MAX, -1, UNTERMINATED, {0}},
    };
    RUN(cases);
}

static void test_max_args(void **state)
{
    (void)state;
    static const struct split_case cases[] = {
        {"a b", 2, 2, NO_ERROR, {"a", "b"}},
        {"a b   ", 2, 2, NO_ERROR, {"a", "b"}},
        {"a b c", 2, -1, TOO_MANY, {0}},
        {"a b \"\"", 2, -1, TOO_MANY, {0}}, /* an empty argument counts */
        {"a", 1, 1, NO_ERROR, {"a"}},
        {"", 0, 0, NO_ERROR, {0}},
        {"   ", 0, 0, NO_ERROR, {0}},
        {"a", 0, -1, TOO_MANY, {0}},
        {"a", -1, -1, TOO_MANY, {0}},
        {"", -5, 0, NO_ERROR, {0}},
        /* The first problem from the left wins. */
        {"a \"b", 1, -1, TOO_MANY, {0}},
        {"a \"b", 2, -1, UNTERMINATED, {0}},
        {"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
         16,
         16,
         NO_ERROR,
         {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}},
        {"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", 16, -1, TOO_MANY, {0}},
    };
    RUN(cases);
}

/* error may be NULL; the result still says what happened. */
static void test_null_error_pointer(void **state)
{
    (void)state;
    char unterminated[] = "\"open";
    char many[] = "a b";
    char fine[] = "a";
    char *argv[2];
    assert_int_equal(args_split(unterminated, argv, 1, NULL), -1);
    assert_int_equal(args_split(many, argv, 1, NULL), -1);
    assert_int_equal(args_split(fine, argv, 1, NULL), 1);
    assert_string_equal(argv[0], "a");
    assert_null(argv[1]);
}

/* The split happens in place: each argument is a NUL-terminated stretch of
 * the line itself, in order. */
static void test_in_place_layout(void **state)
{
    (void)state;
    char line[] = "  ab \"c d\"  e";
    char *argv[4];
    assert_int_equal(args_split(line, argv, 3, NULL), 3);
    assert_ptr_equal(argv[0], line + 2);
    assert_ptr_equal(argv[1], line + 5);
    assert_ptr_equal(argv[2], line + 12);
    assert_string_equal(argv[0], "ab");
    assert_string_equal(argv[1], "c d");
    assert_string_equal(argv[2], "e");
    assert_null(argv[3]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_plain_words),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_escapes_in_quotes),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_max_args),
        cmocka_unit_test(test_null_error_pointer),
        cmocka_unit_test(test_in_place_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
