/*
 * memory.h - the kernel's memory: frames, its own page tables, stacks.
 */
#ifndef KEEL_MEMORY_H
#define KEEL_MEMORY_H

#include <keel/boot_info.h>
#include <keel/frames.h>
#include <keel/paging.h>

/* Build the frame allocator and the kernel's own page tables (direct map of
 * all RAM, the image per section with least privilege, stacks with guard
 * pages; no identity map), switch to them, move the IST stacks and then
 * call continuation on the new kernel stack. Never returns. */
__attribute__((noreturn)) void memory_init(const struct boot_info *info,
                                           void (*continuation)(void));

struct frame_allocator *kernel_frames(void);
struct address_space *kernel_address_space(void);

/* Map `pages` fresh zeroed frames at virt (RW, NX); -ENOMEM and nothing
 * mapped if frames run out. */
int memory_map_new_pages(uint64_t virt, uint64_t pages);

/* Continue on the stack whose top is new_top (arch/x86_64/stack_switch.S). */
__attribute__((noreturn)) void switch_stack(uint64_t new_top, void (*continuation)(void));

#endif
