/*
 * sleep_queue.h - threads waiting for a deadline, earliest first.
 *
 * Deadlines are nanoseconds of a monotonic clock (the timer's count since
 * boot), so they are compared as plain unsigned numbers: nothing wraps in
 * the 584 years that 2^64 ns last. UINT64_MAX is an ordinary deadline: it
 * expires only when `now` reaches UINT64_MAX, so it serves as "never".
 *
 * Pure data, no locks, no allocation, no I/O, like the run queue
 * (kernel/sched/run_queue.h): the scheduler embeds a struct sleep_node in
 * each thread and holds the lock. The list is singly linked and kept
 * sorted by deadline, nodes with equal deadlines in the order they were
 * inserted. So the earliest deadline and pop_expired are O(1), while
 * insert and remove walk the list, O(n): Keel has tens of threads, and a
 * list is simpler than a heap or a timer wheel at that size.
 * Invariants, checked by sleep_queue_check: deadlines never decrease along
 * the list, every node in it has queued set, count is its length.
 *
 * A node is in at most one sleep queue at a time; remove looks for it in
 * the queue it is given, so a node from another queue is refused.
 */
#ifndef KEEL_KERNEL_SCHED_SLEEP_QUEUE_H
#define KEEL_KERNEL_SCHED_SLEEP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Embedded in struct thread. next is NULL while not queued. */
struct sleep_node {
    struct sleep_node *next;
    uint64_t deadline; /* when it is (or was last) due, in ns */
    bool queued;
};

struct sleep_queue {
    struct sleep_node *head; /* earliest deadline first; NULL when empty */
    size_t count;
};

/* Make sq empty; whatever it held before is forgotten, not unlinked. */
void sleep_queue_init(struct sleep_queue *sq);
/* Make node not queued, with deadline 0. */
void sleep_node_init(struct sleep_node *node);
/* Queue node until deadline, behind every node due at or before it.
 * node must not be queued: a queued node is left where it is. */
void sleep_queue_insert(struct sleep_queue *sq, struct sleep_node *node, uint64_t deadline);
/* Take node out of sq; false if it was not queued there. */
bool sleep_queue_remove(struct sleep_queue *sq, struct sleep_node *node);
/* The earliest deadline, false when empty (*deadline is then untouched). */
bool sleep_queue_earliest(const struct sleep_queue *sq, uint64_t *deadline);
/* Remove and return the earliest node whose deadline <= now, NULL if none.
 * Call in a loop to take all. */
struct sleep_node *sleep_queue_pop_expired(struct sleep_queue *sq, uint64_t now);
/* Nodes queued. */
size_t sleep_queue_count(const struct sleep_queue *sq);
/* True when every invariant above holds (walks the list: for tests and
 * debugging). */
bool sleep_queue_check(const struct sleep_queue *sq);

#endif
