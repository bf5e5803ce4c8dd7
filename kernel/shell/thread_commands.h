/*
 * thread_commands.h - the shell's commands about threads (thread_commands.c):
 * ps, spawn, kill and sleep.
 */
#ifndef KEEL_KERNEL_SHELL_THREAD_COMMANDS_H
#define KEEL_KERNEL_SHELL_THREAD_COMMANDS_H

#include <kernel/shell/shell.h>

enum shell_status cmd_ps(int argc, char **argv);
enum shell_status cmd_cpus(int argc, char **argv);
enum shell_status cmd_spawn(int argc, char **argv);
enum shell_status cmd_kill(int argc, char **argv);
enum shell_status cmd_sleep(int argc, char **argv);

#endif
