/*
 * program_commands.h - the shell and user programs: `run`, programs by
 * name, and the process list of `ps`.
 */
#ifndef KEEL_KERNEL_SHELL_PROGRAM_COMMANDS_H
#define KEEL_KERNEL_SHELL_PROGRAM_COMMANDS_H

#include <kernel/shell/shell.h>
#include <stdbool.h>

/* `run <path> [args]`. */
enum shell_status cmd_run(int argc, char **argv);
/* Run the ramdisk program argv[0] in the foreground if there is one:
 * false (and nothing printed) when the ramdisk has no such file. */
bool shell_try_program(int argc, char **argv);
/* The processes, for `ps`. */
void shell_print_processes(void);

#endif
