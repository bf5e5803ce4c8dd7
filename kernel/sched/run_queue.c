/*
 * run_queue.c - per-priority FIFOs of runnable threads (see run_queue.h).
 *
 * An empty level is its sentinel pointing at itself both ways. A node is
 * linked in just before the sentinel (the tail) and taken from just after
 * it (the head), so each level is first in, first out, and a thread that
 * is pushed back after its time slice goes behind the others of its level.
 * The `nonempty` bit of a level changes only when its list goes from empty
 * to one node or from one node to empty.
 */
#include <kernel/sched/run_queue.h>

/* The level a priority maps to: out-of-range values become the last one. */
static enum thread_priority level_of(enum thread_priority priority)
{
    return (unsigned)priority < PRIORITY_LEVELS ? priority : PRIORITY_LEVELS - 1;
}

static unsigned level_bit(enum thread_priority level)
{
    return 1u << level;
}

void run_queue_init(struct run_queue *rq)
{
    for (unsigned p = 0; p < PRIORITY_LEVELS; p++) {
        rq->heads[p].next = rq->heads[p].prev = &rq->heads[p];
        rq->heads[p].priority = (enum thread_priority)p;
        rq->heads[p].queued = false;
    }
    rq->nonempty = 0;
    rq->count = 0;
}

void rq_node_init(struct rq_node *node)
{
    node->next = node->prev = NULL;
    node->priority = PRIORITY_NORMAL;
    node->queued = false;
}

void run_queue_push(struct run_queue *rq, struct rq_node *node, enum thread_priority priority)
{
    if (node->queued)
        return;
    enum thread_priority level = level_of(priority);
    struct rq_node *head = &rq->heads[level];

    node->next = head;
    node->prev = head->prev;
    head->prev->next = node;
    head->prev = node;
    node->priority = level;
    node->queued = true;
    rq->nonempty |= level_bit(level);
    rq->count++;
}

bool run_queue_remove(struct run_queue *rq, struct rq_node *node)
{
    if (!node->queued)
        return false;
    struct rq_node *head = &rq->heads[node->priority];

    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->next = node->prev = NULL;
    node->queued = false;
    if (head->next == head)
        rq->nonempty &= ~level_bit(node->priority);
    rq->count--;
    return true;
}

struct rq_node *run_queue_peek(const struct run_queue *rq)
{
    int best = run_queue_best_priority(rq);
    return best < 0 ? NULL : rq->heads[best].next;
}

struct rq_node *run_queue_pop(struct run_queue *rq)
{
    struct rq_node *node = run_queue_peek(rq);
    if (node)
        run_queue_remove(rq, node);
    return node;
}

struct rq_node *run_queue_peek_if(const struct run_queue *rq, rq_fits_fn fits, void *ctx)
{
    for (unsigned levels = rq->nonempty; levels; levels &= levels - 1) {
        const struct rq_node *head = &rq->heads[__builtin_ctz(levels)];
        for (struct rq_node *node = head->next; node != head; node = node->next)
            if (fits(node, ctx))
                return node;
    }
    return NULL;
}

struct rq_node *run_queue_pop_if(struct run_queue *rq, rq_fits_fn fits, void *ctx)
{
    struct rq_node *node = run_queue_peek_if(rq, fits, ctx);
    if (node)
        run_queue_remove(rq, node);
    return node;
}

int run_queue_best_priority(const struct run_queue *rq)
{
    return rq->nonempty ? __builtin_ctz(rq->nonempty) : -1;
}

void run_queue_change_priority(struct run_queue *rq, struct rq_node *node,
                               enum thread_priority priority)
{
    enum thread_priority level = level_of(priority);

    if (!node->queued) {
        node->priority = level;
        return;
    }
    if (node->priority == level)
        return;
    run_queue_remove(rq, node);
    run_queue_push(rq, node, level);
}

size_t run_queue_count(const struct run_queue *rq)
{
    return rq->count;
}

/* Walk one level: true when its links are sound and every node belongs to
 * it; *nodes gets how many it holds. Stops after `limit` nodes, so a ring
 * that never returns to the sentinel fails instead of looping. */
static bool level_sound(const struct run_queue *rq, unsigned level, size_t limit, size_t *nodes)
{
    const struct rq_node *head = &rq->heads[level];
    size_t seen = 0;

    for (const struct rq_node *node = head;; node = node->next) {
        if (!node->next || node->next->prev != node)
            return false;
        if (node->next == head)
            break;
        if (++seen > limit || !node->next->queued || node->next->priority != level)
            return false;
    }
    *nodes = seen;
    return true;
}

bool run_queue_check(const struct run_queue *rq)
{
    size_t total = 0;

    if (rq->nonempty >> PRIORITY_LEVELS)
        return false;
    for (unsigned p = 0; p < PRIORITY_LEVELS; p++) {
        size_t nodes;
        if (!level_sound(rq, p, rq->count, &nodes))
            return false;
        if ((nodes != 0) != ((rq->nonempty & level_bit(p)) != 0))
            return false;
        total += nodes;
    }
    return total == rq->count;
}
