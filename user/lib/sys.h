/*
 * sys.h - Keel's system calls by name, for programs in ring 3.
 *
 * One thin function per SYS_* number of include/keel/syscall.h, named as the
 * header's comments name the calls, except sleep_ms and uptime_ms, whose
 * unit is in the name (POSIX's sleep counts seconds). Each returns the
 * kernel's raw result: >= 0 on success, a negated error number (-EFAULT,
 * ...) on failure; lib/errno.h's error_name() says what one means. Nothing
 * is retried or hidden: a short write is the caller's to finish.
 */
#ifndef KEEL_USER_LIB_SYS_H
#define KEEL_USER_LIB_SYS_H

#include <keel/syscall.h>
#include <stddef.h>
#include <stdint.h>

/* End the program with status (0-255, as wait() reports it). */
_Noreturn void exit(int status);
/* Bytes written to fd (1 and 2: the console). */
long write(int fd, const void *buf, size_t len);
/* Bytes read into buf, 0 at the end of a file; fd 0 waits for the console
 * (a whole line, or in raw mode at least one byte). */
long read(int fd, void *buf, size_t len);
/* A file descriptor for a ramdisk file, or for "/" to list the ramdisk. */
int open(const char *path);
int close(int fd);
int stat(const char *path, struct keel_stat *st);
/* 1 with the next entry in *entry, 0 after the last one. */
int readdir(int fd, struct keel_dirent *entry);
int getpid(void);
/* Start the program at path with argv (NULL-terminated, argv[0] its name);
 * the child's pid. */
int spawn(const char *path, const char *const *argv);
/* Wait for child pid (-1: any) to end; its pid, its status in *status
 * (KEEL_STATUS_* of the header tell an exit from a kill). */
int wait(int pid, int *status);
int kill(int pid);
/* 0 after ms milliseconds, -EINTR if the program is killed meanwhile. */
int sleep_ms(uint64_t ms);
/* Milliseconds since boot. */
long uptime_ms(void);
/* Move the program break to end and return where it is afterwards (where
 * it was, when the kernel refuses); end NULL only asks. */
void *brk(void *end);
int yield(void);
/* Set the console's input mode (KEEL_CONSOLE_LINE or _RAW); the previous
 * mode. */
int console_mode(int mode);
/* The console's size: columns << 16 | rows. */
long console_size(void);

#endif
