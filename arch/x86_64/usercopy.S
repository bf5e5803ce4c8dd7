/*
 * usercopy.S - the kernel's only loads and stores to user memory (see
 * user_mode.h), each with an entry in the exception-fixup table below.
 *
 * A page fault on an instruction in the table resumes at its fixup
 * (user_mode_fixup, called by the page-fault handler), which closes SMAP
 * again and returns -EFAULT. stac and clac exist only on CPUs with SMAP,
 * so they run only when user_mode_init turned it on (smap_on).
 */
#define EFAULT       14
#define ENAMETOOLONG 36

.macro OPEN_USER
    testb $1, smap_on(%rip)
    jz 8f
    stac
8:
.endm

.macro CLOSE_USER
    testb $1, smap_on(%rip)
    jz 9f
    clac
9:
.endm

    .text

/* int user_copy_bytes(void *dst, const void *src, size_t n): rdi, rsi, rdx */
    .global user_copy_bytes
user_copy_bytes:
    movq %rdx, %rcx
    OPEN_USER
copy_fault_at:
    rep movsb
    CLOSE_USER
    xorl %eax, %eax
    ret
copy_fixup:
    CLOSE_USER
    movl $-EFAULT, %eax
    ret

/* long user_copy_string(char *dst, const char *src, size_t max): rdi, rsi, rdx */
    .global user_copy_string
user_copy_string:
    xorl %eax, %eax                 /* bytes copied before the NUL */
    testq %rdx, %rdx
    jz 3f
    OPEN_USER
1:
string_fault_at:
    movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    testb %cl, %cl
    jz 2f
    incq %rax
    cmpq %rdx, %rax
    jb 1b
    CLOSE_USER
3:  movq $-ENAMETOOLONG, %rax
    ret
2:  CLOSE_USER
    ret
string_fixup:
    CLOSE_USER
    movq $-EFAULT, %rax
    ret

/* The exception-fixup table: (faulting instruction, where to resume). */
    .section .rodata
    .balign 8
    .global user_fixup_table, user_fixup_table_end
user_fixup_table:
    .quad copy_fault_at, copy_fixup
    .quad string_fault_at, string_fixup
user_fixup_table_end:
