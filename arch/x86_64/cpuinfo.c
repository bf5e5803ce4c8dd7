/*
 * cpuinfo.c - decoding CPUID into struct cpu_info (see arch/x86_64/cpuinfo.h).
 *
 * Everything but cpu_info_read is pure, and even that runs on a host (CPUID
 * is allowed in user mode), so host tests compile this file as it is.
 *
 * Feature bits: Intel SDM vol. 2A, CPUID, tables "Feature Information
 * Returned in the ECX/EDX Register" (leaf 1) and "Structured Extended
 * Feature Flags" (leaf 7); leaf 0x80000001 from the same instruction page
 * and AMD APM vol. 3 appendix E (lahf_lm, lzcnt, sse4a, ... are AMD's).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/cpuinfo.h>

#define LEAF_VENDOR         0x0
#define LEAF_FEATURES       0x1
#define LEAF_STRUCTURED     0x7
#define LEAF_BRAND_FIRST    0x80000002u
#define LEAF_BRAND_LAST     0x80000004u
#define EXT_LEAF_RANGE_MASK 0xFFFF0000u /* a real highest extended leaf is 0x8000xxxx */
#define FAMILY_EXTENDED     0xF         /* extended family counts only for family 0xF */
#define FAMILY_P6           0x6         /* extended model counts for families 0x6 and 0xF */

/* entry.S tests these bits before any C runs; cpu_has() must agree. */
_Static_assert(CPUID_EXT_EDX_NX == 1u << (CPU_FEATURE_NX & 31) &&
                   CPUID_EXT_EDX_LM == 1u << (CPU_FEATURE_LM & 31),
               "cpu_bits.h and enum cpu_feature disagree on the NX and LM bits");

struct feature_name {
    uint16_t feature; /* CPU_FEATURE(register, bit) */
    const char *name;
};

/* Names as Linux's /proc/cpuinfo spells them, except where a dash reads
 * better (sse4.1, 1gb-pages, tsc-deadline). */
static const struct feature_name feature_names[] = {
    {CPU_FEATURE(CPU_REG_EDX1, 0), "fpu"},
    {CPU_FEATURE(CPU_REG_EDX1, 1), "vme"},
    {CPU_FEATURE(CPU_REG_EDX1, 2), "de"},
    {CPU_FEATURE(CPU_REG_EDX1, 3), "pse"},
    {CPU_FEATURE(CPU_REG_EDX1, 4), "tsc"},
    {CPU_FEATURE(CPU_REG_EDX1, 5), "msr"},
    {CPU_FEATURE(CPU_REG_EDX1, 6), "pae"},
    {CPU_FEATURE(CPU_REG_EDX1, 7), "mce"},
    {CPU_FEATURE(CPU_REG_EDX1, 8), "cx8"},
    {CPU_FEATURE(CPU_REG_EDX1, 9), "apic"},
    {CPU_FEATURE(CPU_REG_EDX1, 11), "sep"},
    {CPU_FEATURE(CPU_REG_EDX1, 12), "mtrr"},
    {CPU_FEATURE(CPU_REG_EDX1, 13), "pge"},
    {CPU_FEATURE(CPU_REG_EDX1, 14), "mca"},
    {CPU_FEATURE(CPU_REG_EDX1, 15), "cmov"},
    {CPU_FEATURE(CPU_REG_EDX1, 16), "pat"},
    {CPU_FEATURE(CPU_REG_EDX1, 17), "pse36"},
    {CPU_FEATURE(CPU_REG_EDX1, 19), "clflush"},
    {CPU_FEATURE(CPU_REG_EDX1, 23), "mmx"},
    {CPU_FEATURE(CPU_REG_EDX1, 24), "fxsr"},
    {CPU_FEATURE(CPU_REG_EDX1, 25), "sse"},
    {CPU_FEATURE(CPU_REG_EDX1, 26), "sse2"},
    {CPU_FEATURE(CPU_REG_EDX1, 28), "ht"},
    {CPU_FEATURE(CPU_REG_ECX1, 0), "sse3"},
    {CPU_FEATURE(CPU_REG_ECX1, 1), "pclmulqdq"},
    {CPU_FEATURE(CPU_REG_ECX1, 3), "monitor"},
    {CPU_FEATURE(CPU_REG_ECX1, 5), "vmx"},
    {CPU_FEATURE(CPU_REG_ECX1, 9), "ssse3"},
    {CPU_FEATURE(CPU_REG_ECX1, 12), "fma"},
    {CPU_FEATURE(CPU_REG_ECX1, 13), "cx16"},
    {CPU_FEATURE(CPU_REG_ECX1, 17), "pcid"},
    {CPU_FEATURE(CPU_REG_ECX1, 19), "sse4.1"},
    {CPU_FEATURE(CPU_REG_ECX1, 20), "sse4.2"},
    {CPU_FEATURE(CPU_REG_ECX1, 21), "x2apic"},
    {CPU_FEATURE(CPU_REG_ECX1, 22), "movbe"},
    {CPU_FEATURE(CPU_REG_ECX1, 23), "popcnt"},
    {CPU_FEATURE(CPU_REG_ECX1, 24), "tsc-deadline"},
    {CPU_FEATURE(CPU_REG_ECX1, 25), "aes"},
    {CPU_FEATURE(CPU_REG_ECX1, 26), "xsave"},
    {CPU_FEATURE(CPU_REG_ECX1, 28), "avx"},
    {CPU_FEATURE(CPU_REG_ECX1, 29), "f16c"},
    {CPU_FEATURE(CPU_REG_ECX1, 30), "rdrand"},
    {CPU_FEATURE(CPU_REG_ECX1, 31), "hypervisor"},
    {CPU_FEATURE(CPU_REG_EBX7, 0), "fsgsbase"},
    {CPU_FEATURE(CPU_REG_EBX7, 3), "bmi1"},
    {CPU_FEATURE(CPU_REG_EBX7, 5), "avx2"},
    {CPU_FEATURE(CPU_REG_EBX7, 7), "smep"},
    {CPU_FEATURE(CPU_REG_EBX7, 8), "bmi2"},
    {CPU_FEATURE(CPU_REG_EBX7, 9), "erms"},
    {CPU_FEATURE(CPU_REG_EBX7, 10), "invpcid"},
    {CPU_FEATURE(CPU_REG_EBX7, 16), "avx512f"},
    {CPU_FEATURE(CPU_REG_EBX7, 18), "rdseed"},
    {CPU_FEATURE(CPU_REG_EBX7, 19), "adx"},
    {CPU_FEATURE(CPU_REG_EBX7, 20), "smap"},
    {CPU_FEATURE(CPU_REG_EBX7, 23), "clflushopt"},
    {CPU_FEATURE(CPU_REG_EBX7, 29), "sha"},
    {CPU_FEATURE(CPU_REG_ECX7, 2), "umip"},
    {CPU_FEATURE(CPU_REG_ECX7, 3), "pku"},
    {CPU_FEATURE(CPU_REG_ECX7, 16), "la57"},
    {CPU_FEATURE(CPU_REG_ECX7, 22), "rdpid"},
    {CPU_FEATURE(CPU_REG_EDX_EXT, 11), "syscall"},
    {CPU_FEATURE(CPU_REG_EDX_EXT, 20), "nx"},
    {CPU_FEATURE(CPU_REG_EDX_EXT, 26), "1gb-pages"},
    {CPU_FEATURE(CPU_REG_EDX_EXT, 27), "rdtscp"},
    {CPU_FEATURE(CPU_REG_EDX_EXT, 29), "lm"},
    {CPU_FEATURE(CPU_REG_ECX_EXT, 0), "lahf_lm"},
    {CPU_FEATURE(CPU_REG_ECX_EXT, 2), "svm"},
    {CPU_FEATURE(CPU_REG_ECX_EXT, 5), "lzcnt"},
    {CPU_FEATURE(CPU_REG_ECX_EXT, 6), "sse4a"},
    {CPU_FEATURE(CPU_REG_ECX_EXT, 8), "prefetchw"},
};

static void copy_register(char *dest, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        dest[i] = (char)(value >> (8 * i));
}

void cpu_signature_decode(uint32_t signature, uint32_t *family, uint32_t *model, uint32_t *stepping)
{
    uint32_t base_family = (signature >> 8) & 0xF, ext_family = (signature >> 20) & 0xFF;
    uint32_t base_model = (signature >> 4) & 0xF, ext_model = (signature >> 16) & 0xF;
    *stepping = signature & 0xF;
    *family = base_family == FAMILY_EXTENDED ? base_family + ext_family : base_family;
    *model = base_family == FAMILY_P6 || base_family == FAMILY_EXTENDED
                 ? ext_model << 4 | base_model
                 : base_model;
}

/* The 48-byte brand string, without the leading spaces some Intel
 * processors pad it with; always NUL-terminated. */
static void read_brand(struct cpu_info *info, cpuid_fn query, void *ctx)
{
    char raw[49] = {0};
    for (uint32_t leaf = LEAF_BRAND_FIRST; leaf <= LEAF_BRAND_LAST; leaf++) {
        uint32_t regs[4] = {0};
        query(leaf, 0, regs, ctx);
        for (int r = 0; r < 4; r++)
            copy_register(raw + (leaf - LEAF_BRAND_FIRST) * 16 + r * 4, regs[r]);
    }
    size_t start = 0;
    while (raw[start] == ' ')
        start++;
    size_t i = 0;
    for (; raw[start + i] != '\0'; i++)
        info->brand[i] = raw[start + i];
    info->brand[i] = '\0';
}

void cpu_info_collect(struct cpu_info *info, cpuid_fn query, void *ctx)
{
    *info = (struct cpu_info){0};
    uint32_t regs[4] = {0};
    query(LEAF_VENDOR, 0, regs, ctx);
    info->max_leaf = regs[0];
    copy_register(info->vendor, regs[1]); /* the vendor string is EBX, EDX, ECX */
    copy_register(info->vendor + 4, regs[3]);
    copy_register(info->vendor + 8, regs[2]);
    if (info->max_leaf >= LEAF_FEATURES) {
        query(LEAF_FEATURES, 0, regs, ctx);
        info->signature = regs[0];
        info->ecx1 = regs[2];
        info->edx1 = regs[3];
        cpu_signature_decode(info->signature, &info->family, &info->model, &info->stepping);
    }
    if (info->max_leaf >= LEAF_STRUCTURED) {
        query(LEAF_STRUCTURED, 0, regs, ctx);
        info->ebx7 = regs[1];
        info->ecx7 = regs[2];
        info->edx7 = regs[3];
    }
    query(CPUID_EXT_MAX_LEAF, 0, regs, ctx);
    if ((regs[0] & EXT_LEAF_RANGE_MASK) != CPUID_EXT_MAX_LEAF)
        return; /* older processors answer with some basic leaf instead */
    info->max_ext_leaf = regs[0];
    if (info->max_ext_leaf >= CPUID_EXT_FEATURES) {
        query(CPUID_EXT_FEATURES, 0, regs, ctx);
        info->ecx_ext = regs[2];
        info->edx_ext = regs[3];
    }
    if (info->max_ext_leaf >= LEAF_BRAND_LAST)
        read_brand(info, query, ctx);
}

static void hardware_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4], void *ctx)
{
    (void)ctx;
    (void)subleaf; /* cpuid() asks for sub-leaf 0, the only one read here */
    cpuid(leaf, &regs[0], &regs[1], &regs[2], &regs[3]);
}

void cpu_info_read(struct cpu_info *info)
{
    cpu_info_collect(info, hardware_cpuid, NULL);
}

static uint32_t feature_register(const struct cpu_info *info, enum cpu_feature_register reg)
{
    switch (reg) {
    case CPU_REG_EDX1:
        return info->edx1;
    case CPU_REG_ECX1:
        return info->ecx1;
    case CPU_REG_EBX7:
        return info->ebx7;
    case CPU_REG_ECX7:
        return info->ecx7;
    case CPU_REG_EDX7:
        return info->edx7;
    case CPU_REG_EDX_EXT:
        return info->edx_ext;
    case CPU_REG_ECX_EXT:
        return info->ecx_ext;
    }
    return 0;
}

/* feature: CPU_FEATURE(register, bit), named in enum cpu_feature or not. */
static bool has_feature_bit(const struct cpu_info *info, unsigned feature)
{
    uint32_t value = feature_register(info, (enum cpu_feature_register)(feature >> 5));
    return value & (1u << (feature & 31));
}

bool cpu_has(const struct cpu_info *info, enum cpu_feature feature)
{
    return has_feature_bit(info, (unsigned)feature);
}

size_t cpu_feature_names(const struct cpu_info *info, char *buf, size_t size)
{
    size_t length = 0;    /* of the full list */
    bool fits = size > 0; /* every name so far went into buf */
    if (size > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
        if (!has_feature_bit(info, feature_names[i].feature))
            continue;
        const char *name = feature_names[i].name;
        size_t name_length = 0;
        while (name[name_length])
            name_length++;
        size_t start = length, separator = length > 0;
        length += separator + name_length;
        if (fits && length < size) {
            if (separator)
                buf[start] = ' ';
            for (size_t k = 0; k < name_length; k++)
                buf[start + separator + k] = name[k];
            buf[length] = '\0';
        } else {
            fits = false;
        }
    }
    return length;
}
