/*
 * thread.c - creating, ending, joining and killing threads (see thread.h).
 *
 * A new thread's stack is made to look as if the thread had called
 * context_switch from thread_trampoline (switch.S): from its top down, the
 * trampoline's address, then rbp, rbx, r12 (the function), r13 (its
 * argument), r14, r15 and rflags with interrupts off. The first switch to
 * it "returns" into the trampoline, which calls thread_start.
 *
 * The switch to a new thread is made with sched_lock held, like every
 * switch, and the new thread releases it first thing (thread_start).
 *
 * An exited thread cannot free the stack it still runs on. Its joiner
 * frees it after the wake-up; a detached one goes on the zombie list, and
 * the boot flow's thread, once start-up is done, becomes the reaper that
 * frees them (thread_reap_forever). Neither can get at the stack before
 * the exited thread has left it: seeing it EXITED takes sched_lock, which
 * the exiting thread holds until the next thread runs.
 *
 * The thread list, the zombies, the ids and every thread's state are
 * sched_lock's (kernel/sched/sched.h).
 */
#include <arch/x86_64/cpu.h>
#include <kernel/panic.h>
#include <kernel/sched/mutex.h>
#include <kernel/sched/preempt.h>
#include <kernel/sched/sched.h>
#include <kernel/sched/sched_cpu.h>
#include <kernel/sched/thread.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/kheap.h>
#include <mm/memory.h>

#define RFLAGS_RESERVED 0x2ull /* bit 1 always reads as 1; IF clear */

/* Defined in switch.S. */
void thread_trampoline(void);

static struct thread *all_threads; /* every thread not yet freed */
static struct thread *zombies;     /* exited detached threads, through all_next's twin */
static struct wait_queue reaper_queue = WAIT_QUEUE_INIT("zombies");
static uint64_t next_id = 1;
static int last_error;

int thread_last_error(void)
{
    return last_error;
}

static void init_thread(struct thread *t, const char *name, enum thread_priority priority)
{
    memset(t, 0, sizeof(*t));
    strlcpy(t->name, name, sizeof(t->name));
    t->priority = priority;
    t->affinity = -1;
    rq_node_init(&t->run_node);
    sleep_node_init(&t->sleep_node);
    wait_queue_init(&t->exit_waiters, "join");
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    t->id = next_id++;
    t->all_next = all_threads;
    all_threads = t;
    spin_unlock_irqrestore(&sched_lock, flags);
}

void thread_adopt_flow(struct thread *t, const char *name, enum thread_priority priority,
                       const struct kernel_stack *stack)
{
    init_thread(t, name, priority);
    t->stack = stack;
    t->state = THREAD_RUNNING;
}

/* The new thread's first stack frame (see the file comment). */
static void build_first_frame(struct thread *t, thread_fn fn, void *arg)
{
    uint64_t *sp = (uint64_t *)t->stack->top;
    *--sp = (uint64_t)(uintptr_t)thread_trampoline;
    *--sp = 0;                        /* rbp: the end of the frame-pointer chain */
    *--sp = 0;                        /* rbx */
    *--sp = (uint64_t)(uintptr_t)fn;  /* r12 */
    *--sp = (uint64_t)(uintptr_t)arg; /* r13 */
    *--sp = 0;                        /* r14 */
    *--sp = 0;                        /* r15 */
    *--sp = RFLAGS_RESERVED;
    t->saved_rsp = (uint64_t)(uintptr_t)sp;
}

struct thread *thread_create(const char *name, thread_fn fn, void *arg,
                             enum thread_priority priority)
{
    return thread_create_owned(name, fn, arg, priority, NULL);
}

struct thread *thread_create_owned(const char *name, thread_fn fn, void *arg,
                                   enum thread_priority priority, const struct thread_owner *owner)
{
    if (!fn || priority >= PRIORITY_LEVELS) {
        last_error = -EINVAL;
        return NULL;
    }
    struct thread *t = kmalloc(sizeof(*t));
    if (!t) {
        last_error = -ENOMEM;
        return NULL;
    }
    init_thread(t, name, priority);
    int err = memory_stack_create(t->name, THREAD_STACK_SIZE, &t->stack);
    if (err) {
        last_error = err;
        t->state = THREAD_EXITED;
        thread_free(t);
        return NULL;
    }
    build_first_frame(t, fn, arg);
    if (owner) {
        t->owner = owner->owner;
        t->page_table_root = owner->page_table_root;
        t->on_exit = owner->on_exit;
    }
    sched_add_new(t);
    return t;
}

/* First C code of every new thread (called by thread_trampoline), with the
 * sched_lock that the switch to it was made with. */
__attribute__((noreturn)) void thread_start(thread_fn fn, void *arg)
{
    spin_unlock(&sched_lock);
    cpu_enable_interrupts();
    if (thread_should_stop())
        thread_exit(NULL); /* killed before it ever ran: its first safe point */
    thread_exit(fn(arg));
}

void thread_free(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    for (struct thread **p = &all_threads; *p; p = &(*p)->all_next) {
        if (*p == t) {
            *p = t->all_next;
            break;
        }
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    if (t->stack)
        memory_stack_destroy(t->stack);
    kfree(t);
}

void thread_detach(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    t->detached = true;
    bool exited = t->state == THREAD_EXITED;
    spin_unlock_irqrestore(&sched_lock, flags);
    if (exited)
        thread_free(t);
}

void thread_exit(void *value)
{
    struct thread *self = thread_current();
    cpu_disable_interrupts(); /* this CPU: no switch away until the final schedule() */
    if (self->held_mutexes)
        panic("thread %s exits holding mutex %s", self->name, self->held_mutexes->name);
    if (sched_is_idle_thread(self))
        panic("the idle thread returned");
    if (self->on_exit)
        self->on_exit(self);
    spin_lock(&sched_lock);
    self->exit_value = value;
    self->state = THREAD_EXITED;
    if (self->detached) {
        self->wait_next = zombies;
        zombies = self;
        wait_queue_wake_one_locked(&reaper_queue);
    } else {
        wait_queue_wake_all_locked(&self->exit_waiters);
    }
    schedule();
    panic("exited thread %s ran again", self->name);
}

int thread_join(struct thread *t, void **value)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    if (t == thread_current() || t->detached || t->joined) {
        spin_unlock_irqrestore(&sched_lock, flags);
        return -EINVAL;
    }
    t->joined = true;
    /* wait_queue_wait returns at once for a killed caller: stop then. */
    while (t->state != THREAD_EXITED && !thread_should_stop())
        wait_queue_wait(&t->exit_waiters);
    if (t->state != THREAD_EXITED) {
        t->joined = false; /* killed while it waited: t may still be joined */
        spin_unlock_irqrestore(&sched_lock, flags);
        return -EINTR;
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    if (value)
        *value = t->exit_value;
    thread_free(t);
    return 0;
}

/* Free every exited detached thread; returns how many. */
static unsigned reap(void)
{
    unsigned freed = 0;
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&sched_lock);
        struct thread *t = zombies;
        if (t)
            zombies = t->wait_next;
        spin_unlock_irqrestore(&sched_lock, flags);
        if (!t)
            return freed;
        thread_free(t);
        freed++;
    }
}

void thread_reap_forever(void)
{
    for (;;) {
        reap();
        uint64_t flags = spin_lock_irqsave(&sched_lock);
        while (zombies == NULL)
            wait_queue_wait(&reaper_queue);
        spin_unlock_irqrestore(&sched_lock, flags);
    }
}

bool thread_should_stop(void)
{
    struct thread *self = thread_current();
    return self->killed && !self->protected;
}

void thread_end_if_killed(void)
{
    struct thread *self = thread_current();
    if (thread_should_stop() && self->held_mutexes == NULL && !self->owner)
        thread_exit(NULL);
}

void thread_yield(void)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    schedule();
    spin_unlock_irqrestore(&sched_lock, flags);
    thread_end_if_killed();
}

int thread_sleep_ms(uint64_t ms)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    struct thread *self = thread_current();
    if (!thread_should_stop()) {
        sched_add_deadline(timer_now_ns() + ms * 1000000ull);
        self->state = THREAD_SLEEPING;
        self->waits_for = "sleep";
        schedule();
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    return thread_should_stop() ? -EINTR : 0;
}

static struct thread *find(uint64_t id)
{
    for (struct thread *t = all_threads; t; t = t->all_next)
        if (t->id == id && t->state != THREAD_EXITED)
            return t;
    return NULL;
}

int thread_kill(uint64_t id)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    struct thread *t = find(id);
    int result = !t ? -ESRCH : t->protected ? -EPERM : 0;
    if (result == 0) {
        t->killed = true;
        if (t->waiting_on)
            wait_queue_forget(t->waiting_on, t);
        sched_wake_locked(t); /* blocked or sleeping: woken to end */
        sched_nudge(t);       /* running: at its CPU's next safe point; ready: when it runs */
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    return result;
}

int thread_set_affinity(struct thread *t, int cpu)
{
    if (cpu != -1 && !sched_cpu_online(cpu))
        return -EINVAL;
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    int result = t->state == THREAD_EXITED || sched_is_idle_thread(t) ? -EINVAL : 0;
    if (result == 0) {
        t->affinity = cpu;
        if (t->state == THREAD_READY)
            sched_place(t);
        else if (!sched_may_run_on(t, t->cpu))
            sched_nudge(t); /* running where it may no longer: it moves at once */
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    return result;
}

void thread_protect(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    t->protected = true;
    spin_unlock_irqrestore(&sched_lock, flags);
}

const char *thread_state_name(enum thread_state state)
{
    static const char *const names[] = {
        [THREAD_RUNNING] = "running",   [THREAD_READY] = "ready",   [THREAD_BLOCKED] = "blocked",
        [THREAD_SLEEPING] = "sleeping", [THREAD_EXITED] = "exited",
    };
    return state <= THREAD_EXITED ? names[state] : "?";
}

const char *thread_priority_name(enum thread_priority priority)
{
    static const char *const names[] = {[PRIORITY_INTERACTIVE] = "inter",
                                        [PRIORITY_NORMAL] = "normal",
                                        [PRIORITY_BACKGROUND] = "bg"};
    return priority < PRIORITY_LEVELS ? names[priority] : "?";
}

uint64_t thread_stack_high_water(const struct thread *t)
{
    const uint64_t *word = (const uint64_t *)t->stack->bottom;
    const uint64_t *top = (const uint64_t *)t->stack->top;
    while (word < top && *word == 0)
        word++;
    return (uint64_t)((uintptr_t)top - (uintptr_t)word);
}

size_t thread_list(struct thread_info *out, size_t max)
{
    size_t count = 0;
    uint64_t flags = spin_lock_irqsave(&sched_lock);
    uint64_t now = timer_now_ns();
    for (struct thread *t = all_threads; t; t = t->all_next, count++) {
        if (count >= max)
            continue;
        struct thread_info *info = &out[count];
        info->id = t->id;
        strlcpy(info->name, t->name, sizeof(info->name));
        info->state = t->state;
        info->priority = t->priority;
        info->cpu = t->cpu;
        info->cpu_ns = t->cpu_ns + (t->state == THREAD_RUNNING ? now - t->ran_since : 0);
        /* A thread thread_create is still making has no stack yet. */
        info->stack_used = t->stack ? thread_stack_high_water(t) : 0;
        info->stack_size = t->stack ? t->stack->top - t->stack->bottom : 0;
        info->waits_for = t->waits_for;
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    return count;
}
