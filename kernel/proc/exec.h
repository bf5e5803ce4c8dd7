/*
 * exec.h - putting a program into a fresh address space.
 */
#ifndef KEEL_KERNEL_PROC_EXEC_H
#define KEEL_KERNEL_PROC_EXEC_H

#include <kernel/proc/process.h>
#include <stddef.h>
#include <stdint.h>

/* Map the ELF file's segments and a stack holding argv into p's (empty)
 * address space; set p's program break. *entry and *stack are where the
 * program starts. 0, -ENOEXEC (reason in *why), -E2BIG or -ENOMEM; on
 * failure the caller frees the address space with whatever was mapped. */
int exec_load(struct process *p, const void *file, size_t size, int argc, const char *const *argv,
              uint64_t *entry, uint64_t *stack, const char **why);

/* Write n bytes at user address dst of space (mapped by the caller), from
 * the kernel side through the direct map: 0 or -EFAULT if a page is not
 * mapped. */
int exec_write_user(struct address_space *space, uint64_t dst, const void *src, size_t n);

#endif
