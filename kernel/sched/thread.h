/*
 * thread.h - kernel threads: the one header for creating, ending, joining,
 * killing and putting them to sleep.
 *
 * Every thread has its own kernel stack (THREAD_STACK_SIZE, behind an
 * unmapped guard page in mm's stack region, so an overflow faults on the
 * double-fault stack and the report names the thread), a priority (three
 * levels, round-robin within a level, a better level always first) and a
 * state:
 *
 *   READY --(picked)--> RUNNING --(slice over, or a better thread ready)--> READY
 *   RUNNING --(wait queue, mutex, semaphore)--> BLOCKED --(woken)--> READY
 *   RUNNING --(thread_sleep_ms)--> SLEEPING --(deadline)--> READY
 *   RUNNING --(thread_exit, return, killed)--> EXITED --(joined or reaped)--> freed
 *
 * Each thread also has a CPU (the one it runs on, or last ran on) and an
 * affinity: -1 lets it run on any CPU, a CPU number pins it there.
 *
 * Rules: thread_create, thread_join, thread_yield and thread_sleep_ms may
 * block and so are for thread context only, never with a spinlock held or
 * in an interrupt handler. thread_kill and thread_set_affinity may be
 * called from any thread.
 */
#ifndef KEEL_KERNEL_SCHED_THREAD_H
#define KEEL_KERNEL_SCHED_THREAD_H

#include <kernel/sched/run_queue.h>
#include <kernel/sched/sleep_queue.h>
#include <kernel/sched/wait_queue.h>
#include <mm/stacks.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THREAD_NAME_MAX   24
#define THREAD_STACK_SIZE (16 * 1024)

enum thread_state {
    THREAD_RUNNING,
    THREAD_READY,
    THREAD_BLOCKED,
    THREAD_SLEEPING,
    THREAD_EXITED,
};

typedef void *(*thread_fn)(void *arg);

struct mutex;

struct thread {
    uint64_t id;
    char name[THREAD_NAME_MAX];
    enum thread_state state;
    enum thread_priority priority;
    unsigned cpu;                     /* runs on, or last ran on (before that: made on) */
    int affinity;                     /* -1: any CPU; else the only CPU it may run on */
    uint64_t saved_rsp;               /* the whole context while not running (switch.S) */
    const struct kernel_stack *stack; /* the boot flow's thread runs on the boot stack */
    uint64_t cpu_ns;                  /* time spent running, up to its last switch-out */
    uint64_t ran_since;               /* when it last started running */
    const char *waits_for;            /* BLOCKED or SLEEPING: what, for `ps` */
    struct rq_node run_node;          /* in the run queue while READY */
    struct sleep_node sleep_node;     /* in the sleep queue while it waits for a deadline */
    struct wait_queue *waiting_on;    /* the wait queue it is on, if any */
    struct thread *wait_next;         /* next in that wait queue */
    bool timed_out;                   /* its deadline, not a wake-up, ended the wait */
    bool killed;                      /* thread_kill: end at the next safe point */
    bool protected;                   /* the idle, shell and boot threads: kill refuses */
    bool detached;                    /* freed by the reaper when it exits, not by a join */
    bool joined;                      /* someone waits in thread_join (only one may) */
    void *exit_value;
    struct wait_queue exit_waiters; /* the joiner */
    struct mutex *held_mutexes;     /* mutexes it holds, newest first */
    struct thread *all_next;        /* in the list of every thread */
    /* A thread that runs a program (kernel/proc/): its process, the page
     * tables it runs on, and what to do when it exits. Such a thread is
     * killed only at its return to ring 3 or from a wait, never in the
     * middle of a system call. 0 / NULL for kernel threads. */
    void *owner;
    uint64_t page_table_root;
    void (*on_exit)(struct thread *t);
};

/* What thread_create_owned sets before the new thread can first run. */
struct thread_owner {
    void *owner;
    uint64_t page_table_root;          /* 0: the kernel's */
    void (*on_exit)(struct thread *t); /* called by the exiting thread, interrupts off */
};

/* Start fn(arg) in a new thread. Returns it, or NULL with the reason in
 * thread_last_error() (-EINVAL for a bad priority or no function, -ENOMEM
 * when there is no stack slot, frame or heap for it). A thread ends by
 * returning (the value is its exit value) or with thread_exit. */
struct thread *thread_create(const char *name, thread_fn fn, void *arg,
                             enum thread_priority priority);
int thread_last_error(void);
/* The same, for a thread that belongs to a process (see struct thread). */
struct thread *thread_create_owned(const char *name, thread_fn fn, void *arg,
                                   enum thread_priority priority, const struct thread_owner *owner);
/* Nobody will join t: the reaper frees it when it exits. */
void thread_detach(struct thread *t);
/* End the calling thread with value; panics if it still holds a mutex. */
__attribute__((noreturn)) void thread_exit(void *value);
/* Wait for t to end, store its exit value (if value is not NULL) and free
 * it. 0, or -EINVAL for the caller itself, a detached thread or one that
 * another thread joins already, or -EINTR when the caller is killed while
 * it waits (t is then left as it was, to be joined later). */
int thread_join(struct thread *t, void **value);
/* Let other ready threads of the same or a better priority run first. */
void thread_yield(void);
/* Sleep ms milliseconds of timer time. 0, or -EINTR when killed meanwhile. */
int thread_sleep_ms(uint64_t ms);
struct thread *thread_current(void);
/* Ask thread id to end: at its next safe point (returning from a wait, a
 * sleep or a yield, or being preempted while it holds no mutex); a
 * blocked or sleeping thread is woken to end. 0, -ESRCH for no such
 * thread, -EPERM for a protected one. */
int thread_kill(uint64_t id);
/* The calling thread was killed: it should end. */
bool thread_should_stop(void);
/* The boot flow's last job: free exited detached threads, forever. */
__attribute__((noreturn)) void thread_reap_forever(void);
/* Let t run only on CPU `cpu` (-1: on any). A running thread pinned
 * elsewhere moves at its next switch, which is asked for at once. 0, or
 * -EINVAL for a CPU that is not online, an idle thread or an exited one. */
int thread_set_affinity(struct thread *t, int cpu);
/* Mark t as one that thread_kill refuses (the shell, say). */
void thread_protect(struct thread *t);

const char *thread_state_name(enum thread_state state);
const char *thread_priority_name(enum thread_priority priority);
/* Bytes of t's stack that have ever been used (the untouched part is still
 * zero from mapping). */
uint64_t thread_stack_high_water(const struct thread *t);

/* One thread, as `ps` shows it. */
struct thread_info {
    uint64_t id;
    char name[THREAD_NAME_MAX];
    enum thread_state state;
    enum thread_priority priority;
    unsigned cpu; /* runs on, or last ran on */
    uint64_t cpu_ns;
    uint64_t stack_used, stack_size;
    const char *waits_for;
};
/* Copy up to max threads' information into out; returns how many there are. */
size_t thread_list(struct thread_info *out, size_t max);

#endif
