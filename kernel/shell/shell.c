/*
 * shell.c - the shell's loop: read a line, split it, find the command, run it.
 *
 * The line editor draws through the console (both screens at once), so
 * every key typed on the keyboard or on the serial line shows up on both.
 * Commands live in commands.c.
 */
#include <kernel/console.h>
#include <kernel/input.h>
#include <kernel/shell/args.h>
#include <kernel/shell/line_edit.h>
#include <kernel/shell/program_commands.h>
#include <kernel/shell/shell.h>
#include <lib/string.h>

static void out_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    console_write(s, n);
}

static void out_cursor_left(void *ctx, size_t n)
{
    (void)ctx;
    console_cursor_left(n);
}

static void out_bell(void *ctx)
{
    (void)ctx;
    console_bell();
}

static void out_clear_screen(void *ctx)
{
    (void)ctx;
    console_clear();
}

const struct line_output console_line_output = {
    NULL, out_write, out_cursor_left, out_bell, out_clear_screen,
};

static const struct shell_command *find_command(const char *name)
{
    for (unsigned i = 0; i < shell_command_count; i++)
        if (strcmp(shell_commands[i].name, name) == 0)
            return &shell_commands[i];
    return NULL;
}

void shell_execute(char *line)
{
    char *argv[SHELL_MAX_ARGS + 1];
    const char *error = NULL;
    int argc = args_split(line, argv, SHELL_MAX_ARGS, &error);
    if (argc < 0) {
        kprintf("shell: %s\n", error);
        return;
    }
    if (argc == 0)
        return;
    const struct shell_command *command = find_command(argv[0]);
    if (!command) {
        if (!shell_try_program(argc, argv))
            kprintf("unknown command: %s (try help)\n", argv[0]);
        return;
    }
    if (command->run(argc, argv) == SHELL_USAGE)
        kprintf("usage: %s%s%s\n", command->name, command->usage[0] ? " " : "", command->usage);
}

/* Keys lost because the input ring was full are reported, not hidden. */
static void report_dropped_input(uint32_t *reported)
{
    uint32_t dropped = input_dropped();
    if (dropped != *reported) {
        kprintf("input: %u bytes dropped so far (typed faster than read)\n", (unsigned)dropped);
        *reported = dropped;
    }
}

void shell_run(void)
{
    static struct line_editor editor; /* its history is too big for the stack */
    uint32_t dropped_reported = input_dropped();
    line_editor_init(&editor);
    for (;;) {
        line_edit_begin(&editor, SHELL_PROMPT, &console_line_output);
        enum line_edit_result result;
        do {
            struct key_event ev;
            input_wait_press(&ev);
            result = line_edit_key(&editor, &ev, &console_line_output);
        } while (result == LINE_EDIT_CONTINUE);
        report_dropped_input(&dropped_reported);
        if (result == LINE_EDIT_DONE) {
            char line[LINE_EDIT_MAX + 1];
            strlcpy(line, line_edit_text(&editor), sizeof(line));
            shell_execute(line);
        }
    }
}
