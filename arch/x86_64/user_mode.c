/*
 * user_mode.c - ring 3's machinery (see user_mode.h).
 *
 * syscall's MSRs (SDM vol. 3A, 5.8.8): STAR holds the kernel's CS for
 * syscall (SS is CS + 8) and the base for sysret (SS = base + 8, CS =
 * base + 16, RPL 3: gdt.h orders the descriptors so); LSTAR the entry
 * point; FMASK the RFLAGS bits syscall clears: IF (no interrupt before the
 * stack switch), DF (the ABI's direction), TF (no single-step trap in the
 * kernel), AC (SMAP stays shut) and NT.
 *
 * SMEP stops ring 0 from executing user pages, SMAP from reading or
 * writing them outside usercopy.S's windows (SDM vol. 3A, 4.6).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/percpu.h>
#include <arch/x86_64/user_mode.h>
#include <lib/errno.h>

/* Defined in syscall.S and usercopy.S. */
void syscall_entry(void);
void user_enter(const struct interrupt_frame *frame);
int user_copy_bytes(void *dst, const void *src, size_t n);
extern const uint64_t user_fixup_table[], user_fixup_table_end[];

/* Read by usercopy.S's stac/clac macros (and isr.S's clac). */
uint8_t smap_on;
static bool smep_on;

void user_mode_init_cpu(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)(GDT_USER_DATA - 8) << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT);
}

void user_mode_init(void)
{
    uint32_t eax, ebx, ecx, edx;

    user_mode_init_cpu();

    cpuid(CPUID_MAX_LEAF, &eax, &ebx, &ecx, &edx);
    if (eax < CPUID_EXTENDED)
        return;
    cpuid(CPUID_EXTENDED, &eax, &ebx, &ecx, &edx); /* subleaf 0 */
    uint64_t cr4 = read_cr4();
    if (ebx & CPUID_7_EBX_SMEP) {
        cr4 |= CR4_SMEP;
        smep_on = true;
    }
    if (ebx & CPUID_7_EBX_SMAP) {
        cr4 |= CR4_SMAP;
        smap_on = 1;
    }
    write_cr4(cr4);
}

bool user_mode_smep(void)
{
    return smep_on;
}

bool user_mode_smap(void)
{
    return smap_on != 0;
}

void user_enter_at(struct interrupt_frame *frame, uint64_t entry, uint64_t stack)
{
    *frame = (struct interrupt_frame){
        .rip = entry,
        .cs = USER_CS,
        .rflags = RFLAGS_IF | 0x2, /* bit 1 always reads as 1 */
        .rsp = stack,
        .ss = USER_SS,
    };
    user_enter(frame);
    __builtin_unreachable();
}

int user_copy_from(void *dst, const void *user_src, size_t n)
{
    return user_copy_bytes(dst, user_src, n);
}

int user_copy_to(void *user_dst, const void *src, size_t n)
{
    return user_copy_bytes(user_dst, src, n);
}

bool user_mode_fixup(struct interrupt_frame *frame)
{
    for (const uint64_t *e = user_fixup_table; e < user_fixup_table_end; e += 2) {
        if (frame->rip == e[0]) {
            frame->rip = e[1];
            return true;
        }
    }
    return false;
}
