/*
 * memory.h - the kernel's memory: frames, its own page tables, stacks.
 */
#ifndef KEEL_MM_MEMORY_H
#define KEEL_MM_MEMORY_H

#include <boot/boot_info.h>
#include <mm/frames.h>
#include <mm/paging.h>
#include <mm/stacks.h>

/* Build the frame allocator and the kernel's own page tables (direct map of
 * all RAM, the image per section with least privilege, stacks with guard
 * pages; no identity map) and switch to them. From then on physical memory
 * is reached through the direct map only: the caller must move anything
 * that pointed into the boot mapping (the VGA buffer) before using it.
 * Returns the number of frames left unused because the allocator's range
 * table was full. */
uint64_t memory_init(const struct boot_info *info);

struct frame_allocator *kernel_frames(void);
struct address_space *kernel_address_space(void);

/* Map `pages` fresh zeroed frames at virt (RW, NX); -ENOMEM and nothing
 * mapped if frames run out. */
int memory_map_new_pages(uint64_t virt, uint64_t pages);

/* Map device memory [phys, phys + length) (need not be page-aligned) at
 * DIRECT_MAP_BASE + phys with flags (MAP_WRITE, MAP_NOCACHE or
 * MAP_WRITE_COMBINE; never executable) and return its address in *virt.
 * -EINVAL beyond the direct map's span, -EEXIST when RAM's mapping is in
 * the way, -ENOMEM when frames for page tables run out. */
int memory_map_device(uint64_t phys, uint64_t length, unsigned flags, void **virt);

/* A process's address space: a new PML4 whose upper half is the kernel's
 * (shared: the kernel half's top-level entries never change after
 * memory_init) and whose lower half is empty. -ENOMEM without a frame. */
int memory_user_space_create(struct address_space *as);
/* Free every page and table of the lower half, then the PML4. The caller
 * has switched CR3 away from it. */
void memory_user_space_destroy(struct address_space *as);
/* Map a fresh zeroed frame at user address virt (MAP_USER added to flags);
 * *page (if not NULL) is where the kernel reaches it. 0, -ENOMEM, or
 * vm_map's errors (-EEXIST when something is mapped there). */
int memory_user_map_new(struct address_space *as, uint64_t virt, unsigned flags, void **page);
/* Unmap the 4 KiB page at virt and free its frame; -ENOENT if unmapped.
 * The caller flushes the TLB where it is in use. */
int memory_user_unmap(struct address_space *as, uint64_t virt);
/* hook(virt) is called after this CPU drops a changed kernel mapping from
 * its TLB, to make every other CPU drop it too (a TLB shootdown): the
 * kernel half is shared by every CPU, and invlpg clears only the calling
 * CPU's. It runs with memory_lock held: a CPU that waits for that lock
 * still answers (spin_wait_poll, kernel/spinlock.h). */
void memory_set_shootdown(void (*hook)(uint64_t virt));
/* A thread stack of `size` bytes (a multiple of PAGE_SIZE, at most
 * KERNEL_STACK_SLOT - PAGE_SIZE) in a free slot of the stack region, behind
 * an unmapped guard page, zero-filled, registered under name (which must
 * outlive the stack). -ENOMEM when slots or frames run out. */
int memory_stack_create(const char *name, uint64_t size, const struct kernel_stack **out);
/* Unmap a stack memory_stack_create made and give its frames back. */
void memory_stack_destroy(const struct kernel_stack *stack);

#endif
