/*
 * commands.c - what the shell can do: one small function per command
 * and the table that names them (help lists it in this order).
 */
#include <apps/ttt/game.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/cpuinfo.h>
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/main.h>
#include <kernel/panic.h>
#include <kernel/power.h>
#include <kernel/shell/program_commands.h>
#include <kernel/shell/shell.h>
#include <kernel/shell/thread_commands.h>
#include <kernel/timer.h>
#include <lib/errno.h>
#include <lib/format.h>
#include <lib/string.h>
#include <mm/kheap.h>
#include <mm/memory.h>

static enum shell_status cmd_help(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    kprintf("Commands:\n");
    for (unsigned i = 0; i < shell_command_count; i++) {
        const struct shell_command *c = &shell_commands[i];
        char left[32];
        ksnprintf(left, sizeof(left), "%s %s", c->name, c->usage);
        kprintf("  %-20s %s\n", left, c->help);
    }
    kprintf("Keys: Left/Right/Home/End edit, Up/Down history, Ctrl+C cancels, Ctrl+L clears.\n");
    return SHELL_OK;
}

static enum shell_status cmd_clear(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    console_clear();
    return SHELL_OK;
}

static enum shell_status cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        kprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
    kprintf("\n");
    return SHELL_OK;
}

static enum shell_status cmd_mem(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    kernel_print_memory_map(kernel_boot_info());
    struct frame_stats frames;
    frame_get_stats(kernel_frames(), &frames);
    kprintf("frames: %llu total (%llu MiB), %llu free (%llu MiB), %llu used (%llu MiB)\n",
            (unsigned long long)frames.total, (unsigned long long)(frames.total * PAGE_SIZE >> 20),
            (unsigned long long)frames.free, (unsigned long long)(frames.free * PAGE_SIZE >> 20),
            (unsigned long long)frames.used, (unsigned long long)(frames.used * PAGE_SIZE >> 20));
    struct kheap_stats heap;
    kheap_get_stats(&heap);
    kprintf("heap: %zu KiB mapped; %zu bytes used in %zu blocks\n", heap.mapped_bytes >> 10,
            heap.heap.used_bytes, heap.heap.block_count);
    kprintf("      %zu bytes free in %zu blocks, the largest %zu bytes\n", heap.heap.free_bytes,
            heap.heap.free_block_count, heap.heap.largest_free_block);
    return SHELL_OK;
}

static enum shell_status cmd_input(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    input_print_stats();
    return SHELL_OK;
}

static enum shell_status cmd_uptime(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    uint64_t ms = timer_uptime_ms();
    uint64_t s = ms / 1000;
    kprintf("up %llu:%02llu:%02llu.%03llu (%llu timer interrupts)\n",
            (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
            (unsigned long long)(s % 60), (unsigned long long)(ms % 1000),
            (unsigned long long)timer_interrupts());
    return SHELL_OK;
}

/* The 16 VGA colours by the names `color` takes (vga.h's order). */
static const char *const colour_names[16] = {
    "black",     "blue",          "green",     "cyan",       "red",         "magenta",
    "brown",     "light-grey",    "dark-grey", "light-blue", "light-green", "light-cyan",
    "light-red", "light-magenta", "yellow",    "white",
};

static bool colour_by_name(const char *name, enum vga_color *colour)
{
    for (unsigned i = 0; i < 16; i++) {
        if (strcmp(name, colour_names[i]) == 0) {
            *colour = (enum vga_color)i;
            return true;
        }
    }
    return false;
}

static enum shell_status cmd_color(int argc, char **argv)
{
    enum vga_color fg, bg;
    if (argc != 3 || !colour_by_name(argv[1], &fg) || !colour_by_name(argv[2], &bg)) {
        kprintf("colours:");
        for (unsigned i = 0; i < 16; i++)
            kprintf(" %s", colour_names[i]);
        kprintf("\n");
        return SHELL_USAGE;
    }
    if (fg == bg) {
        kprintf("color: %s on %s would make text invisible\n", argv[1], argv[2]);
        return SHELL_OK;
    }
    console_set_color(fg, bg);
    return SHELL_OK;
}

static enum shell_status cmd_int3(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    cpu_breakpoint();
    kprintf("int3: back from the breakpoint handler\n");
    return SHELL_OK;
}

static enum shell_status cmd_panic(int argc, char **argv)
{
    if (argc < 2)
        return SHELL_USAGE;
    char message[160] = "";
    size_t used = 0;
    for (int i = 1; i < argc && used < sizeof(message); i++)
        used += (size_t)ksnprintf(message + used, sizeof(message) - used, "%s%s", i > 1 ? " " : "",
                                  argv[i]);
    panic("%s", message);
}

static enum shell_status cmd_cpu(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    struct cpu_info info;
    char features[CPU_FEATURE_NAMES_MAX];
    cpu_info_read(&info);
    cpu_feature_names(&info, features, sizeof(features));
    kprintf("vendor:   %s\n", info.vendor);
    kprintf("brand:    %s\n", info.brand[0] ? info.brand : "(no brand string)");
    kprintf("family %u, model %u, stepping %u (signature %#x)\n", (unsigned)info.family,
            (unsigned)info.model, (unsigned)info.stepping, (unsigned)info.signature);
    kprintf("features: %s\n", features);
    return SHELL_OK;
}

static enum shell_status cmd_reboot(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    kprintf("Rebooting...\n");
    power_reboot();
}

static enum shell_status cmd_shutdown(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return SHELL_USAGE;
    kprintf("Powering off...\n");
    int err = power_shutdown();
    kprintf("shutdown: the machine is still running (%s); it is safe to switch it off\n",
            power_error_name(err));
    return SHELL_OK;
}

static enum shell_status cmd_ttt(int argc, char **argv)
{
    bool two_players = false;
    if (argc == 2 && strcmp(argv[1], "2") == 0)
        two_players = true;
    else if (argc != 1)
        return SHELL_USAGE;
    ttt_app_run(two_players);
    return SHELL_OK;
}

const struct shell_command shell_commands[] = {
    {"help", "", "list the commands", cmd_help},
    {"clear", "", "clear the screen", cmd_clear},
    {"echo", "<text>", "print the text", cmd_echo},
    {"mem", "", "memory map, frame and heap statistics", cmd_mem},
    {"input", "", "input bytes dropped (should be 0) and held back", cmd_input},
    {"uptime", "", "time since boot", cmd_uptime},
    {"cpu", "", "processor vendor, brand and features", cmd_cpu},
    {"color", "<fg> <bg>", "text colours by name (try: color yellow blue)", cmd_color},
    {"ttt", "[2]", "tic-tac-toe against the computer, or for two players", cmd_ttt},
    {"int3", "", "raise a breakpoint exception and come back", cmd_int3},
    {"panic", "<message>", "stop the kernel with a panic report", cmd_panic},
    {"reboot", "", "restart the machine", cmd_reboot},
    {"shutdown", "", "power the machine off (ACPI)", cmd_shutdown},
    {"ps", "", "threads and processes: state, CPU time, stack, waits", cmd_ps},
    {"cpus", "", "each CPU: APIC id, state, thread, idle time, switches", cmd_cpus},
    {"spawn", "<demo> [cpu]", "start a demo thread (spin, clock), pinned to a CPU if given",
     cmd_spawn},
    {"kill", "<id>", "end a thread", cmd_kill},
    {"sleep", "<ms>", "sleep the shell (Ctrl+C wakes it)", cmd_sleep},
    {"run", "<prog> [args]", "run a ramdisk program (or type its name; Ctrl+C ends it)", cmd_run},
};

const unsigned shell_command_count = sizeof(shell_commands) / sizeof(shell_commands[0]);
