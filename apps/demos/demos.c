/*
 * demos.c - the threads `spawn` can start.
 *
 *   spin   a CPU-bound loop at background priority that never sleeps: with
 *          a few of them running, the shell must still echo every key at
 *          once, because it is interactive and preempts them;
 *   clock  the CMOS time as HH:MM:SS in the screen's top-right corner,
 *          redrawn once a second from a thread that sleeps in between
 *          (so it costs nothing meanwhile), beside the shell or the game.
 */
#include <apps/demos/demos.h>
#include <drivers/rtc/rtc.h>
#include <kernel/console.h>
#include <lib/format.h>
#include <lib/string.h>

#define CLOCK_PERIOD_MS 1000

static void *spin(void *unused)
{
    (void)unused;
    volatile uint64_t rounds = 0;
    while (!thread_should_stop())
        rounds = rounds + 1;
    return NULL;
}

static void *clock(void *unused)
{
    (void)unused;
    while (!thread_should_stop()) {
        uint8_t h, m, s;
        char text[16];
        rtc_read_time(&h, &m, &s);
        ksnprintf(text, sizeof(text), "%02u:%02u:%02u", h, m, s);
        console_draw_top_right(text, vga_attr(VGA_YELLOW, VGA_BLUE));
        thread_sleep_ms(CLOCK_PERIOD_MS);
    }
    return NULL;
}

static const struct demo demos[] = {
    {"spin", "a CPU-bound loop at background priority", spin, PRIORITY_BACKGROUND},
    {"clock", "the time in the top-right corner, once a second", clock, PRIORITY_NORMAL},
};

const struct demo *demo_find(const char *name)
{
    for (unsigned i = 0; i < sizeof(demos) / sizeof(demos[0]); i++)
        if (strcmp(demos[i].name, name) == 0)
            return &demos[i];
    return NULL;
}

const struct demo *demo_all(unsigned *count)
{
    *count = sizeof(demos) / sizeof(demos[0]);
    return demos;
}
