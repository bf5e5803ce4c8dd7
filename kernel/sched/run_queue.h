/*
 * run_queue.h - the scheduler's queue of runnable threads: one FIFO per
 * priority level, the best level found in O(1).
 *
 * Pure data, no locks, no allocation, no I/O: the caller (the scheduler)
 * holds whatever lock protects the queue, embeds a struct rq_node in each
 * thread and finds the thread again from the node (container_of). The same
 * file compiles for the host tests (tests/host/test_run_queue.c) and the
 * fuzz target (tests/fuzz/fuzz_sched.c).
 *
 * Layout: each level is a circular doubly linked list through a sentinel
 * node, heads[p], so push, remove and pop are O(1) with no special cases
 * for the ends. Bit p of `nonempty` is set exactly when level p holds a
 * node, so the best (lowest-numbered) level is the lowest set bit.
 * Invariants, checked by run_queue_check: every queued node has queued set,
 * sits in the list of its own `priority`, and its neighbours point back at
 * it; count is the number of queued nodes in all levels.
 *
 * Contracts the queue cannot check cheaply, and which stay the caller's:
 * a node is in at most one run queue at a time, and is passed only to the
 * queue it is in. A priority outside the levels is taken as the last level
 * (PRIORITY_BACKGROUND), so a bad value can never index past heads[].
 */
#ifndef KEEL_KERNEL_SCHED_RUN_QUEUE_H
#define KEEL_KERNEL_SCHED_RUN_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

/* Lower numbers run first. PRIORITY_LEVELS counts the levels; it is no
 * priority of its own. */
enum thread_priority {
    PRIORITY_INTERACTIVE = 0,
    PRIORITY_NORMAL = 1,
    PRIORITY_BACKGROUND = 2,
    PRIORITY_LEVELS = 3
};

/* Embedded in struct thread. next/prev are NULL while not queued. */
struct rq_node {
    struct rq_node *next, *prev;
    enum thread_priority priority; /* the level it is (or was last) queued at */
    bool queued;
};

struct run_queue {
    struct rq_node heads[PRIORITY_LEVELS]; /* circular sentinels, one per level */
    unsigned nonempty;                     /* bit p: level p has nodes */
    size_t count;                          /* queued nodes in all levels */
};

_Static_assert(PRIORITY_LEVELS <= 8 * sizeof(unsigned), "one bit of `nonempty` per level");

/* Make rq empty; whatever it held before is forgotten, not unlinked. */
void run_queue_init(struct run_queue *rq);
/* Make node not queued, at PRIORITY_NORMAL. */
void rq_node_init(struct rq_node *node);
/* Queue node at the tail of level `priority` (round-robin within a level).
 * node must not be queued: a queued node is left where it is. */
void run_queue_push(struct run_queue *rq, struct rq_node *node, enum thread_priority priority);
/* Take node out of the queue; a node that is not queued is left alone (returns false). */
bool run_queue_remove(struct run_queue *rq, struct rq_node *node);
/* Remove and return the head of the best (lowest-numbered) non-empty level, NULL when empty. */
struct rq_node *run_queue_pop(struct run_queue *rq);
/* The head of the best non-empty level, left queued; NULL when empty. */
struct rq_node *run_queue_peek(const struct run_queue *rq);
/* Whether a queued node may be taken by the caller (the scheduler: may the
 * running CPU run this thread?). ctx is passed through. */
typedef bool (*rq_fits_fn)(const struct rq_node *node, void *ctx);
/* The first node for which fits(node, ctx) holds, in the order pop would
 * take them (the best level first, FIFO within a level), left queued;
 * NULL when none fits. Walks past the nodes that do not fit: O(queued). */
struct rq_node *run_queue_peek_if(const struct run_queue *rq, rq_fits_fn fits, void *ctx);
/* The same node, removed. The nodes passed over keep their places. */
struct rq_node *run_queue_pop_if(struct run_queue *rq, rq_fits_fn fits, void *ctx);
/* The best priority with a queued node, or -1 when empty (O(1) from `nonempty`). */
int run_queue_best_priority(const struct run_queue *rq);
/* Move a node to another level (to that level's tail); a node that is not
 * queued just gets the new priority. A queued node asked for the level it
 * is already on keeps its place in that level. */
void run_queue_change_priority(struct run_queue *rq, struct rq_node *node,
                               enum thread_priority priority);
/* Nodes queued, in all levels. */
size_t run_queue_count(const struct run_queue *rq);
/* True when every invariant above holds (walks every node: for tests and
 * debugging, not for the scheduler's fast path). */
bool run_queue_check(const struct run_queue *rq);

#endif
