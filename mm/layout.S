/*
 * layout.S - the numbers of mm/layout.h and mm/paging.h that linker.ld
 * needs, as absolute symbols.
 *
 * A linker script cannot include a header, but it can use any symbol the
 * objects define. So the headers stay the only place where these numbers
 * are written; this file occupies no bytes in the kernel.
 */
#include <mm/layout.h>
#include <mm/paging.h>

    .global __layout_kernel_phys, __layout_kernel_vma, __layout_page_size
    .set __layout_kernel_phys, KERNEL_PHYS
    .set __layout_kernel_vma, KERNEL_VMA
    .set __layout_page_size, PAGE_SIZE
