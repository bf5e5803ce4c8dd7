/*
 * cpuinfo.h - who made the processor, which one it is and what it can do,
 * from the CPUID instruction (arch/x86_64/cpuinfo.c).
 *
 * Leaves read (Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E):
 *   0            highest basic leaf; vendor string in EBX, EDX, ECX
 *   1            signature in EAX (stepping, model, family and their
 *                extensions); feature flags in ECX and EDX
 *   7, sub-leaf 0  structured extended features in EBX, ECX, EDX
 *   0x80000000   highest extended leaf
 *   0x80000001   extended features in ECX and EDX (lm, nx, syscall, ...)
 *   0x80000002-4 the brand string, 16 bytes per leaf
 * A leaf above the highest one reported is not read; its registers stay 0.
 *
 * The decoding is pure: cpu_info_collect takes the CPUID instruction as a
 * function, so host tests feed it register values of real processors.
 */
#ifndef KEEL_ARCH_X86_64_CPUINFO_H
#define KEEL_ARCH_X86_64_CPUINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu_info {
    char vendor[13]; /* "GenuineIntel", "AuthenticAMD", ... */
    char brand[49];  /* "" when the CPU has no brand string; leading spaces dropped */
    uint32_t max_leaf, max_ext_leaf;
    uint32_t signature; /* leaf 1 EAX */
    uint32_t family, model, stepping;
    uint32_t ecx1, edx1;       /* leaf 1 */
    uint32_t ebx7, ecx7, edx7; /* leaf 7, sub-leaf 0 */
    uint32_t ecx_ext, edx_ext; /* leaf 0x80000001 */
};

/* Which register of struct cpu_info a feature bit lives in. */
enum cpu_feature_register {
    CPU_REG_EDX1,
    CPU_REG_ECX1,
    CPU_REG_EBX7,
    CPU_REG_ECX7,
    CPU_REG_EDX7,
    CPU_REG_EDX_EXT,
    CPU_REG_ECX_EXT,
};

/* A feature: its register and bit number in one value. */
#define CPU_FEATURE(reg, bit) ((reg) << 5 | (bit))

/* The features the kernel asks about by name in code. */
enum cpu_feature {
    CPU_FEATURE_FPU = CPU_FEATURE(CPU_REG_EDX1, 0),
    CPU_FEATURE_TSC = CPU_FEATURE(CPU_REG_EDX1, 4),
    CPU_FEATURE_MSR = CPU_FEATURE(CPU_REG_EDX1, 5),
    CPU_FEATURE_PAE = CPU_FEATURE(CPU_REG_EDX1, 6),
    CPU_FEATURE_APIC = CPU_FEATURE(CPU_REG_EDX1, 9),
    CPU_FEATURE_SSE2 = CPU_FEATURE(CPU_REG_EDX1, 26),
    CPU_FEATURE_X2APIC = CPU_FEATURE(CPU_REG_ECX1, 21),
    CPU_FEATURE_RDRAND = CPU_FEATURE(CPU_REG_ECX1, 30),
    CPU_FEATURE_HYPERVISOR = CPU_FEATURE(CPU_REG_ECX1, 31),
    CPU_FEATURE_SMEP = CPU_FEATURE(CPU_REG_EBX7, 7),
    CPU_FEATURE_SMAP = CPU_FEATURE(CPU_REG_EBX7, 20),
    CPU_FEATURE_SYSCALL = CPU_FEATURE(CPU_REG_EDX_EXT, 11),
    CPU_FEATURE_NX = CPU_FEATURE(CPU_REG_EDX_EXT, 20),
    CPU_FEATURE_1GB_PAGES = CPU_FEATURE(CPU_REG_EDX_EXT, 26),
    CPU_FEATURE_LM = CPU_FEATURE(CPU_REG_EDX_EXT, 29),
};

/* The CPUID instruction or a stand-in: regs = EAX, EBX, ECX, EDX. */
typedef void (*cpuid_fn)(uint32_t leaf, uint32_t subleaf, uint32_t regs[4], void *ctx);

/* Fill *info from the leaves above, asking `query` for each. */
void cpu_info_collect(struct cpu_info *info, cpuid_fn query, void *ctx);

/* Fill *info from this processor (the CPUID instruction). */
void cpu_info_read(struct cpu_info *info);

/* Family, model and stepping from a leaf 1 EAX signature: the extended
 * family is added when the family is 0xF, the extended model is the high
 * nibble of the model when the family is 0x6 or 0xF (Intel SDM; AMD's rule,
 * family 0xF only, gives the same results for every AMD signature). */
void cpu_signature_decode(uint32_t signature, uint32_t *family, uint32_t *model,
                          uint32_t *stepping);

bool cpu_has(const struct cpu_info *info, enum cpu_feature feature);

/* Enough for every name cpu_feature_names knows, with separators. */
#define CPU_FEATURE_NAMES_MAX 512

/* The names of the features present ("fpu tsc ... lm"), in register and
 * bit order, separated by single spaces, NUL-terminated in buf (size
 * bytes, cut at a name boundary if too small). Returns the length of the
 * full list, as snprintf does. */
size_t cpu_feature_names(const struct cpu_info *info, char *buf, size_t size);

#endif
