/*
 * test_sleep_queue.c - host tests for the queue of sleeping threads
 * (kernel/sched/sleep_queue.c).
 *
 * The unit cases check each contract of sleep_queue.h: sorting, equal
 * deadlines in insertion order, the pop_expired boundary (deadline == now
 * expires, now + 1 does not), deadlines of 0 and UINT64_MAX, removal
 * anywhere. The model cases run long random sequences of insert, remove,
 * pop and advance-time against a sorted array of their own and compare
 * queue and model after every step; the second starts the clock just
 * below UINT64_MAX and lets it creep up to it, so that deadlines saturate
 * there and the last ones expire only at UINT64_MAX itself. Fixed seed
 * (tests/host/test_random.h), so a failure repeats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <kernel/sched/sleep_queue.h>
#include <tests/host/test_random.h>

#define NODES       8
#define MODEL_NODES 24                   /* the random tests' threads */
#define MODEL_STEPS 200000               /* random operations per model test */
#define NEAR_END    (UINT64_MAX - 20000) /* a clock close to the end of time */
#define UNTOUCHED   0x5C5C5C5Cull

static struct sleep_queue sq;
static struct sleep_node nodes[NODES];

static int setup(void **state)
{
    (void)state;
    memset(&sq, 0xA5, sizeof(sq)); /* garbage that sleep_queue_init must replace */
    memset(nodes, 0xA5, sizeof(nodes));
    sleep_queue_init(&sq);
    for (int i = 0; i < NODES; i++)
        sleep_node_init(&nodes[i]);
    return 0;
}

static void insert(int i, uint64_t deadline)
{
    sleep_queue_insert(&sq, &nodes[i], deadline);
    assert_true(nodes[i].queued);
    assert_int_equal(nodes[i].deadline, deadline);
    assert_true(sleep_queue_check(&sq));
}

/* pop_expired at now must return exactly nodes[i]. */
static void expect_expired(uint64_t now, int i)
{
    struct sleep_node *node = sleep_queue_pop_expired(&sq, now);
    assert_ptr_equal(node, &nodes[i]);
    assert_false(node->queued);
    assert_null(node->next);
    assert_true(sleep_queue_check(&sq));
}

static void expect_earliest(uint64_t want)
{
    uint64_t deadline = UNTOUCHED;
    assert_true(sleep_queue_earliest(&sq, &deadline));
    assert_int_equal(deadline, want);
}

static void expect_empty(void)
{
    uint64_t deadline = UNTOUCHED;
    assert_false(sleep_queue_earliest(&sq, &deadline));
    assert_int_equal(deadline, UNTOUCHED);
    assert_int_equal(sleep_queue_count(&sq), 0);
    assert_null(sleep_queue_pop_expired(&sq, UINT64_MAX));
    assert_true(sleep_queue_check(&sq));
}

/* ------------------------------------------------------------ unit cases */

static void test_init_is_empty(void **state)
{
    (void)state;
    expect_empty();
    assert_null(sleep_queue_pop_expired(&sq, 0));
    assert_false(nodes[0].queued);
    assert_null(nodes[0].next);
}

static void test_sorted_by_deadline(void **state)
{
    (void)state;
    insert(0, 500);
    insert(1, 100);
    insert(2, 300);
    insert(3, 900);
    insert(4, 200);
    assert_int_equal(sleep_queue_count(&sq), 5);
    expect_earliest(100);
    expect_expired(1000, 1);
    expect_expired(1000, 4);
    expect_expired(1000, 2);
    expect_expired(1000, 0);
    expect_expired(1000, 3);
    expect_empty();
}

static void test_equal_deadlines_in_insertion_order(void **state)
{
    (void)state;
    insert(0, 50);
    insert(1, 70);
    insert(2, 50);
    insert(3, 10);
    insert(4, 50);
    insert(5, 70);
    expect_expired(70, 3);
    expect_expired(70, 0);
    expect_expired(70, 2);
    expect_expired(70, 4);
    expect_expired(70, 1);
    expect_expired(70, 5);
    expect_empty();
}

/* deadline == now has expired; one nanosecond before it has not. */
static void test_pop_expired_boundary(void **state)
{
    (void)state;
    insert(0, 1000);
    assert_null(sleep_queue_pop_expired(&sq, 0));
    assert_null(sleep_queue_pop_expired(&sq, 999));
    assert_int_equal(sleep_queue_count(&sq), 1);
    expect_expired(1000, 0);
    insert(1, 1000);
    expect_expired(5000, 1); /* well past it, too */
    expect_empty();
}

/* The loop the scheduler runs takes every expired node, in order, and stops
 * at the first one still in the future. */
static void test_pop_expired_loop_stops_at_future(void **state)
{
    (void)state;
    static const uint64_t deadlines[] = {40, 10, 30, 31, 20, 30};
    static const int expired_order[] = {1, 4, 2, 5};
    struct sleep_node *node;
    int popped = 0;

    for (int i = 0; i < 6; i++)
        insert(i, deadlines[i]);
    while ((node = sleep_queue_pop_expired(&sq, 30)) != NULL)
        assert_ptr_equal(node, &nodes[expired_order[popped++]]);
    assert_int_equal(popped, 4);
    assert_int_equal(sleep_queue_count(&sq), 2);
    expect_earliest(31);
}

static void test_deadline_zero_and_max(void **state)
{
    (void)state;
    insert(0, UINT64_MAX);
    insert(1, 0);
    insert(2, UINT64_MAX);
    expect_earliest(0);
    expect_expired(0, 1);
    expect_earliest(UINT64_MAX);
    assert_null(sleep_queue_pop_expired(&sq, UINT64_MAX - 1));
    expect_expired(UINT64_MAX, 0);
    expect_expired(UINT64_MAX, 2);
    expect_empty();
}

static void test_remove_head_middle_tail(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        insert(i, 100 * (uint64_t)(i + 1));
    assert_true(sleep_queue_remove(&sq, &nodes[2])); /* middle */
    assert_true(sleep_queue_check(&sq));
    assert_true(sleep_queue_remove(&sq, &nodes[0])); /* head */
    assert_true(sleep_queue_check(&sq));
    expect_earliest(200);
    assert_true(sleep_queue_remove(&sq, &nodes[4])); /* tail */
    assert_true(sleep_queue_check(&sq));
    assert_false(nodes[4].queued);
    assert_null(nodes[4].next);
    assert_int_equal(sleep_queue_count(&sq), 2);
    expect_expired(UINT64_MAX, 1);
    expect_expired(UINT64_MAX, 3);
    expect_empty();
}

static void test_remove_unqueued_is_refused(void **state)
{
    (void)state;
    insert(0, 10);
    assert_false(sleep_queue_remove(&sq, &nodes[1])); /* never queued */
    expect_expired(10, 0);
    assert_false(sleep_queue_remove(&sq, &nodes[0])); /* popped */
    insert(0, 20);
    assert_true(sleep_queue_remove(&sq, &nodes[0]));
    assert_false(sleep_queue_remove(&sq, &nodes[0])); /* removed */
    expect_empty();
}

/* A node queued in another sleep queue is not this queue's to remove. */
static void test_remove_from_wrong_queue_is_refused(void **state)
{
    (void)state;
    struct sleep_queue other;

    sleep_queue_init(&other);
    sleep_queue_insert(&other, &nodes[0], 10);
    insert(1, 10);
    assert_false(sleep_queue_remove(&sq, &nodes[0]));
    assert_true(nodes[0].queued);
    assert_int_equal(sleep_queue_count(&sq), 1);
    assert_int_equal(sleep_queue_count(&other), 1);
    assert_true(sleep_queue_remove(&other, &nodes[0]));
}

/* Inserting a queued node is a caller's bug; the queue stays sound. */
static void test_insert_of_queued_node_is_ignored(void **state)
{
    (void)state;
    insert(0, 10);
    insert(1, 20);
    sleep_queue_insert(&sq, &nodes[0], 30);
    assert_true(sleep_queue_check(&sq));
    assert_int_equal(sleep_queue_count(&sq), 2);
    assert_int_equal(nodes[0].deadline, 10);
    expect_expired(UINT64_MAX, 0);
    expect_expired(UINT64_MAX, 1);
}

/* A woken thread sleeps again with a new deadline. */
static void test_reinsert_after_pop(void **state)
{
    (void)state;
    insert(0, 10);
    insert(1, 15);
    expect_expired(10, 0);
    insert(0, 12);
    expect_expired(20, 0);
    expect_expired(20, 1);
    expect_empty();
}

/* sleep_queue_check notices disorder, a wrong count and a loop. */
static void test_check_notices_damage(void **state)
{
    (void)state;
    insert(0, 10);
    insert(1, 20);
    nodes[1].deadline = 5;
    assert_false(sleep_queue_check(&sq));
    nodes[1].deadline = 20;
    sq.count = 3;
    assert_false(sleep_queue_check(&sq));
    sq.count = 2;
    nodes[1].next = &nodes[0];
    assert_false(sleep_queue_check(&sq));
    nodes[1].next = NULL;
    assert_true(sleep_queue_check(&sq));
}

/* ----------------------------------------------------- reference model */

/* The model: the queued nodes (indices into model_nodes) with their
 * deadlines, sorted, ties in insertion order. */
struct model {
    int node[MODEL_NODES];
    uint64_t deadline[MODEL_NODES];
    int length;
    bool queued[MODEL_NODES];
    uint64_t now;
    bool big_jumps; /* the clock may leap; otherwise it creeps a few ns at a time */
};

static struct sleep_node model_nodes[MODEL_NODES];
static struct model model;

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void model_insert(int i, uint64_t deadline)
{
    int at = model.length;

    while (at > 0 && model.deadline[at - 1] > deadline)
        at--;
    memmove(&model.node[at + 1], &model.node[at], (size_t)(model.length - at) * sizeof(int));
    memmove(&model.deadline[at + 1], &model.deadline[at],
            (size_t)(model.length - at) * sizeof(uint64_t));
    model.node[at] = i;
    model.deadline[at] = deadline;
    model.length++;
    model.queued[i] = true;
}

static void model_delete_at(int at)
{
    model.queued[model.node[at]] = false;
    memmove(&model.node[at], &model.node[at + 1], (size_t)(model.length - at - 1) * sizeof(int));
    memmove(&model.deadline[at], &model.deadline[at + 1],
            (size_t)(model.length - at - 1) * sizeof(uint64_t));
    model.length--;
}

static void model_delete(int i)
{
    int at = 0;
    while (model.node[at] != i)
        at++;
    model_delete_at(at);
}

/* Queue and model agree in every respect. */
static void expect_model(void)
{
    const struct sleep_node *node = sq.head;
    uint64_t deadline = UNTOUCHED;

    assert_true(sleep_queue_check(&sq));
    assert_int_equal(sleep_queue_count(&sq), model.length);
    assert_int_equal(sleep_queue_earliest(&sq, &deadline), model.length > 0);
    assert_int_equal(deadline, model.length > 0 ? model.deadline[0] : UNTOUCHED);
    for (int k = 0; k < model.length; k++, node = node->next) {
        assert_ptr_equal(node, &model_nodes[model.node[k]]);
        assert_int_equal(node->deadline, model.deadline[k]);
    }
    assert_null(node);
    for (int i = 0; i < MODEL_NODES; i++)
        assert_int_equal(model_nodes[i].queued, model.queued[i]);
}

/* Deadlines with many ties, some already past, some far off, some never. */
static uint64_t random_deadline(void)
{
    switch (rng_below(8)) {
    case 0:
        return UINT64_MAX;
    case 1:
        return model.now - (model.now < 50 ? model.now : rng_below(50)); /* past */
    case 2:
        return saturating_add(model.now, rng_next() >> rng_below(64));
    default:
        return saturating_add(model.now, rng_below(8));
    }
}

static void step_insert(int i)
{
    uint64_t deadline = random_deadline();
    sleep_queue_insert(&sq, &model_nodes[i], deadline);
    if (!model.queued[i])
        model_insert(i, deadline);
}

static void step_remove(int i)
{
    bool was_queued = model.queued[i];
    assert_int_equal(sleep_queue_remove(&sq, &model_nodes[i]), was_queued);
    if (was_queued)
        model_delete(i);
}

/* One pop_expired at the current time. */
static void step_pop(void)
{
    bool due = model.length > 0 && model.deadline[0] <= model.now;
    struct sleep_node *node = sleep_queue_pop_expired(&sq, model.now);

    assert_ptr_equal(node, due ? &model_nodes[model.node[0]] : NULL);
    if (due)
        model_delete_at(0);
}

/* The clock moves on and the scheduler wakes everything that is due. */
static void step_advance(void)
{
    bool leap = model.big_jumps && rng_below(4) == 0;
    uint64_t jump = leap ? rng_next() >> rng_below(64) : rng_below(4);
    model.now = saturating_add(model.now, jump);
    do {
        step_pop();
        expect_model();
    } while (model.length > 0 && model.deadline[0] <= model.now);
    assert_null(sleep_queue_pop_expired(&sq, model.now));
}

static void run_against_model(uint64_t start, bool big_jumps)
{
    memset(&model, 0, sizeof(model));
    model.now = start;
    model.big_jumps = big_jumps;
    for (int i = 0; i < MODEL_NODES; i++)
        sleep_node_init(&model_nodes[i]);
    for (long step = 0; step < MODEL_STEPS; step++) {
        int i = (int)rng_below(MODEL_NODES);
        uint64_t op = rng_below(8);
        if (op < 4)
            step_insert(i);
        else if (op < 6)
            step_remove(i);
        else if (op == 6)
            step_pop();
        else
            step_advance();
        expect_model();
    }
}

static void test_matches_model(void **state)
{
    (void)state;
    run_against_model(0, true);
}

static void test_matches_model_near_end_of_time(void **state)
{
    (void)state;
    run_against_model(NEAR_END, false);
    assert_int_equal(model.now, UINT64_MAX); /* the clock did reach the end */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_is_empty, setup),
        cmocka_unit_test_setup(test_sorted_by_deadline, setup),
        cmocka_unit_test_setup(test_equal_deadlines_in_insertion_order, setup),
        cmocka_unit_test_setup(test_pop_expired_boundary, setup),
        cmocka_unit_test_setup(test_pop_expired_loop_stops_at_future, setup),
        cmocka_unit_test_setup(test_deadline_zero_and_max, setup),
        cmocka_unit_test_setup(test_remove_head_middle_tail, setup),
        cmocka_unit_test_setup(test_remove_unqueued_is_refused, setup),
        cmocka_unit_test_setup(test_remove_from_wrong_queue_is_refused, setup),
        cmocka_unit_test_setup(test_insert_of_queued_node_is_ignored, setup),
        cmocka_unit_test_setup(test_reinsert_after_pop, setup),
        cmocka_unit_test_setup(test_check_notices_damage, setup),
        cmocka_unit_test_setup(test_matches_model, setup),
        cmocka_unit_test_setup(test_matches_model_near_end_of_time, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
