/*
 * test_cpuinfo.c - host tests for CPUID decoding (arch/x86_64/cpuinfo.c).
 *
 * A fake CPUID answers from a table of register values. Signatures are
 * those of real processors, with family/model/stepping worked out by hand
 * from the Intel SDM rules; feature registers are built from single bits
 * whose names were looked up in the SDM tables, so the expected lists are
 * independent of the code's own table. The fake also behaves like an Intel
 * processor asked for a leaf above its maximum (it answers with the highest
 * basic leaf), so reading such a leaf would show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/x86_64/cpuinfo.h>

#define MAX_LEAVES 16
#define BIT(n)     (1u << (n))

struct fake_leaf {
    uint32_t leaf;
    uint32_t regs[4]; /* EAX, EBX, ECX, EDX */
};

struct fake_cpu {
    struct fake_leaf leaves[MAX_LEAVES];
    size_t count;
    uint32_t queried[MAX_LEAVES * 2];
    size_t queried_count;
};

static const struct fake_leaf *find_leaf(const struct fake_cpu *cpu, uint32_t leaf)
{
    for (size_t i = 0; i < cpu->count; i++)
        if (cpu->leaves[i].leaf == leaf)
            return &cpu->leaves[i];
    return NULL;
}

static void fake_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4], void *ctx)
{
    struct fake_cpu *cpu = ctx;
    assert_int_equal(subleaf, 0);
    assert_true(cpu->queried_count < MAX_LEAVES * 2);
    cpu->queried[cpu->queried_count++] = leaf;
    const struct fake_leaf *found = find_leaf(cpu, leaf);
    if (!found) {
        /* Intel: above the maximum, the highest basic leaf answers. */
        const struct fake_leaf *zero = find_leaf(cpu, 0);
        found = zero ? find_leaf(cpu, zero->regs[0]) : NULL;
    }
    for (int r = 0; r < 4; r++)
        regs[r] = found ? found->regs[r] : 0;
}

static bool was_queried(const struct fake_cpu *cpu, uint32_t leaf)
{
    for (size_t i = 0; i < cpu->queried_count; i++)
        if (cpu->queried[i] == leaf)
            return true;
    return false;
}

static void add_leaf(struct fake_cpu *cpu, uint32_t leaf, uint32_t eax, uint32_t ebx, uint32_t ecx,
                     uint32_t edx)
{
    assert_true(cpu->count < MAX_LEAVES);
    cpu->leaves[cpu->count++] = (struct fake_leaf){leaf, {eax, ebx, ecx, edx}};
}

static uint32_t chars(const char *s)
{
    return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 | (uint32_t)(uint8_t)s[2] << 16 |
           (uint32_t)(uint8_t)s[3] << 24;
}

static void add_vendor(struct fake_cpu *cpu, uint32_t max_leaf, const char *vendor)
{
    /* EBX, EDX, ECX hold the string in that order. */
    add_leaf(cpu, 0, max_leaf, chars(vendor), chars(vendor + 8), chars(vendor + 4));
}

/* The brand string over leaves 0x80000002-4, NUL-padded to 48 bytes. */
static void add_brand(struct fake_cpu *cpu, const char *brand)
{
    char padded[48] = {0};
    memcpy(padded, brand, strlen(brand));
    for (uint32_t i = 0; i < 3; i++) {
        const char *p = padded + 16 * i;
        add_leaf(cpu, 0x80000002u + i, chars(p), chars(p + 4), chars(p + 8), chars(p + 12));
    }
}

/* An Intel Core i7-8700 (Coffee Lake): signature 0x000906EA. */
static void intel_coffee_lake(struct fake_cpu *cpu)
{
    *cpu = (struct fake_cpu){0};
    add_vendor(cpu, 0x16, "GenuineIntel");
    uint32_t ecx1 =
        BIT(0) | BIT(9) | BIT(19) | BIT(20) | BIT(21) | BIT(23) | BIT(25) | BIT(28) | BIT(30);
    add_leaf(cpu, 1, 0x000906EA, 0x00100800, ecx1, 0xBFEBFBFF);
    add_leaf(cpu, 7, 0, BIT(5) | BIT(7) | BIT(20), 0, 0);
    add_leaf(cpu, 0x16, 0x0C80, 0x1194, 0x64, 0); /* the highest basic leaf: frequencies */
    add_leaf(cpu, 0x80000000u, 0x80000008u, 0, 0, 0);
    add_leaf(cpu, 0x80000001u, 0, 0, BIT(0), BIT(11) | BIT(20) | BIT(26) | BIT(29));
    add_brand(cpu, "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz");
}

/* An AMD Ryzen 7 3700X (Zen 2, Matisse): signature 0x00870F10. */
static void amd_zen2(struct fake_cpu *cpu)
{
    *cpu = (struct fake_cpu){0};
    add_vendor(cpu, 0x10, "AuthenticAMD");
    add_leaf(cpu, 1, 0x00870F10, 0, BIT(0) | BIT(31), BIT(0) | BIT(25) | BIT(26));
    add_leaf(cpu, 7, 0, BIT(7), BIT(2), 0);
    add_leaf(cpu, 0x10, 0, 0, 0, 0);
    add_leaf(cpu, 0x80000000u, 0x8000001Fu, 0, 0, 0);
    add_leaf(cpu, 0x80000001u, 0, 0, BIT(2) | BIT(6), BIT(29));
    add_brand(cpu, "AMD Ryzen 7 3700X 8-Core Processor");
}

static void test_intel_core_i7_8700(void **state)
{
    (void)state;
    struct fake_cpu cpu;
    intel_coffee_lake(&cpu);
    struct cpu_info info;
    cpu_info_collect(&info, fake_cpuid, &cpu);
    assert_string_equal(info.vendor, "GenuineIntel");
    assert_string_equal(info.brand, "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz");
    assert_int_equal(info.max_leaf, 0x16);
    assert_int_equal(info.max_ext_leaf, 0x80000008u);
    assert_int_equal(info.signature, 0x000906EA);
    assert_int_equal(info.family, 6);    /* 0x6 */
    assert_int_equal(info.model, 158);   /* 0x9 << 4 | 0xE */
    assert_int_equal(info.stepping, 10); /* 0xA */
    char names[CPU_FEATURE_NAMES_MAX];
    const char *expected = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat "
                           "pse36 clflush mmx fxsr sse sse2 ht "
                           "sse3 ssse3 sse4.1 sse4.2 x2apic popcnt aes avx rdrand "
                           "avx2 smep smap syscall nx 1gb-pages lm lahf_lm";
    assert_int_equal(cpu_feature_names(&info, names, sizeof(names)), strlen(expected));
    assert_string_equal(names, expected);
    assert_true(cpu_has(&info, CPU_FEATURE_LM));
    assert_true(cpu_has(&info, CPU_FEATURE_SMAP));
    assert_true(cpu_has(&info, CPU_FEATURE_X2APIC));
    assert_false(cpu_has(&info, CPU_FEATURE_HYPERVISOR));
}

static void test_amd_ryzen_3700x(void **state)
{
    (void)state;
    struct fake_cpu cpu;
    amd_zen2(&cpu);
    struct cpu_info info;
    cpu_info_collect(&info, fake_cpuid, &cpu);
    assert_string_equal(info.vendor, "AuthenticAMD");
    assert_string_equal(info.brand, "AMD Ryzen 7 3700X 8-Core Processor");
    assert_int_equal(info.family, 23); /* 0xF + 0x08 */
    assert_int_equal(info.model, 113); /* 0x7 << 4 | 0x1 */
    assert_int_equal(info.stepping, 0);
    char names[CPU_FEATURE_NAMES_MAX];
    cpu_feature_names(&info, names, sizeof(names));
    assert_string_equal(names, "fpu sse sse2 sse3 hypervisor smep umip lm svm sse4a");
    assert_true(cpu_has(&info, CPU_FEATURE_HYPERVISOR));
    assert_false(cpu_has(&info, CPU_FEATURE_NX));
}

static void test_signatures(void **state)
{
    (void)state;
    const struct {
        const char *what;
        uint32_t signature, family, model, stepping;
    } cases[] = {
        {"Intel486 DX2", 0x00000435, 4, 3, 5},
        {"Pentium III (Coppermine)", 0x00000683, 6, 8, 3},
        {"Pentium 4 (Northwood)", 0x00000F29, 15, 2, 9},
        {"Pentium 4 (Prescott)", 0x00000F43, 15, 4, 3},
        {"Core 2 (Penryn)", 0x0001067A, 6, 23, 10},
        {"Core i7-8700 (Coffee Lake)", 0x000906EA, 6, 158, 10},
        {"Athlon 64 (K8)", 0x00020FB1, 15, 43, 1},
        {"Ryzen 7 3700X (Zen 2)", 0x00870F10, 23, 113, 0},
        {"Ryzen 5 5600X (Zen 3)", 0x00A20F10, 25, 33, 0},
        /* Extended model ignored outside families 6 and 15, extended
         * family outside family 15. */
        {"family 5, extended fields set", 0x01110532, 5, 3, 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t family, model, stepping;
        cpu_signature_decode(cases[i].signature, &family, &model, &stepping);
        if (family != cases[i].family || model != cases[i].model || stepping != cases[i].stepping)
            fail_msg("%s (%#x): family %u model %u stepping %u", cases[i].what, cases[i].signature,
                     family, model, stepping);
    }
}

/* A processor whose highest basic leaf is 1 and that has no extended
 * leaves: leaf 7 and the 0x8000xxxx leaves must not be read, although the
 * fake would answer them with leaf 1's registers. */
static void test_leaves_above_the_maximum_not_read(void **state)
{
    (void)state;
    struct fake_cpu cpu = {0};
    add_vendor(&cpu, 1, "GenuineIntel");
    add_leaf(&cpu, 1, 0x00000683, 0, BIT(0), BIT(0) | BIT(25));
    struct cpu_info info;
    cpu_info_collect(&info, fake_cpuid, &cpu);
    assert_false(was_queried(&cpu, 7));
    assert_true(was_queried(&cpu, 0x80000000u)); /* asked, but the answer is not 0x8000xxxx */
    assert_false(was_queried(&cpu, 0x80000001u));
    assert_int_equal(info.max_ext_leaf, 0);
    assert_int_equal(info.ebx7, 0);
    assert_int_equal(info.edx_ext, 0);
    assert_string_equal(info.brand, "");
    char names[64];
    cpu_feature_names(&info, names, sizeof(names));
    assert_string_equal(names, "fpu sse sse3");
}

static void test_no_brand_string_leaves(void **state)
{
    (void)state;
    struct fake_cpu cpu = {0};
    add_vendor(&cpu, 1, "AuthenticAMD");
    add_leaf(&cpu, 1, 0x00000F48, 0, 0, 0);
    add_leaf(&cpu, 0x80000000u, 0x80000001u, 0, 0, 0);
    add_leaf(&cpu, 0x80000001u, 0, 0, 0, BIT(29) | BIT(20));
    struct cpu_info info;
    cpu_info_collect(&info, fake_cpuid, &cpu);
    assert_false(was_queried(&cpu, 0x80000002u));
    assert_string_equal(info.brand, "");
    assert_true(cpu_has(&info, CPU_FEATURE_LM));
    assert_true(cpu_has(&info, CPU_FEATURE_NX));
}

static void test_brand_leading_spaces_and_full_length(void **state)
{
    (void)state;
    struct fake_cpu cpu;
    intel_coffee_lake(&cpu);
    cpu.count -= 3;
    add_brand(&cpu, "              Intel(R) Pentium(R) 4 CPU 3.00GHz"); /* Intel pads in front */
    struct cpu_info info;
    cpu_info_collect(&info, fake_cpuid, &cpu);
    assert_string_equal(info.brand, "Intel(R) Pentium(R) 4 CPU 3.00GHz");
    cpu.count -= 3;
    add_brand(&cpu, "0123456789abcdef0123456789abcdef0123456789abcdef"); /* 48, no NUL */
    cpu_info_collect(&info, fake_cpuid, &cpu);
    assert_string_equal(info.brand, "0123456789abcdef0123456789abcdef0123456789abcdef");
}

static void test_feature_names_small_buffers(void **state)
{
    (void)state;
    struct fake_cpu cpu;
    amd_zen2(&cpu);
    struct cpu_info info;
    cpu_info_collect(&info, fake_cpuid, &cpu);
    const char *full = "fpu sse sse2 sse3 hypervisor smep umip lm svm sse4a";
    char buf[64];
    for (size_t size = 0; size <= strlen(full) + 1; size++) {
        memset(buf, 'X', sizeof(buf));
        assert_int_equal(cpu_feature_names(&info, buf, size), strlen(full));
        if (size == 0) {
            assert_int_equal(buf[0], 'X'); /* nothing written */
            continue;
        }
        size_t got = strlen(buf);
        assert_true(got < size);
        assert_memory_equal(buf, full, got); /* a prefix of the full list */
        assert_true(got == 0 || full[got] == '\0' || full[got] == ' '); /* at a name boundary */
    }
    assert_int_equal(cpu_feature_names(&info, buf, 4), strlen(full));
    assert_string_equal(buf, "fpu");
    assert_int_equal(cpu_feature_names(&info, buf, 8), strlen(full));
    assert_string_equal(buf, "fpu sse"); /* "sse2" would not fit */
}

static void test_every_feature_fits_the_documented_maximum(void **state)
{
    (void)state;
    struct cpu_info info = {0};
    info.edx1 = info.ecx1 = info.ebx7 = info.ecx7 = info.edx7 = info.edx_ext = info.ecx_ext =
        UINT32_MAX;
    char names[CPU_FEATURE_NAMES_MAX];
    size_t length = cpu_feature_names(&info, names, sizeof(names));
    assert_true(length < CPU_FEATURE_NAMES_MAX);
    assert_int_equal(strlen(names), length);
    assert_non_null(strstr(names, " sse4.1 sse4.2 "));
    assert_non_null(strstr(names, " 1gb-pages "));
    info = (struct cpu_info){0};
    assert_int_equal(cpu_feature_names(&info, names, sizeof(names)), 0);
    assert_string_equal(names, "");
}

/* The real instruction on the machine running the tests: an x86_64 CPU
 * must report long mode, and the vendor must be what Linux saw. */
static void test_this_processor(void **state)
{
    (void)state;
    struct cpu_info info;
    cpu_info_read(&info);
    assert_int_equal(strlen(info.vendor), 12);
    assert_true(cpu_has(&info, CPU_FEATURE_LM));
    assert_true(cpu_has(&info, CPU_FEATURE_SSE2));
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "vendor_id", 9) == 0) {
            assert_non_null(strstr(line, info.vendor));
            break;
        }
    }
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intel_core_i7_8700),
        cmocka_unit_test(test_amd_ryzen_3700x),
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_leaves_above_the_maximum_not_read),
        cmocka_unit_test(test_no_brand_string_leaves),
        cmocka_unit_test(test_brand_leading_spaces_and_full_length),
        cmocka_unit_test(test_feature_names_small_buffers),
        cmocka_unit_test(test_every_feature_fits_the_documented_maximum),
        cmocka_unit_test(test_this_processor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
