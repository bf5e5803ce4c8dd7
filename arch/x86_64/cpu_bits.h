/*
 * cpu_bits.h - control register, MSR and CPUID bits that C and assembly
 * share: boot/multiboot/entry.S switches to long mode with them, the BIOS
 * loader's stage2_entry.S enters protected mode with CR0.PE, the kernel and
 * its tests read them back (cpu.h includes this header).
 *
 * Preprocessor definitions only, so assembly can include it (lib/const.h).
 * Sources: Intel SDM vol. 3A, 2.5 "Control Registers" and 2.2.1 "Extended
 * Feature Enable Register"; vol. 2A, CPUID (leaf 80000001h).
 */
#ifndef KEEL_ARCH_X86_64_CPU_BITS_H
#define KEEL_ARCH_X86_64_CPU_BITS_H

#include <lib/const.h>

#define CR0_PE BIT_ULL(0)  /* protected mode */
#define CR0_WP BIT_ULL(16) /* honour read-only pages in ring 0 too */
#define CR0_NW BIT_ULL(29) /* not write-through (with CD: caches off) */
#define CR0_CD BIT_ULL(30) /* cache disable */
#define CR0_PG BIT_ULL(31) /* paging */

#define CR4_PAE   BIT_ULL(5)  /* physical address extension: needed for long mode */
#define CR4_PGE   BIT_ULL(7)  /* global pages: kept in the TLB across CR3 loads */
#define CR4_PCIDE BIT_ULL(17) /* PCIDs on: CR0.PG cannot be cleared */
#define CR4_SMEP  BIT_ULL(20) /* ring 0 cannot execute user pages */
#define CR4_SMAP  BIT_ULL(21) /* ring 0 cannot touch user pages unless RFLAGS.AC (stac) */

#define MSR_EFER 0xC0000080
#define EFER_LME BIT_ULL(8)  /* long mode enable */
#define EFER_LMA BIT_ULL(10) /* long mode active (read only) */
#define EFER_NXE BIT_ULL(11) /* the page tables' execute-disable bit counts */
#define EFER_SCE BIT_ULL(0)  /* syscall/sysret enabled */

/* syscall/sysret (SDM vol. 3A, 5.8.8): the selectors in STAR, the entry
 * point in LSTAR, the RFLAGS bits that syscall clears in FMASK. */
#define MSR_STAR           0xC0000081
#define MSR_LSTAR          0xC0000082
#define MSR_FMASK          0xC0000084
#define MSR_FS_BASE        0xC0000100
#define MSR_GS_BASE        0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102 /* swapped with GS_BASE by swapgs */

#define RFLAGS_TF   BIT_ULL(8)  /* trap (single step) */
#define RFLAGS_DF   BIT_ULL(10) /* string direction */
#define RFLAGS_NT   BIT_ULL(14) /* nested task */
#define RFLAGS_AC   BIT_ULL(18) /* alignment check; with CR4.SMAP: user access allowed */
#define RFLAGS_IOPL (BIT_ULL(12) | BIT_ULL(13)) /* I/O privilege level */

/* Page attribute table (SDM vol. 3A, 12.12): eight memory types, chosen by
 * a page-table entry's PAT, PCD and PWT bits as index PAT*4 + PCD*2 + PWT.
 * The power-on table is WB, WT, UC-, UC, WB, WT, UC-, UC; Keel makes entry
 * 1 (PWT alone, usable in 4 KiB and 2 MiB entries alike, whose PAT bits sit
 * in different places) write-combining, for framebuffers. Entries 0, 2 and
 * 3, which every other mapping uses, keep their power-on types. */
#define MSR_PAT              0x277
#define PAT_TYPE_UC          0x00 /* uncacheable */
#define PAT_TYPE_WC          0x01 /* write-combining */
#define PAT_TYPE_WT          0x04 /* write-through */
#define PAT_TYPE_WB          0x06 /* write-back */
#define PAT_TYPE_UC_MINUS    0x07 /* uncacheable, MTRRs may override to WC */
#define PAT_ENTRY(index, ty) (ULL(ty) << (8 * (index)))
#define PAT_KEEL                                                                                   \
    (PAT_ENTRY(0, PAT_TYPE_WB) | PAT_ENTRY(1, PAT_TYPE_WC) | PAT_ENTRY(2, PAT_TYPE_UC_MINUS) |     \
     PAT_ENTRY(3, PAT_TYPE_UC) | PAT_ENTRY(4, PAT_TYPE_WB) | PAT_ENTRY(5, PAT_TYPE_WT) |           \
     PAT_ENTRY(6, PAT_TYPE_UC_MINUS) | PAT_ENTRY(7, PAT_TYPE_UC))

#define CPUID_FEATURES        0x00000001  /* feature flags in ECX and EDX */
#define CPUID_EDX_PAT         BIT_ULL(16) /* page attribute table */
#define CPUID_MAX_LEAF        0x00000000  /* EAX = the highest basic leaf */
#define CPUID_EXTENDED        0x00000007  /* structured extended features (subleaf 0) */
#define CPUID_7_EBX_SMEP      BIT_ULL(7)
#define CPUID_7_EBX_SMAP      BIT_ULL(20)
#define CPUID_EXT_MAX_LEAF    0x80000000  /* EAX = the highest extended leaf */
#define CPUID_EXT_FEATURES    0x80000001  /* extended feature flags in ECX and EDX */
#define CPUID_EXT_EDX_SYSCALL BIT_ULL(11) /* syscall/sysret in 64-bit mode */
#define CPUID_EXT_EDX_NX      BIT_ULL(20) /* execute-disable bit */
#define CPUID_EXT_EDX_LM      BIT_ULL(29) /* Intel 64 / AMD64 long mode */

#endif
