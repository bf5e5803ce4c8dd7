/*
 * test_run_queue.c - host tests for the scheduler's run queue
 * (kernel/sched/run_queue.c).
 *
 * The unit cases check each contract of run_queue.h on a handful of nodes;
 * the last case runs long random sequences of push, remove, pop, peek,
 * pop_if (a CPU taking only the threads it may run: a random set of the
 * nodes fits), change-priority and end-of-slice rotation against a reference model of
 * its own (one array per level, in queue order) and compares queue and
 * model after every step: count, best priority, each level's order, each
 * node's queued flag and priority, and run_queue_check. The random numbers
 * come from a fixed seed (tests/host/test_random.h), so a failure repeats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <kernel/sched/run_queue.h>
#include <tests/host/test_random.h>

#define NODES       16
#define MODEL_NODES 24     /* the random test's threads */
#define MODEL_STEPS 200000 /* random operations in the model test */
#define BAD_LEVEL   7      /* a priority outside the levels */

static struct run_queue rq;
static struct rq_node nodes[NODES];

static int setup(void **state)
{
    (void)state;
    memset(&rq, 0xA5, sizeof(rq)); /* garbage that run_queue_init must replace */
    memset(nodes, 0xA5, sizeof(nodes));
    run_queue_init(&rq);
    for (int i = 0; i < NODES; i++)
        rq_node_init(&nodes[i]);
    return 0;
}

/* Pop must return exactly nodes[i]. */
static void expect_pop(int i)
{
    struct rq_node *node = run_queue_pop(&rq);
    assert_ptr_equal(node, &nodes[i]);
    assert_false(node->queued);
    assert_true(run_queue_check(&rq));
}

static void expect_empty(void)
{
    assert_int_equal(run_queue_count(&rq), 0);
    assert_int_equal(run_queue_best_priority(&rq), -1);
    assert_null(run_queue_peek(&rq));
    assert_null(run_queue_pop(&rq));
    assert_int_equal(rq.nonempty, 0);
    assert_true(run_queue_check(&rq));
}

static void push(int i, enum thread_priority priority)
{
    run_queue_push(&rq, &nodes[i], priority);
    assert_true(nodes[i].queued);
    assert_true(run_queue_check(&rq));
}

/* ------------------------------------------------------------ unit cases */

static void test_init_is_empty(void **state)
{
    (void)state;
    expect_empty();
    assert_false(nodes[0].queued);
    assert_null(nodes[0].next);
    assert_null(nodes[0].prev);
}

static void test_fifo_within_level(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        push(i, PRIORITY_NORMAL);
    assert_int_equal(run_queue_count(&rq), 5);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_NORMAL);
    assert_ptr_equal(run_queue_peek(&rq), &nodes[0]);
    for (int i = 0; i < 5; i++)
        expect_pop(i);
    expect_empty();
}

/* A thread put back after its slice goes behind the others of its level. */
static void test_round_robin(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        push(i, PRIORITY_BACKGROUND);
    for (int lap = 0; lap < 7; lap++) {
        struct rq_node *node = run_queue_pop(&rq);
        assert_ptr_equal(node, &nodes[lap % 3]);
        run_queue_push(&rq, node, node->priority);
    }
    assert_int_equal(run_queue_count(&rq), 3);
    assert_true(run_queue_check(&rq));
}

static void test_priority_order(void **state)
{
    (void)state;
    push(0, PRIORITY_BACKGROUND);
    push(1, PRIORITY_NORMAL);
    push(2, PRIORITY_BACKGROUND);
    push(3, PRIORITY_INTERACTIVE);
    push(4, PRIORITY_NORMAL);
    assert_int_equal(rq.nonempty, 0x7);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_INTERACTIVE);
    expect_pop(3);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_NORMAL);
    expect_pop(1);
    expect_pop(4);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_BACKGROUND);
    assert_int_equal(rq.nonempty, 1u << PRIORITY_BACKGROUND);
    expect_pop(0);
    expect_pop(2);
    expect_empty();
}

/* A node pushed to a better level than the current best becomes the best. */
static void test_best_priority_follows_pushes(void **state)
{
    (void)state;
    push(0, PRIORITY_BACKGROUND);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_BACKGROUND);
    push(1, PRIORITY_NORMAL);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_NORMAL);
    push(2, PRIORITY_INTERACTIVE);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_INTERACTIVE);
    assert_true(run_queue_remove(&rq, &nodes[2]));
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_NORMAL);
}

static void test_remove_head_middle_tail(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        push(i, PRIORITY_NORMAL);
    assert_true(run_queue_remove(&rq, &nodes[2])); /* middle */
    assert_true(run_queue_check(&rq));
    assert_true(run_queue_remove(&rq, &nodes[0])); /* head */
    assert_true(run_queue_check(&rq));
    assert_true(run_queue_remove(&rq, &nodes[4])); /* tail */
    assert_true(run_queue_check(&rq));
    assert_false(nodes[2].queued);
    assert_null(nodes[2].next);
    assert_null(nodes[2].prev);
    assert_int_equal(run_queue_count(&rq), 2);
    expect_pop(1);
    expect_pop(3);
    expect_empty();
}

/* Removing the last node of a level clears its bit; the others stay. */
static void test_remove_only_node_of_level(void **state)
{
    (void)state;
    push(0, PRIORITY_INTERACTIVE);
    push(1, PRIORITY_BACKGROUND);
    assert_true(run_queue_remove(&rq, &nodes[0]));
    assert_int_equal(rq.nonempty, 1u << PRIORITY_BACKGROUND);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_BACKGROUND);
    assert_true(run_queue_remove(&rq, &nodes[1]));
    expect_empty();
}

static void test_remove_unqueued_is_refused(void **state)
{
    (void)state;
    push(0, PRIORITY_NORMAL);
    assert_false(run_queue_remove(&rq, &nodes[1])); /* never queued */
    assert_int_equal(run_queue_count(&rq), 1);
    assert_true(run_queue_remove(&rq, &nodes[0]));
    assert_false(run_queue_remove(&rq, &nodes[0])); /* already removed */
    assert_false(run_queue_remove(&rq, &nodes[1]));
    expect_empty();
    push(1, PRIORITY_NORMAL);
    expect_pop(1);
    assert_false(run_queue_remove(&rq, &nodes[1])); /* popped */
    expect_empty();
}

static void test_change_priority_of_queued_node(void **state)
{
    (void)state;
    push(0, PRIORITY_BACKGROUND);
    push(1, PRIORITY_INTERACTIVE);
    push(2, PRIORITY_INTERACTIVE);
    run_queue_change_priority(&rq, &nodes[0], PRIORITY_INTERACTIVE);
    assert_true(run_queue_check(&rq));
    assert_int_equal(nodes[0].priority, PRIORITY_INTERACTIVE);
    assert_int_equal(rq.nonempty, 1u << PRIORITY_INTERACTIVE);
    run_queue_change_priority(&rq, &nodes[1], PRIORITY_NORMAL); /* the head moves down */
    assert_int_equal(run_queue_count(&rq), 3);
    expect_pop(2); /* 0 went to the tail, behind 2 */
    expect_pop(0);
    expect_pop(1);
    expect_empty();
}

/* Asking for the level a node is on keeps its place (no lost turn). */
static void test_change_priority_to_same_level_keeps_place(void **state)
{
    (void)state;
    push(0, PRIORITY_NORMAL);
    push(1, PRIORITY_NORMAL);
    run_queue_change_priority(&rq, &nodes[0], PRIORITY_NORMAL);
    expect_pop(0);
    expect_pop(1);
}

static void test_change_priority_of_unqueued_node(void **state)
{
    (void)state;
    run_queue_change_priority(&rq, &nodes[0], PRIORITY_BACKGROUND);
    assert_false(nodes[0].queued);
    assert_int_equal(nodes[0].priority, PRIORITY_BACKGROUND);
    expect_empty();
    push(0, nodes[0].priority);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_BACKGROUND);
}

/* Pushing a queued node is a caller's bug; the queue stays sound. */
static void test_push_of_queued_node_is_ignored(void **state)
{
    (void)state;
    push(0, PRIORITY_NORMAL);
    push(1, PRIORITY_NORMAL);
    run_queue_push(&rq, &nodes[0], PRIORITY_INTERACTIVE);
    assert_true(run_queue_check(&rq));
    assert_int_equal(run_queue_count(&rq), 2);
    assert_int_equal(nodes[0].priority, PRIORITY_NORMAL);
    expect_pop(0);
    expect_pop(1);
}

static void test_out_of_range_priority_is_last_level(void **state)
{
    (void)state;
    push(0, (enum thread_priority)BAD_LEVEL);
    assert_int_equal(nodes[0].priority, PRIORITY_BACKGROUND);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_BACKGROUND);
    run_queue_change_priority(&rq, &nodes[0], PRIORITY_LEVELS);
    assert_int_equal(nodes[0].priority, PRIORITY_BACKGROUND);
    assert_true(run_queue_check(&rq));
}

/* Nodes can go round many times through init, push, pop and remove. */
static void test_reuse_after_pop(void **state)
{
    (void)state;
    push(0, PRIORITY_INTERACTIVE);
    expect_pop(0);
    push(0, PRIORITY_BACKGROUND);
    push(1, PRIORITY_NORMAL);
    expect_pop(1);
    expect_pop(0);
    expect_empty();
}

/* run_queue_check notices a broken link and a wrong bit. */
static void test_check_notices_damage(void **state)
{
    (void)state;
    push(0, PRIORITY_NORMAL);
    push(1, PRIORITY_NORMAL);
    nodes[1].prev = &nodes[1];
    assert_false(run_queue_check(&rq));
    nodes[1].prev = &nodes[0];
    assert_true(run_queue_check(&rq));
    rq.nonempty |= 1u << PRIORITY_BACKGROUND;
    assert_false(run_queue_check(&rq));
    rq.nonempty = 1u << PRIORITY_NORMAL;
    rq.count = 3;
    assert_false(run_queue_check(&rq));
}

/* ------------------------------------------------------------ pop_if */

/* Which nodes fit: bit i of mask for base[i] (the test's stand-in for
 * "this CPU may run that thread"). */
struct fit_set {
    const struct rq_node *base;
    uint32_t mask;
};

static bool fits_set(const struct rq_node *node, void *ctx)
{
    const struct fit_set *set = ctx;
    return set->mask >> (node - set->base) & 1;
}

static struct fit_set fitting(uint32_t mask)
{
    return (struct fit_set){nodes, mask};
}

/* The best level first, and in a level the first node that fits. */
static void test_pop_if_takes_best_fitting_node(void **state)
{
    (void)state;
    struct fit_set set = fitting(1u << 1 | 1u << 2 | 1u << 3);
    push(0, PRIORITY_INTERACTIVE); /* the best, but does not fit */
    push(1, PRIORITY_NORMAL);
    push(2, PRIORITY_NORMAL);
    push(3, PRIORITY_INTERACTIVE);
    assert_ptr_equal(run_queue_peek_if(&rq, fits_set, &set), &nodes[3]);
    assert_true(nodes[3].queued); /* peek leaves it */
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &set), &nodes[3]);
    assert_false(nodes[3].queued);
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &set), &nodes[1]);
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &set), &nodes[2]);
    assert_null(run_queue_pop_if(&rq, fits_set, &set));
    assert_null(run_queue_peek_if(&rq, fits_set, &set));
    assert_int_equal(run_queue_count(&rq), 1);
    assert_true(nodes[0].queued);
    assert_true(run_queue_check(&rq));
    expect_pop(0);
    expect_empty();
}

/* The nodes passed over keep their places and their turn. */
static void test_pop_if_keeps_skipped_nodes_in_order(void **state)
{
    (void)state;
    struct fit_set set = fitting(1u << 2 | 1u << 4);
    for (int i = 0; i < 5; i++)
        push(i, PRIORITY_BACKGROUND);
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &set), &nodes[2]);
    assert_true(run_queue_check(&rq));
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &set), &nodes[4]);
    assert_true(run_queue_check(&rq));
    expect_pop(0);
    expect_pop(1);
    expect_pop(3);
    expect_empty();
}

/* Nothing fits, or nothing is queued: NULL, and the queue is unchanged. */
static void test_pop_if_with_nothing_fitting(void **state)
{
    (void)state;
    struct fit_set none = fitting(0), all = fitting(~0u);
    assert_null(run_queue_pop_if(&rq, fits_set, &all));
    push(0, PRIORITY_NORMAL);
    push(1, PRIORITY_BACKGROUND);
    assert_null(run_queue_pop_if(&rq, fits_set, &none));
    assert_int_equal(run_queue_count(&rq), 2);
    assert_int_equal(rq.nonempty, 1u << PRIORITY_NORMAL | 1u << PRIORITY_BACKGROUND);
    assert_true(run_queue_check(&rq));
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &all), &nodes[0]);
    expect_pop(1);
    expect_empty();
}

/* Taking the last fitting node of a level clears the level's bit. */
static void test_pop_if_empties_a_level(void **state)
{
    (void)state;
    struct fit_set set = fitting(1u << 0);
    push(0, PRIORITY_INTERACTIVE);
    push(1, PRIORITY_BACKGROUND);
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &set), &nodes[0]);
    assert_int_equal(rq.nonempty, 1u << PRIORITY_BACKGROUND);
    assert_int_equal(run_queue_best_priority(&rq), PRIORITY_BACKGROUND);
    assert_true(run_queue_check(&rq));
}

/* ----------------------------------------------------- reference model */

/* The model: each level's nodes (indices into model_nodes) in queue order. */
struct model {
    int order[PRIORITY_LEVELS][MODEL_NODES];
    int length[PRIORITY_LEVELS];
    bool queued[MODEL_NODES];
    enum thread_priority priority[MODEL_NODES];
};

static struct rq_node model_nodes[MODEL_NODES];
static struct model model;

static enum thread_priority model_level(enum thread_priority priority)
{
    return (unsigned)priority < PRIORITY_LEVELS ? priority : PRIORITY_BACKGROUND;
}

static void model_append(int i, enum thread_priority priority)
{
    enum thread_priority level = model_level(priority);
    model.order[level][model.length[level]++] = i;
    model.queued[i] = true;
    model.priority[i] = level;
}

static void model_delete(int i)
{
    enum thread_priority level = model.priority[i];
    int *order = model.order[level];
    int at = 0;

    while (order[at] != i)
        at++;
    memmove(&order[at], &order[at + 1], (size_t)(model.length[level] - at - 1) * sizeof(int));
    model.length[level]--;
    model.queued[i] = false;
}

/* The node the model would run next, or -1. */
static int model_best(void)
{
    for (int p = 0; p < PRIORITY_LEVELS; p++)
        if (model.length[p])
            return model.order[p][0];
    return -1;
}

/* The first node in run order whose bit is set in mask, or -1. */
static int model_best_fitting(uint32_t mask)
{
    for (int p = 0; p < PRIORITY_LEVELS; p++)
        for (int k = 0; k < model.length[p]; k++)
            if (mask >> model.order[p][k] & 1)
                return model.order[p][k];
    return -1;
}

static int model_best_priority(void)
{
    int best = model_best();
    return best < 0 ? -1 : (int)model.priority[best];
}

static struct rq_node *model_node(int i)
{
    return i < 0 ? NULL : &model_nodes[i];
}

/* Queue and model agree in every respect. */
static void expect_model(void)
{
    size_t total = 0;

    assert_true(run_queue_check(&rq));
    assert_int_equal(run_queue_best_priority(&rq), model_best_priority());
    assert_ptr_equal(run_queue_peek(&rq), model_node(model_best()));
    for (int p = 0; p < PRIORITY_LEVELS; p++) {
        const struct rq_node *node = rq.heads[p].next;
        for (int k = 0; k < model.length[p]; k++, node = node->next)
            assert_ptr_equal(node, &model_nodes[model.order[p][k]]);
        assert_ptr_equal(node, &rq.heads[p]);
        total += (size_t)model.length[p];
    }
    assert_int_equal(run_queue_count(&rq), total);
    for (int i = 0; i < MODEL_NODES; i++) {
        assert_int_equal(model_nodes[i].queued, model.queued[i]);
        assert_int_equal(model_nodes[i].priority, model.priority[i]);
    }
}

/* Mostly the three levels, now and then one out of range. */
static enum thread_priority random_priority(void)
{
    return (enum thread_priority)(rng_below(16) == 0 ? BAD_LEVEL : rng_below(PRIORITY_LEVELS));
}

static void step_push(int i)
{
    enum thread_priority priority = random_priority();
    run_queue_push(&rq, &model_nodes[i], priority);
    if (!model.queued[i])
        model_append(i, priority);
}

static void step_remove(int i)
{
    bool was_queued = model.queued[i];
    assert_int_equal(run_queue_remove(&rq, &model_nodes[i]), was_queued);
    if (was_queued)
        model_delete(i);
}

static void step_pop(void)
{
    int best = model_best();
    assert_ptr_equal(run_queue_pop(&rq), model_node(best));
    if (best >= 0)
        model_delete(best);
}

static void step_change_priority(int i)
{
    enum thread_priority level = model_level(random_priority());
    run_queue_change_priority(&rq, &model_nodes[i], level);
    if (!model.queued[i]) {
        model.priority[i] = level;
    } else if (model.priority[i] != level) {
        model_delete(i);
        model_append(i, level);
    }
}

/* A CPU that may run only some threads takes the best of those. */
static void step_pop_if(void)
{
    struct fit_set set = {model_nodes, (uint32_t)rng_below(1u << MODEL_NODES)};
    int best = model_best_fitting(set.mask);
    assert_ptr_equal(run_queue_peek_if(&rq, fits_set, &set), model_node(best));
    assert_ptr_equal(run_queue_pop_if(&rq, fits_set, &set), model_node(best));
    if (best >= 0)
        model_delete(best);
}

/* The end of a time slice: the running thread goes back behind its level. */
static void step_rotate(void)
{
    int best = model_best();
    struct rq_node *node = run_queue_pop(&rq);
    assert_ptr_equal(node, model_node(best));
    if (!node)
        return;
    run_queue_push(&rq, node, node->priority);
    model_delete(best);
    model_append(best, model.priority[best]);
}

static void test_matches_model(void **state)
{
    (void)state;
    memset(&model, 0, sizeof(model));
    for (int i = 0; i < MODEL_NODES; i++) {
        rq_node_init(&model_nodes[i]);
        model.priority[i] = PRIORITY_NORMAL;
    }
    for (long step = 0; step < MODEL_STEPS; step++) {
        int i = (int)rng_below(MODEL_NODES);
        switch (rng_below(7)) {
        case 0:
        case 1:
            step_push(i);
            break;
        case 2:
            step_remove(i);
            break;
        case 3:
            step_pop();
            break;
        case 4:
            step_change_priority(i);
            break;
        case 5:
            step_pop_if();
            break;
        default:
            step_rotate();
            break;
        }
        expect_model();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_is_empty, setup),
        cmocka_unit_test_setup(test_fifo_within_level, setup),
        cmocka_unit_test_setup(test_round_robin, setup),
        cmocka_unit_test_setup(test_priority_order, setup),
        cmocka_unit_test_setup(test_best_priority_follows_pushes, setup),
        cmocka_unit_test_setup(test_remove_head_middle_tail, setup),
        cmocka_unit_test_setup(test_remove_only_node_of_level, setup),
        cmocka_unit_test_setup(test_remove_unqueued_is_refused, setup),
        cmocka_unit_test_setup(test_change_priority_of_queued_node, setup),
        cmocka_unit_test_setup(test_change_priority_to_same_level_keeps_place, setup),
        cmocka_unit_test_setup(test_change_priority_of_unqueued_node, setup),
        cmocka_unit_test_setup(test_push_of_queued_node_is_ignored, setup),
        cmocka_unit_test_setup(test_out_of_range_priority_is_last_level, setup),
        cmocka_unit_test_setup(test_reuse_after_pop, setup),
        cmocka_unit_test_setup(test_check_notices_damage, setup),
        cmocka_unit_test_setup(test_pop_if_takes_best_fitting_node, setup),
        cmocka_unit_test_setup(test_pop_if_keeps_skipped_nodes_in_order, setup),
        cmocka_unit_test_setup(test_pop_if_with_nothing_fitting, setup),
        cmocka_unit_test_setup(test_pop_if_empties_a_level, setup),
        cmocka_unit_test_setup(test_matches_model, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
