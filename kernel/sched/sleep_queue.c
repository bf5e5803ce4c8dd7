/*
 * sleep_queue.c - the sorted list of sleeping threads (see sleep_queue.h).
 *
 * Insert and remove walk a pointer to the link that points at the current
 * node (first &sq->head, then &node->next), so the head needs no special
 * case: the new node is linked in, or the found node unlinked, by writing
 * through that pointer.
 */
#include <kernel/sched/sleep_queue.h>

void sleep_queue_init(struct sleep_queue *sq)
{
    sq->head = NULL;
    sq->count = 0;
}

void sleep_node_init(struct sleep_node *node)
{
    node->next = NULL;
    node->deadline = 0;
    node->queued = false;
}

void sleep_queue_insert(struct sleep_queue *sq, struct sleep_node *node, uint64_t deadline)
{
    if (node->queued)
        return;
    struct sleep_node **link = &sq->head;

    /* <=: past the nodes with the same deadline, which came first. */
    while (*link && (*link)->deadline <= deadline)
        link = &(*link)->next;
    node->deadline = deadline;
    node->next = *link;
    node->queued = true;
    *link = node;
    sq->count++;
}

bool sleep_queue_remove(struct sleep_queue *sq, struct sleep_node *node)
{
    if (!node->queued)
        return false;
    for (struct sleep_node **link = &sq->head; *link; link = &(*link)->next) {
        if (*link != node)
            continue;
        *link = node->next;
        node->next = NULL;
        node->queued = false;
        sq->count--;
        return true;
    }
    return false;
}

bool sleep_queue_earliest(const struct sleep_queue *sq, uint64_t *deadline)
{
    if (!sq->head)
        return false;
    *deadline = sq->head->deadline;
    return true;
}

struct sleep_node *sleep_queue_pop_expired(struct sleep_queue *sq, uint64_t now)
{
    struct sleep_node *node = sq->head;

    if (!node || node->deadline > now)
        return NULL;
    sq->head = node->next;
    node->next = NULL;
    node->queued = false;
    sq->count--;
    return node;
}

size_t sleep_queue_count(const struct sleep_queue *sq)
{
    return sq->count;
}

bool sleep_queue_check(const struct sleep_queue *sq)
{
    size_t seen = 0;

    for (const struct sleep_node *node = sq->head; node; node = node->next) {
        /* Bounded by count, so a list that loops back fails instead of hanging. */
        if (++seen > sq->count || !node->queued)
            return false;
        if (node->next && node->next->deadline < node->deadline)
            return false;
    }
    return seen == sq->count;
}
