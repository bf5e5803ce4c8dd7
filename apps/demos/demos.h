/*
 * demos.h - small threads the shell's `spawn` starts, to watch the
 * scheduler at work (demos.c).
 */
#ifndef KEEL_APPS_DEMOS_DEMOS_H
#define KEEL_APPS_DEMOS_DEMOS_H

#include <kernel/sched/thread.h>

struct demo {
    const char *name;
    const char *what; /* one line, for the usage message */
    thread_fn run;
    enum thread_priority priority;
};

/* The demo called name, or NULL. */
const struct demo *demo_find(const char *name);
/* Every demo, for listing: count in *count. */
const struct demo *demo_all(unsigned *count);

#endif
