/*
 * shell.h - Keel's command shell on the screen and the serial line.
 *
 * The shell reads key events (PS/2 keyboard and COM1 alike, see input.h),
 * edits the line with kernel/shell/line_edit.c, splits it into arguments with
 * kernel/shell/args.c and runs the command of that name from the table in
 * kernel/shell/commands.c. It sleeps in hlt while waiting for keys.
 */
#ifndef KEEL_KERNEL_SHELL_SHELL_H
#define KEEL_KERNEL_SHELL_SHELL_H

#define SHELL_PROMPT   "keel> "
#define SHELL_MAX_ARGS 16

/* What a command returns: done, or called wrongly (the shell prints its
 * usage line). */
enum shell_status { SHELL_OK, SHELL_USAGE };

struct shell_command {
    const char *name;
    const char *usage; /* arguments, as shown by help and in the usage line */
    const char *help;  /* one line */
    enum shell_status (*run)(int argc, char **argv);
};

/* Every command, in the order help lists them. */
extern const struct shell_command shell_commands[];
extern const unsigned shell_command_count;

/* The line editor's output on the console (both screens): the shell's, and
 * that of programs reading a line (kernel/proc/console_io.c). */
struct line_output;
extern const struct line_output console_line_output;

/* Read and run commands forever. */
__attribute__((noreturn)) void shell_run(void);

/* Split line (modified in place) into arguments and run it; messages for
 * unknown commands, bad quoting and wrong arguments included. */
void shell_execute(char *line);

#endif
