/*
 * fuzz_sched.c - libFuzzer target for the scheduler's queues
 * (kernel/sched/run_queue.c and kernel/sched/sleep_queue.c).
 *
 * Build and run (clang only; libFuzzer supplies main):
 *   make build/fuzz/fuzz_sched && build/fuzz/fuzz_sched -max_total_time=60
 *
 * A handful of threads, each with an rq_node and a sleep_node as in the
 * kernel's struct thread. The input is a sequence of operations, each an
 * operation byte and an argument byte (thread and priority), some with a
 * byte or two more: push, remove, pop, change priority and end-of-slice
 * rotation on the run queue; a thread's affinity (any CPU or one of
 * CPUS) and a CPU taking the best thread it may run (pop_if, rotating
 * or not); sleep and cancel on the sleep queue; and
 * advancing the clock, which wakes every expired sleeper the way the
 * scheduler does, by pushing it onto the run queue. A reference model
 * (arrays in queue order) does the same; after every operation both
 * queues must agree with it in count, best priority, order, deadlines and
 * each node's flags, and pass their own checks. Any mismatch traps.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/sched/run_queue.h>
#include <kernel/sched/sleep_queue.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define THREADS      16
#define CPUS         4    /* affinities: -1 (any CPU) or 0..CPUS-1 */
#define PRIORITY_ARG 4    /* priorities drawn from 0..3: 3 is out of range */
#define END_OF_TIME  0xFF /* advance argument: jump to just below UINT64_MAX */

struct thread {
    struct rq_node run;
    struct sleep_node sleep;
    int affinity; /* -1: any CPU, as struct thread's */
};

/* The model of both queues, by thread index. */
struct model {
    int run[PRIORITY_LEVELS][THREADS];
    int run_length[PRIORITY_LEVELS];
    bool runnable[THREADS];
    enum thread_priority priority[THREADS];
    int sleeper[THREADS];
    uint64_t deadline[THREADS]; /* of sleeper[k] */
    int sleepers;
    bool asleep[THREADS];
    uint64_t now;
};

struct world {
    struct run_queue rq;
    struct sleep_queue sq;
    struct thread threads[THREADS];
    struct model m;
};

struct input {
    const uint8_t *data;
    size_t size;
};

static unsigned take(struct input *in)
{
    if (in->size == 0)
        return 0;
    in->size--;
    return *in->data++;
}

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static enum thread_priority level_of(unsigned priority)
{
    return priority < PRIORITY_LEVELS ? (enum thread_priority)priority : PRIORITY_BACKGROUND;
}

/* Whether a queued thread may run on the CPU ctx points at (the
 * kernel's sched_may_run_on). */
static bool fits_cpu(const struct rq_node *node, void *ctx)
{
    const struct thread *t =
        (const struct thread *)((const char *)node - offsetof(struct thread, run));
    int cpu = *(const int *)ctx;
    return t->affinity < 0 || t->affinity == cpu;
}

/* ---------------------------------------------------------- the model */

static void model_run_append(struct model *m, int t, enum thread_priority level)
{
    m->run[level][m->run_length[level]++] = t;
    m->runnable[t] = true;
    m->priority[t] = level;
}

static void model_run_delete(struct model *m, int t)
{
    int level = m->priority[t], at = 0;
    while (m->run[level][at] != t)
        at++;
    memmove(&m->run[level][at], &m->run[level][at + 1],
            (size_t)(m->run_length[level] - at - 1) * sizeof(int));
    m->run_length[level]--;
    m->runnable[t] = false;
}

/* The thread the model would run next, or -1. */
static int model_best(const struct model *m)
{
    for (int p = 0; p < PRIORITY_LEVELS; p++)
        if (m->run_length[p])
            return m->run[p][0];
    return -1;
}

/* The first thread in run order that may run on cpu, or -1. */
static int model_best_for(const struct world *w, int cpu)
{
    const struct model *m = &w->m;
    for (int p = 0; p < PRIORITY_LEVELS; p++)
        for (int k = 0; k < m->run_length[p]; k++) {
            int affinity = w->threads[m->run[p][k]].affinity;
            if (affinity < 0 || affinity == cpu)
                return m->run[p][k];
        }
    return -1;
}

static void model_sleep_insert(struct model *m, int t, uint64_t deadline)
{
    int at = m->sleepers;
    while (at > 0 && m->deadline[at - 1] > deadline)
        at--;
    memmove(&m->sleeper[at + 1], &m->sleeper[at], (size_t)(m->sleepers - at) * sizeof(int));
    memmove(&m->deadline[at + 1], &m->deadline[at], (size_t)(m->sleepers - at) * sizeof(uint64_t));
    m->sleeper[at] = t;
    m->deadline[at] = deadline;
    m->sleepers++;
    m->asleep[t] = true;
}

static void model_sleep_delete_at(struct model *m, int at)
{
    m->asleep[m->sleeper[at]] = false;
    memmove(&m->sleeper[at], &m->sleeper[at + 1], (size_t)(m->sleepers - at - 1) * sizeof(int));
    memmove(&m->deadline[at], &m->deadline[at + 1],
            (size_t)(m->sleepers - at - 1) * sizeof(uint64_t));
    m->sleepers--;
}

/* ------------------------------------------------------ the comparison */

/* The thread a node is embedded in (the kernel's container_of), or NULL. */
static struct thread *thread_of_run(const struct rq_node *node)
{
    return node ? (struct thread *)((char *)node - offsetof(struct thread, run)) : NULL;
}

static struct thread *thread_of_sleep(const struct sleep_node *node)
{
    return node ? (struct thread *)((char *)node - offsetof(struct thread, sleep)) : NULL;
}

static struct thread *thread_or_null(struct world *w, int t)
{
    return t < 0 ? NULL : &w->threads[t];
}

static void expect_run_queue(struct world *w)
{
    const struct model *m = &w->m;
    int best = model_best(m);
    size_t total = 0;

    CHECK(run_queue_check(&w->rq));
    CHECK(run_queue_best_priority(&w->rq) == (best < 0 ? -1 : (int)m->priority[best]));
    CHECK(thread_of_run(run_queue_peek(&w->rq)) == thread_or_null(w, best));
    for (int p = 0; p < PRIORITY_LEVELS; p++) {
        const struct rq_node *node = w->rq.heads[p].next;
        for (int k = 0; k < m->run_length[p]; k++, node = node->next)
            CHECK(node == &w->threads[m->run[p][k]].run);
        CHECK(node == &w->rq.heads[p]);
        total += (size_t)m->run_length[p];
    }
    CHECK(run_queue_count(&w->rq) == total);
}

static void expect_sleep_queue(struct world *w)
{
    const struct model *m = &w->m;
    const struct sleep_node *node = w->sq.head;
    uint64_t earliest = 0;

    CHECK(sleep_queue_check(&w->sq));
    CHECK(sleep_queue_count(&w->sq) == (size_t)m->sleepers);
    CHECK(sleep_queue_earliest(&w->sq, &earliest) == (m->sleepers > 0));
    CHECK(m->sleepers == 0 || earliest == m->deadline[0]);
    for (int k = 0; k < m->sleepers; k++, node = node->next) {
        CHECK(node == &w->threads[m->sleeper[k]].sleep);
        CHECK(node->deadline == m->deadline[k]);
    }
    CHECK(node == NULL);
}

static void expect_model(struct world *w)
{
    expect_run_queue(w);
    expect_sleep_queue(w);
    for (int t = 0; t < THREADS; t++) {
        CHECK(w->threads[t].run.queued == w->m.runnable[t]);
        CHECK(w->threads[t].run.priority == w->m.priority[t]);
        CHECK(w->threads[t].sleep.queued == w->m.asleep[t]);
    }
}

/* ------------------------------------------------------ the operations */

static void op_push(struct world *w, int t, unsigned priority)
{
    run_queue_push(&w->rq, &w->threads[t].run, (enum thread_priority)priority);
    if (!w->m.runnable[t])
        model_run_append(&w->m, t, level_of(priority));
}

static void op_remove(struct world *w, int t)
{
    CHECK(run_queue_remove(&w->rq, &w->threads[t].run) == w->m.runnable[t]);
    if (w->m.runnable[t])
        model_run_delete(&w->m, t);
}

/* Pick the next thread; with `rotate` it goes back behind its level, as at
 * the end of a time slice. */
static void op_pop(struct world *w, bool rotate)
{
    int best = model_best(&w->m);
    struct rq_node *node = run_queue_pop(&w->rq);

    CHECK(thread_of_run(node) == thread_or_null(w, best));
    if (best < 0)
        return;
    model_run_delete(&w->m, best);
    if (rotate) {
        run_queue_push(&w->rq, node, node->priority);
        model_run_append(&w->m, best, w->m.priority[best]);
    }
}

/* CPU `cpu` takes the best thread it may run; with `rotate` it goes back
 * behind its level at once, as at the end of a time slice. */
static void op_pop_if(struct world *w, int cpu, bool rotate)
{
    int best = model_best_for(w, cpu);
    CHECK(thread_of_run(run_queue_peek_if(&w->rq, fits_cpu, &cpu)) == thread_or_null(w, best));
    struct rq_node *node = run_queue_pop_if(&w->rq, fits_cpu, &cpu);
    CHECK(thread_of_run(node) == thread_or_null(w, best));
    if (best < 0)
        return;
    model_run_delete(&w->m, best);
    if (rotate) {
        run_queue_push(&w->rq, node, node->priority);
        model_run_append(&w->m, best, w->m.priority[best]);
    }
}

/* Affinity changes never move a node: only what pop_if may take changes. */
static void op_set_affinity(struct world *w, int t, unsigned arg)
{
    w->threads[t].affinity = (int)(arg % (CPUS + 1)) - 1;
}

static void op_change_priority(struct world *w, int t, unsigned priority)
{
    enum thread_priority level = level_of(priority);

    run_queue_change_priority(&w->rq, &w->threads[t].run, (enum thread_priority)priority);
    if (!w->m.runnable[t]) {
        w->m.priority[t] = level;
    } else if (w->m.priority[t] != level) {
        model_run_delete(&w->m, t);
        model_run_append(&w->m, t, level);
    }
}

/* Sleep until now + a delta from the input (a far one saturates; 0 and
 * 1 give ties and deadlines already due). */
static void op_sleep(struct world *w, int t, struct input *in)
{
    unsigned low = take(in), shift = take(in) % 66;
    uint64_t delta = shift == 65 ? UINT64_MAX : shift == 64 ? 0 : (uint64_t)low << shift;
    uint64_t deadline = saturating_add(w->m.now, delta);
    uint64_t before = w->threads[t].sleep.deadline;

    sleep_queue_insert(&w->sq, &w->threads[t].sleep, deadline);
    /* A sleeping thread keeps its deadline: a second insert is ignored. */
    CHECK(w->threads[t].sleep.deadline == (w->m.asleep[t] ? before : deadline));
    if (!w->m.asleep[t])
        model_sleep_insert(&w->m, t, deadline);
}

static void op_cancel_sleep(struct world *w, int t)
{
    int at = 0;

    CHECK(sleep_queue_remove(&w->sq, &w->threads[t].sleep) == w->m.asleep[t]);
    if (!w->m.asleep[t])
        return;
    while (w->m.sleeper[at] != t)
        at++;
    model_sleep_delete_at(&w->m, at);
}

/* The clock moves on; every sleeper that is due wakes, in deadline order,
 * onto the run queue at its priority (unless it is runnable already). */
static void op_advance(struct world *w, unsigned how, struct input *in)
{
    uint64_t amount = take(in);
    struct sleep_node *node;

    if (how == END_OF_TIME) {
        uint64_t near_end = UINT64_MAX - amount;
        w->m.now = w->m.now > near_end ? w->m.now : near_end;
    } else {
        w->m.now = saturating_add(w->m.now, amount << (how % 64));
    }
    while ((node = sleep_queue_pop_expired(&w->sq, w->m.now)) != NULL) {
        struct thread *thread = thread_of_sleep(node);
        int t = (int)(thread - w->threads);
        CHECK(w->m.sleepers > 0 && w->m.deadline[0] <= w->m.now && w->m.sleeper[0] == t);
        model_sleep_delete_at(&w->m, 0);
        op_push(w, t, thread->run.priority);
        expect_model(w);
    }
    CHECK(w->m.sleepers == 0 || w->m.deadline[0] > w->m.now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world w;
    struct input in = {data, size};

    memset(&w, 0, sizeof(w));
    run_queue_init(&w.rq);
    sleep_queue_init(&w.sq);
    for (int t = 0; t < THREADS; t++) {
        rq_node_init(&w.threads[t].run);
        sleep_node_init(&w.threads[t].sleep);
        w.threads[t].affinity = -1;
        w.m.priority[t] = w.threads[t].run.priority;
    }
    expect_model(&w);

    while (in.size > 0) {
        unsigned op = take(&in) % 11, arg = take(&in);
        int t = (int)(arg % THREADS);
        unsigned priority = (arg / THREADS) % PRIORITY_ARG;
        switch (op) {
        case 0:
            op_push(&w, t, priority);
            break;
        case 1:
            op_remove(&w, t);
            break;
        case 2:
        case 3:
            op_pop(&w, op == 3);
            break;
        case 4:
            op_change_priority(&w, t, priority);
            break;
        case 5:
            op_sleep(&w, t, &in);
            break;
        case 6:
            op_cancel_sleep(&w, t);
            break;
        case 7:
            op_set_affinity(&w, t, arg / THREADS);
            break;
        case 8:
            op_pop_if(&w, (int)(arg % CPUS), arg / CPUS % 2);
            break;
        default:
            op_advance(&w, arg, &in);
            break;
        }
        expect_model(&w);
    }
    return 0;
}
