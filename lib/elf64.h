/*
 * elf64.h - the numbers of the ELF-64 format that Keel's ELF readers use:
 * the BIOS and UEFI loaders (boot/loader/elf_load.c) and the kernel's check
 * of user programs (kernel/proc/elf_user.c). Byte offsets into the file
 * header and a program header, and the values they are compared with
 * (ELF-64 Object File Format, "File header" and "Program header table";
 * the AMD64 psABI for the machine number). Preprocessor definitions only.
 */
#ifndef KEEL_LIB_ELF64_H
#define KEEL_LIB_ELF64_H

/* ELF header: byte offsets. */
#define EHDR_IDENT     0
#define EHDR_TYPE      16 /* u16 */
#define EHDR_MACHINE   18 /* u16 */
#define EHDR_VERSION   20 /* u32 */
#define EHDR_ENTRY     24 /* u64 */
#define EHDR_PHOFF     32 /* u64 */
#define EHDR_PHENTSIZE 54 /* u16 */
#define EHDR_PHNUM     56 /* u16 */
#define EHDR_SIZE      64 /* sizeof(Elf64_Ehdr) */

/* e_ident bytes and header values. */
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS64  2
#define ELFDATA2LSB 1 /* two's complement, little endian */
#define EV_CURRENT  1
#define ET_EXEC     2      /* an executable at fixed addresses (not ET_DYN, a PIE) */
#define EM_X86_64   62     /* AMD64 psABI, "Machine Information" */
#define PN_XNUM     0xFFFF /* "the real count is in section 0": not supported */

/* Program header: byte offsets and values. */
#define PHDR_TYPE   0  /* u32 */
#define PHDR_FLAGS  4  /* u32 */
#define PHDR_OFFSET 8  /* u64 */
#define PHDR_VADDR  16 /* u64 */
#define PHDR_PADDR  24 /* u64 */
#define PHDR_FILESZ 32 /* u64 */
#define PHDR_MEMSZ  40 /* u64 */
#define PHDR_ALIGN  48 /* u64 */
#define PHDR_SIZE   56 /* sizeof(Elf64_Phdr); e_phentsize must say this */
#define PT_LOAD     1  /* loadable segment */
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PF_X        0x1
#define PF_W        0x2

#endif
