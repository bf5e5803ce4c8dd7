/*
 * test_paging.c - host tests for the 4-level page tables (mm/paging.c).
 *
 * The tables live in a simulated physical memory: a pool of frames handed
 * out by the test's own table allocator, which poisons every frame it gives
 * or takes back, refuses double and foreign frees, and can be told to fail
 * after N tables. phys_to_virt only lets the code reach live tables.
 *
 * Expectations are computed independently of the code: index values worked
 * out by hand from the SDM bit ranges, raw entries read by walking the
 * tables here with the SDM's bit positions (Intel SDM vol. 3A, 4.5, tables
 * 4-15 to 4-20), and a randomized run against a model of every page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lib/errno.h>
#include <mm/paging.h>

#include <tests/host/test_random.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define KIB 0x400ull
#define MIB 0x100000ull
#define GIB 0x40000000ull

/* Paging-structure entry bits, Intel SDM vol. 3A, tables 4-15 to 4-20. */
#define SDM_P    (1ull << 0)           /* present */
#define SDM_RW   (1ull << 1)           /* read/write */
#define SDM_US   (1ull << 2)           /* user/supervisor */
#define SDM_PWT  (1ull << 3)           /* page-level write-through */
#define SDM_PCD  (1ull << 4)           /* page-level cache disable */
#define SDM_PS   (1ull << 7)           /* page size: maps a 2 MiB page in a PDE */
#define SDM_G    (1ull << 8)           /* global (leaf only) */
#define SDM_XD   (1ull << 63)          /* execute-disable (with IA32_EFER.NXE) */
#define SDM_ADDR 0x000ffffffffff000ull /* bits 51:12, MAXPHYADDR = 52 */

/* ---- the simulated table memory and its allocator ---- */

#define POOL_FRAMES 512
#define POOL_BASE   0x7000000ull /* phys of the first pool frame: not 0 */

static uint8_t *pool;
static bool table_live[POOL_FRAMES];
static unsigned tables_live;
static long alloc_budget; /* tables alloc_table still gives; < 0: no limit */
static uint64_t invalidated[64];
static size_t invalidated_count;

static size_t pool_index(uint64_t phys)
{
    assert_true(phys >= POOL_BASE && phys < POOL_BASE + POOL_FRAMES * PAGE_SIZE);
    assert_true(phys % PAGE_SIZE == 0);
    return (size_t)((phys - POOL_BASE) / PAGE_SIZE);
}

/* Only live tables may be reached: catches use after free. */
static void *sim_phys_to_virt(uint64_t phys)
{
    size_t i = pool_index(phys);
    assert_true(table_live[i]);
    return pool + i * PAGE_SIZE;
}

static int sim_alloc_table(uint64_t *phys)
{
    if (alloc_budget == 0)
        return -ENOMEM;
    if (alloc_budget > 0)
        alloc_budget--;
    for (size_t i = 0; i < POOL_FRAMES; i++) {
        if (!table_live[i]) {
            table_live[i] = true;
            tables_live++;
            memset(pool + i * PAGE_SIZE, 0xA5, PAGE_SIZE); /* "contents don't matter" */
            *phys = POOL_BASE + i * PAGE_SIZE;
            return 0;
        }
    }
    fail_msg("table pool exhausted");
    return -ENOMEM;
}

static void sim_free_table(uint64_t phys)
{
    size_t i = pool_index(phys);
    if (!table_live[i])
        fail_msg("free_table(%#llx): not a live table", (unsigned long long)phys);
    table_live[i] = false;
    tables_live--;
    memset(pool + i * PAGE_SIZE, 0x5A, PAGE_SIZE);
}

static void sim_invalidate(uint64_t virt)
{
    if (invalidated_count < ARRAY_LEN(invalidated))
        invalidated[invalidated_count] = virt;
    invalidated_count++;
}

static const struct page_table_ops sim_ops = {
    .phys_to_virt = sim_phys_to_virt,
    .alloc_table = sim_alloc_table,
    .free_table = sim_free_table,
    .invalidate = sim_invalidate,
};

static struct address_space as;

static int group_setup(void **state)
{
    (void)state;
    pool = aligned_alloc(PAGE_SIZE, POOL_FRAMES * PAGE_SIZE);
    return pool ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    free(pool);
    return 0;
}

static int fresh_space(void **state)
{
    (void)state;
    memset(table_live, 0, sizeof(table_live));
    tables_live = 0;
    alloc_budget = -1;
    invalidated_count = 0;
    assert_int_equal(vm_create(&as, &sim_ops), 0);
    assert_int_equal(tables_live, 1);
    assert_ptr_equal(as.ops, &sim_ops);
    return 0;
}

static void expect_invalidated(uint64_t virt)
{
    assert_int_equal(invalidated_count, 1);
    assert_int_equal(invalidated[0], virt);
    invalidated_count = 0;
}

/* ---- a walk of our own, straight from the SDM ---- */

static unsigned sdm_index(uint64_t virt, int level) /* level 4 = PML4 .. 1 = PT */
{
    /* PML4: bits 47:39, PDPT: 38:30, PD: 29:21, PT: 20:12; 9 bits each. */
    static const unsigned low_bit[5] = {0, 12, 21, 30, 39};
    return (unsigned)((virt >> low_bit[level]) & 0x1ff);
}

static uint64_t *raw_table(uint64_t phys)
{
    return (uint64_t *)(pool + pool_index(phys) * PAGE_SIZE);
}

/* The entries for virt from the PML4 down: out[0] = PML4E, out[1] = PDPTE,
 * out[2] = PDE, out[3] = PTE. Stops at a non-present entry or PS; returns
 * how many were read. */
static int raw_walk(uint64_t virt, uint64_t out[4])
{
    uint64_t table = as.root;
    for (int level = 4, n = 0; level >= 1; level--) {
        uint64_t entry = raw_table(table)[sdm_index(virt, level)];
        out[n++] = entry;
        if (!(entry & SDM_P) || level == 1 || (level == 2 && (entry & SDM_PS)))
            return n;
        assert_false(entry & SDM_PS); /* no 1 GiB pages are ever made */
        table = entry & SDM_ADDR;
    }
    return 4;
}

/* Check the raw entries on the way to a leaf mapped with these arguments. */
static void check_raw(uint64_t virt, uint64_t phys, uint64_t size, unsigned flags)
{
    uint64_t e[4];
    int levels = size == PAGE_SIZE_2M ? 3 : 4;
    assert_int_equal(raw_walk(virt, e), levels);
    for (int i = 0; i < levels - 1; i++) {
        /* Tables above the leaf: present, writable, executable, user for user pages. */
        assert_true(e[i] & SDM_P);
        assert_true(e[i] & SDM_RW);
        assert_false(e[i] & SDM_XD);
        assert_false(e[i] & SDM_PS);
        if (flags & MAP_USER)
            assert_true(e[i] & SDM_US);
    }
    uint64_t leaf = e[levels - 1];
    assert_true(leaf & SDM_P);
    assert_int_equal(!!(leaf & SDM_RW), !!(flags & MAP_WRITE));
    assert_int_equal(!!(leaf & SDM_XD), !(flags & MAP_EXEC));
    assert_int_equal(!!(leaf & SDM_US), !!(flags & MAP_USER));
    assert_int_equal(!!(leaf & SDM_G), !!(flags & MAP_GLOBAL));
    assert_int_equal(!!(leaf & SDM_PCD), !!(flags & MAP_NOCACHE));
    assert_int_equal(!!(leaf & SDM_PWT), !!(flags & MAP_NOCACHE));
    /* Bit 7 is PS in a PDE and PAT in a PTE: set for 2 MiB pages only. */
    assert_int_equal(!!(leaf & SDM_PS), size == PAGE_SIZE_2M);
    assert_int_equal(leaf & SDM_ADDR, phys);
}

static void expect_translation(uint64_t virt, uint64_t phys, unsigned flags, uint64_t size)
{
    uint64_t got_phys = 0, got_size = 0;
    unsigned got_flags = 0;
    int rc = vm_translate(&as, virt, &got_phys, &got_flags, &got_size);
    if (rc != 0 || got_phys != phys || got_flags != flags || got_size != size)
        print_error("translate(%#llx) = %d: phys %#llx flags %#x size %#llx; expected phys "
                    "%#llx flags %#x size %#llx\n",
                    (unsigned long long)virt, rc, (unsigned long long)got_phys, got_flags,
                    (unsigned long long)got_size, (unsigned long long)phys, flags,
                    (unsigned long long)size);
    assert_int_equal(rc, 0);
    assert_int_equal(got_phys, phys);
    assert_int_equal(got_flags, flags);
    assert_int_equal(got_size, size);
}

static void expect_unmapped(uint64_t virt)
{
    uint64_t phys = 0x1234;
    assert_int_equal(vm_translate(&as, virt, &phys, NULL, NULL), -ENOENT);
}

/* ---- index math and canonical addresses ---- */

static void test_index_math_hand_picked(void **state)
{
    static const struct {
        uint64_t virt;
        unsigned pml4, pdpt, pd, pt;
    } cases[] = {
        /* Kernel image at -2 GiB + 1 MiB: bits 47:39 all ones = 511; 38:30 =
         * 0b111111110 = 510; 29:21 = 0; 20:12 = 0x100 = 256. */
        {0xffffffff80100000ull, 511, 510, 0, 256},
        {0x0000000000000000ull, 0, 0, 0, 0},
        {0x0000000000001000ull, 0, 0, 0, 1}, /* bit 12 */
        {0x0000000000200000ull, 0, 0, 1, 0}, /* bit 21 */
        {0x0000000040000000ull, 0, 1, 0, 0}, /* bit 30 */
        {0x0000008000000000ull, 1, 0, 0, 0}, /* bit 39 */
        {0x0000008040201000ull, 1, 1, 1, 1}, /* bits 39, 30, 21, 12 */
        {0x0000000000000fffull, 0, 0, 0, 0}, /* offset bits only */
        {0x00007fffffffffffull, 255, 511, 511, 511},
        {0xffff800000000000ull, 256, 0, 0, 0},   /* bit 47 set: upper half starts at 256 */
        {0xffff8000000b8000ull, 256, 0, 0, 184}, /* 0xb8 = 184 */
        {0xffffffffffffffffull, 511, 511, 511, 511},
        /* 0x123_4567_89ab = 0b0_0010_1000_1101_0001_0101_1001_1110_0010_0110_1010_1011 in
         * fields 47:39 = 2, 38:30 = 0x8d = 141, 29:21 = 0x2b = 43, 20:12 = 0x78 = 120. */
        {0x00000123456789abull, 2, 141, 43, 120},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t v = cases[i].virt;
        assert_int_equal(pml4_index(v), cases[i].pml4);
        assert_int_equal(pdpt_index(v), cases[i].pdpt);
        assert_int_equal(pd_index(v), cases[i].pd);
        assert_int_equal(pt_index(v), cases[i].pt);
        /* The test's own walk uses the same bit ranges. */
        assert_int_equal(sdm_index(v, 4), cases[i].pml4);
        assert_int_equal(sdm_index(v, 1), cases[i].pt);
    }
}

static void test_canonical_check(void **state)
{
    static const uint64_t canonical[] = {
        0x0,
        0x1000,
        0x00007fffffffffffull,
        0xffff800000000000ull,
        0xffffffff80000000ull,
        0xffffffffffffffffull,
    };
    static const uint64_t non_canonical[] = {
        0x0000800000000000ull, /* bit 47 set, 63:48 clear */
        0xffff7fffffffffffull, /* 63:48 set, bit 47 clear */
        0x0001000000000000ull, /* bit 48 alone */
        0x8000000000000000ull, /* bit 63 alone */
        0xfffe800000000000ull, /* bit 48 clear in an otherwise upper-half address */
        0x7fff800000000000ull, /* bit 63 clear */
        0x00ff000000000000ull,
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(canonical); i++)
        assert_true(virt_is_canonical(canonical[i]));
    for (size_t i = 0; i < ARRAY_LEN(non_canonical); i++) {
        assert_false(virt_is_canonical(non_canonical[i]));
        assert_int_equal(vm_translate(&as, non_canonical[i], NULL, NULL, NULL), -EINVAL);
    }
}

/* ---- mapping and translating ---- */

static void test_create_gives_empty_root(void **state)
{
    const uint64_t *root = raw_table(as.root);
    (void)state;
    for (int i = 0; i < 512; i++)
        assert_int_equal(root[i], 0); /* the allocator filled it with 0xA5 */
    expect_unmapped(0);
    expect_unmapped(0xffffffff80000000ull);
}

static void test_map_4k_and_translate(void **state)
{
    const uint64_t virt = 0xffffffff80100000ull, phys = 0x1234000;
    (void)state;
    assert_int_equal(vm_map(&as, virt, phys, PAGE_SIZE, MAP_WRITE | MAP_GLOBAL), 0);
    assert_int_equal(tables_live, 4); /* PML4, PDPT, PD, PT */
    expect_translation(virt, phys, MAP_WRITE | MAP_GLOBAL, PAGE_SIZE);
    expect_translation(virt + 0x123, phys + 0x123, MAP_WRITE | MAP_GLOBAL, PAGE_SIZE);
    expect_translation(virt + 0xfff, phys + 0xfff, MAP_WRITE | MAP_GLOBAL, PAGE_SIZE);
    expect_unmapped(virt - 1);
    expect_unmapped(virt + 0x1000);
    /* NULL outputs are allowed. */
    assert_int_equal(vm_translate(&as, virt + 8, NULL, NULL, NULL), 0);
    check_raw(virt, phys, PAGE_SIZE, MAP_WRITE | MAP_GLOBAL);
    assert_int_equal(invalidated_count, 0);
}

static void test_map_2m_and_translate(void **state)
{
    const uint64_t virt = 0xffffffff80200000ull, phys = 0x40000000;
    (void)state;
    assert_int_equal(vm_map(&as, virt, phys, PAGE_SIZE_2M, MAP_EXEC), 0);
    assert_int_equal(tables_live, 3); /* PML4, PDPT, PD */
    expect_translation(virt, phys, MAP_EXEC, PAGE_SIZE_2M);
    expect_translation(virt + 0x12345, phys + 0x12345, MAP_EXEC, PAGE_SIZE_2M);
    expect_translation(virt + 0x1fffff, phys + 0x1fffff, MAP_EXEC, PAGE_SIZE_2M);
    expect_unmapped(virt - 1);
    expect_unmapped(virt + PAGE_SIZE_2M);
    check_raw(virt, phys, PAGE_SIZE_2M, MAP_EXEC);
}

static void test_highest_physical_addresses(void **state)
{
    (void)state;
    /* The last 4 KiB and 2 MiB frames below 2^52. */
    assert_int_equal(vm_map(&as, 0x1000, 0x000ffffffffff000ull, PAGE_SIZE, 0), 0);
    assert_int_equal(vm_map(&as, 0x400000, 0x000fffffffe00000ull, PAGE_SIZE_2M, 0), 0);
    expect_translation(0x1abc, 0x000ffffffffffabcull, 0, PAGE_SIZE);
    expect_translation(0x5fffff, 0x000fffffffffffffull, 0, PAGE_SIZE_2M);
    check_raw(0x1000, 0x000ffffffffff000ull, PAGE_SIZE, 0);
    check_raw(0x400000, 0x000fffffffe00000ull, PAGE_SIZE_2M, 0);
}

static void test_flags_round_trip_every_combination(void **state)
{
    (void)state;
    for (unsigned flags = 0; flags < 32; flags++) {
        uint64_t v4 = 0x10000000 + flags * PAGE_SIZE, p4 = 0x3000000 + flags * PAGE_SIZE;
        uint64_t v2 = 0x20000000 + flags * PAGE_SIZE_2M, p2 = 0x80000000 + flags * PAGE_SIZE_2M;
        assert_int_equal(vm_map(&as, v4, p4, PAGE_SIZE, flags), 0);
        assert_int_equal(vm_map(&as, v2, p2, PAGE_SIZE_2M, flags), 0);
        expect_translation(v4 + 0x10, p4 + 0x10, flags, PAGE_SIZE);
        expect_translation(v2 + 0x10010, p2 + 0x10010, flags, PAGE_SIZE_2M);
        check_raw(v4, p4, PAGE_SIZE, flags);
        check_raw(v2, p2, PAGE_SIZE_2M, flags);
    }
}

static void test_raw_bits_user_and_kernel_paths(void **state)
{
    uint64_t e[4];
    (void)state;
    /* A user page: U/S on all four levels. */
    assert_int_equal(vm_map(&as, 0x401000, 0x9000, PAGE_SIZE, MAP_USER | MAP_WRITE), 0);
    assert_int_equal(raw_walk(0x401000, e), 4);
    for (int i = 0; i < 4; i++)
        assert_true(e[i] & SDM_US);
    /* A kernel page in its own part of the tree: no U/S anywhere, and the
     * leaf is neither writable nor executable without the flags. */
    assert_int_equal(vm_map(&as, 0xffffffff80000000ull, 0xa000, PAGE_SIZE, 0), 0);
    assert_int_equal(raw_walk(0xffffffff80000000ull, e), 4);
    for (int i = 0; i < 4; i++)
        assert_false(e[i] & SDM_US);
    assert_int_equal(e[3], 0xa000 | SDM_P | SDM_XD); /* every other bit clear */
    /* A 2 MiB user page: U/S on PML4E, PDPTE and the PDE itself. */
    assert_int_equal(vm_map(&as, 0x40000000, 0x200000, PAGE_SIZE_2M, MAP_USER | MAP_EXEC), 0);
    assert_int_equal(raw_walk(0x40000000, e), 3);
    assert_int_equal(e[2], 0x200000 | SDM_P | SDM_US | SDM_PS); /* executable, read-only */
    assert_true(e[0] & SDM_US);
    assert_true(e[1] & SDM_US);
}

static void test_raw_bits_nocache(void **state)
{
    uint64_t e[4];
    (void)state;
    assert_int_equal(
        vm_map(&as, 0xffff8000fee00000ull, 0xfee00000, PAGE_SIZE, MAP_WRITE | MAP_NOCACHE), 0);
    assert_int_equal(raw_walk(0xffff8000fee00000ull, e), 4);
    assert_int_equal(e[3], 0xfee00000 | SDM_P | SDM_RW | SDM_PWT | SDM_PCD | SDM_XD);
    assert_int_equal(vm_map(&as, 0xffff800100000000ull, 0xc0000000, PAGE_SIZE_2M,
                            MAP_WRITE | MAP_NOCACHE | MAP_GLOBAL),
                     0);
    assert_int_equal(raw_walk(0xffff800100000000ull, e), 3);
    assert_int_equal(e[2],
                     0xc0000000 | SDM_P | SDM_RW | SDM_PWT | SDM_PCD | SDM_PS | SDM_G | SDM_XD);
}

/* Write-combining is PAT entry 1: PWT alone, in 4 KiB and 2 MiB leaves
 * alike (the PAT bit, 7 or 12, stays clear), and it survives a round trip. */
static void test_raw_bits_write_combine(void **state)
{
    uint64_t e[4];
    unsigned flags = 0;
    (void)state;
    assert_int_equal(
        vm_map(&as, 0xffff800080000000ull, 0x80000000, PAGE_SIZE, MAP_WRITE | MAP_WRITE_COMBINE),
        0);
    assert_int_equal(raw_walk(0xffff800080000000ull, e), 4);
    assert_int_equal(e[3], 0x80000000 | SDM_P | SDM_RW | SDM_PWT | SDM_XD);
    assert_int_equal(
        vm_map(&as, 0xffff800080200000ull, 0x80200000, PAGE_SIZE_2M, MAP_WRITE | MAP_WRITE_COMBINE),
        0);
    assert_int_equal(raw_walk(0xffff800080200000ull, e), 3);
    assert_int_equal(e[2], 0x80200000 | SDM_P | SDM_RW | SDM_PWT | SDM_PS | SDM_XD);
    assert_int_equal(vm_translate(&as, 0xffff800080200000ull, NULL, &flags, NULL), 0);
    assert_int_equal(flags, MAP_WRITE | MAP_WRITE_COMBINE);
}

/* ---- errors ---- */

static void test_map_rejects_bad_arguments(void **state)
{
    static const struct {
        uint64_t virt, phys, size;
    } bad[] = {
        {0x1001, 0x2000, PAGE_SIZE},                /* misaligned virt */
        {0x1800, 0x2000, PAGE_SIZE},                /* misaligned virt */
        {0x1000, 0x2800, PAGE_SIZE},                /* misaligned phys */
        {0x201000, 0x400000, PAGE_SIZE_2M},         /* virt 4 KiB- but not 2 MiB-aligned */
        {0x200000, 0x401000, PAGE_SIZE_2M},         /* phys 4 KiB- but not 2 MiB-aligned */
        {0x0000800000000000ull, 0x0, PAGE_SIZE},    /* non-canonical */
        {0xffff7ffffffff000ull, 0x0, PAGE_SIZE},    /* non-canonical */
        {0x0000800000000000ull, 0x0, PAGE_SIZE_2M}, /* non-canonical */
        {0x1000, 1ull << 52, PAGE_SIZE},            /* phys beyond MAXPHYADDR */
        {0x200000, 1ull << 52, PAGE_SIZE_2M},       /* phys beyond MAXPHYADDR */
        {0x1000, 0x8000000000000000ull, PAGE_SIZE}, /* would land on NX */
        {0x1000, 0x2000, 0},                        /* sizes */
        {0x1000, 0x2000, 0x2000},
        {0x0, 0x0, 0x100000},
        {0x0, 0x0, PAGE_SIZE_1G}, /* 1 GiB pages are not supported */
        {0x0, 0x0, UINT64_MAX},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int rc = vm_map(&as, bad[i].virt, bad[i].phys, bad[i].size, MAP_WRITE);
        if (rc != -EINVAL)
            print_error("case %zu: vm_map = %d\n", i, rc);
        assert_int_equal(rc, -EINVAL);
        assert_int_equal(tables_live, 1); /* nothing allocated on the way */
    }
    expect_unmapped(0x1000);
    expect_unmapped(0x200000);
}

static void test_double_map_is_eexist(void **state)
{
    (void)state;
    assert_int_equal(vm_map(&as, 0x5000, 0x1000000, PAGE_SIZE, MAP_WRITE), 0);
    assert_int_equal(vm_map(&as, 0x5000, 0x1000000, PAGE_SIZE, MAP_WRITE), -EEXIST);
    assert_int_equal(vm_map(&as, 0x5000, 0x2000000, PAGE_SIZE, MAP_EXEC), -EEXIST);
    expect_translation(0x5000, 0x1000000, MAP_WRITE, PAGE_SIZE);
    assert_int_equal(vm_map(&as, 0x600000, 0x1000000, PAGE_SIZE_2M, 0), 0);
    assert_int_equal(vm_map(&as, 0x600000, 0x2000000, PAGE_SIZE_2M, MAP_WRITE), -EEXIST);
    expect_translation(0x600000, 0x1000000, 0, PAGE_SIZE_2M);
    assert_int_equal(tables_live, 4); /* PML4, PDPT, PD, one PT */
    assert_int_equal(invalidated_count, 0);
}

static void test_4k_inside_2m_is_ebusy(void **state)
{
    (void)state;
    assert_int_equal(vm_map(&as, 0x40000000, 0x80000000, PAGE_SIZE_2M, MAP_WRITE), 0);
    assert_int_equal(vm_map(&as, 0x40000000, 0x1000, PAGE_SIZE, 0), -EBUSY);
    assert_int_equal(vm_map(&as, 0x40001000, 0x1000, PAGE_SIZE, 0), -EBUSY);
    assert_int_equal(vm_map(&as, 0x401ff000, 0x1000, PAGE_SIZE, 0), -EBUSY);
    assert_int_equal(tables_live, 3);
    expect_translation(0x40001000, 0x80001000, MAP_WRITE, PAGE_SIZE_2M);
    /* Just outside the large page is fine. */
    assert_int_equal(vm_map(&as, 0x40200000, 0x1000, PAGE_SIZE, 0), 0);
}

static void test_2m_over_page_table_is_ebusy(void **state)
{
    (void)state;
    assert_int_equal(vm_map(&as, 0x40005000, 0x1000, PAGE_SIZE, 0), 0);
    assert_int_equal(vm_map(&as, 0x40000000, 0x80000000, PAGE_SIZE_2M, 0), -EBUSY);
    assert_int_equal(tables_live, 4);
    expect_translation(0x40005000, 0x1000, 0, PAGE_SIZE);
    expect_unmapped(0x40000000);
}

static void test_unmap_and_protect_not_mapped_are_enoent(void **state)
{
    (void)state;
    /* No tables at all below the root. */
    assert_int_equal(vm_unmap(&as, 0x1000, PAGE_SIZE), -ENOENT);
    assert_int_equal(vm_unmap(&as, 0x200000, PAGE_SIZE_2M), -ENOENT);
    assert_int_equal(vm_protect(&as, 0x1000, PAGE_SIZE, MAP_WRITE), -ENOENT);
    assert_int_equal(vm_protect(&as, 0x200000, PAGE_SIZE_2M, MAP_WRITE), -ENOENT);
    /* Tables there, entries empty. */
    assert_int_equal(vm_map(&as, 0x40005000, 0x1000, PAGE_SIZE, 0), 0);
    assert_int_equal(vm_unmap(&as, 0x40006000, PAGE_SIZE), -ENOENT);
    assert_int_equal(vm_protect(&as, 0x40004000, PAGE_SIZE, 0), -ENOENT);
    assert_int_equal(vm_unmap(&as, 0x40200000, PAGE_SIZE_2M), -ENOENT);
    assert_int_equal(vm_protect(&as, 0x40200000, PAGE_SIZE_2M, 0), -ENOENT);
    assert_int_equal(invalidated_count, 0);
    assert_int_equal(tables_live, 4);
    expect_translation(0x40005000, 0x1000, 0, PAGE_SIZE);
}

static void test_unmap_and_protect_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(vm_map(&as, 0x200000, 0x200000, PAGE_SIZE_2M, 0), 0);
    assert_int_equal(vm_unmap(&as, 0x200800, PAGE_SIZE), -EINVAL);
    assert_int_equal(vm_unmap(&as, 0x201000, PAGE_SIZE_2M), -EINVAL);
    assert_int_equal(vm_unmap(&as, 0x200000, 0x1000000), -EINVAL);
    assert_int_equal(vm_unmap(&as, 0x0000800000000000ull, PAGE_SIZE), -EINVAL);
    assert_int_equal(vm_protect(&as, 0x201000, PAGE_SIZE_2M, 0), -EINVAL);
    assert_int_equal(vm_protect(&as, 0x200000, 0, 0), -EINVAL);
    assert_int_equal(vm_protect(&as, 0xffff000000000000ull, PAGE_SIZE, 0), -EINVAL);
    assert_int_equal(invalidated_count, 0);
    expect_translation(0x200000, 0x200000, 0, PAGE_SIZE_2M);
}

/* With the wrong page size the code answers -EBUSY in both directions: a
 * 4 KiB walk meets the PS bit in the PDE, and a 2 MiB lookup finds a PDE
 * that points to a page table. Nothing changes and nothing is invalidated. */
static void test_wrong_size_on_unmap_and_protect_is_ebusy(void **state)
{
    (void)state;
    assert_int_equal(vm_map(&as, 0x40000000, 0x80000000, PAGE_SIZE_2M, MAP_WRITE), 0);
    assert_int_equal(vm_unmap(&as, 0x40000000, PAGE_SIZE), -EBUSY);
    assert_int_equal(vm_unmap(&as, 0x40003000, PAGE_SIZE), -EBUSY);
    assert_int_equal(vm_protect(&as, 0x40000000, PAGE_SIZE, 0), -EBUSY);
    assert_int_equal(vm_map(&as, 0x40205000, 0x3000, PAGE_SIZE, MAP_WRITE), 0);
    assert_int_equal(vm_unmap(&as, 0x40200000, PAGE_SIZE_2M), -EBUSY);
    assert_int_equal(vm_protect(&as, 0x40200000, PAGE_SIZE_2M, 0), -EBUSY);
    assert_int_equal(invalidated_count, 0);
    expect_translation(0x40000000, 0x80000000, MAP_WRITE, PAGE_SIZE_2M);
    expect_translation(0x40205000, 0x3000, MAP_WRITE, PAGE_SIZE);
}

/* ---- unmap ---- */

static void test_unmap_frees_empty_tables(void **state)
{
    const uint64_t a = 0xffffffff80100000ull, b = 0xffffffff80300000ull; /* PD 0 and PD 1 */
    uint64_t e[4];
    (void)state;
    assert_int_equal(vm_map(&as, a, 0x100000, PAGE_SIZE, MAP_WRITE), 0);
    assert_int_equal(vm_map(&as, b, 0x300000, PAGE_SIZE, MAP_WRITE), 0);
    assert_int_equal(tables_live, 5); /* PML4, PDPT, PD, two PTs */

    assert_int_equal(vm_unmap(&as, a, PAGE_SIZE), 0);
    expect_invalidated(a);
    expect_unmapped(a);
    assert_int_equal(tables_live, 4); /* a's page table went */
    expect_translation(b, 0x300000, MAP_WRITE, PAGE_SIZE);

    assert_int_equal(vm_unmap(&as, b, PAGE_SIZE), 0);
    expect_invalidated(b);
    expect_unmapped(b);
    /* Everything unmapped: only the PML4 is left, and its entry is clear. */
    assert_int_equal(tables_live, 1);
    assert_int_equal(raw_walk(a, e), 1);
    assert_int_equal(e[0], 0);
}

static void test_unmap_2m_frees_tables(void **state)
{
    (void)state;
    assert_int_equal(vm_map(&as, 0x0000700000000000ull, 0x200000, PAGE_SIZE_2M, 0), 0);
    assert_int_equal(tables_live, 3);
    assert_int_equal(vm_unmap(&as, 0x0000700000000000ull, PAGE_SIZE_2M), 0);
    expect_invalidated(0x0000700000000000ull);
    expect_unmapped(0x0000700000000000ull);
    assert_int_equal(tables_live, 1);
    /* And the slot can take 4 KiB pages again. */
    assert_int_equal(vm_map(&as, 0x0000700000001000ull, 0x5000, PAGE_SIZE, 0), 0);
    assert_int_equal(tables_live, 4);
}

static void test_unmap_keeps_tables_still_in_use(void **state)
{
    (void)state;
    /* Two pages in one PT, a 2 MiB page in the same PD, another PD in the
     * same PDPT: removing one page frees nothing. */
    assert_int_equal(vm_map(&as, 0x1000, 0x1000, PAGE_SIZE, 0), 0);
    assert_int_equal(vm_map(&as, 0x2000, 0x2000, PAGE_SIZE, 0), 0);
    assert_int_equal(vm_map(&as, 0x200000, 0x200000, PAGE_SIZE_2M, 0), 0);
    assert_int_equal(vm_map(&as, 0x40000000, 0x400000, PAGE_SIZE_2M, 0), 0);
    assert_int_equal(tables_live, 5); /* PML4, PDPT, 2 PDs, 1 PT */
    assert_int_equal(vm_unmap(&as, 0x1000, PAGE_SIZE), 0);
    assert_int_equal(tables_live, 5);
    assert_int_equal(vm_unmap(&as, 0x2000, PAGE_SIZE), 0);
    assert_int_equal(tables_live, 4); /* the PT */
    assert_int_equal(vm_unmap(&as, 0x200000, PAGE_SIZE_2M), 0);
    assert_int_equal(tables_live, 3); /* the first PD */
    expect_translation(0x40000000, 0x400000, 0, PAGE_SIZE_2M);
    assert_int_equal(vm_unmap(&as, 0x40000000, PAGE_SIZE_2M), 0);
    assert_int_equal(tables_live, 1); /* the second PD and the PDPT */
}

static void test_kept_upper_half_tables_survive_unmap(void **state)
{
    const uint64_t kernel = 0xffffc00000000000ull, user = 0x0000000000400000ull;
    uint64_t e[4];
    (void)state;
    as.keep_upper_half_tables = true;
    assert_int_equal(vm_map(&as, kernel, 0x100000, PAGE_SIZE, MAP_WRITE), 0);
    assert_int_equal(vm_map(&as, user, 0x200000, PAGE_SIZE, MAP_USER), 0);
    assert_int_equal(tables_live, 7); /* PML4, and PDPT, PD, PT on each side */
    assert_int_equal(vm_unmap(&as, kernel, PAGE_SIZE), 0);
    assert_int_equal(vm_unmap(&as, user, PAGE_SIZE), 0);
    /* The kernel side keeps its PDPT, still linked; the user side is gone. */
    assert_int_equal(tables_live, 2);
    assert_int_equal(raw_walk(kernel, e), 2);
    assert_true(e[0] & SDM_P);
    assert_int_equal(e[1], 0);
    assert_int_equal(raw_walk(user, e), 1);
    assert_int_equal(e[0], 0);
}

struct released {
    uint64_t phys[16], size[16];
    size_t count;
};

static void record_release(uint64_t phys, uint64_t page_size, void *ctx)
{
    struct released *r = ctx;
    assert_true(r->count < ARRAY_LEN(r->phys));
    r->phys[r->count] = phys;
    r->size[r->count++] = page_size;
}

static bool released_has(const struct released *r, uint64_t phys, uint64_t size)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->phys[i] == phys && r->size[i] == size)
            return true;
    return false;
}

static void test_release_lower_half_frees_pages_and_tables(void **state)
{
    struct released r = {.count = 0};
    (void)state;
    /* Three 4 KiB pages in two PTs, a 2 MiB page, one page in another PML4
     * slot near the top of the lower half, and one kernel page. */
    assert_int_equal(vm_map(&as, 0x400000, 0x10000, PAGE_SIZE, MAP_USER), 0);
    assert_int_equal(vm_map(&as, 0x401000, 0x11000, PAGE_SIZE, MAP_USER | MAP_WRITE), 0);
    assert_int_equal(vm_map(&as, 0x600000, 0x12000, PAGE_SIZE, MAP_USER), 0);
    assert_int_equal(vm_map(&as, 0x40000000, 0x800000, PAGE_SIZE_2M, MAP_USER), 0);
    assert_int_equal(vm_map(&as, 0x00007fffffffd000ull, 0x13000, PAGE_SIZE, MAP_USER), 0);
    assert_int_equal(vm_map(&as, 0xffffffff80100000ull, 0x100000, PAGE_SIZE, 0), 0);
    unsigned before = tables_live;
    assert_int_equal(before, 12); /* PML4 + lower: 2 PDPTs, 3 PDs, 3 PTs + upper: PDPT, PD, PT */

    vm_release_lower_half(&as, record_release, &r);
    assert_int_equal(r.count, 5);
    assert_true(released_has(&r, 0x10000, PAGE_SIZE));
    assert_true(released_has(&r, 0x11000, PAGE_SIZE));
    assert_true(released_has(&r, 0x12000, PAGE_SIZE));
    assert_true(released_has(&r, 0x800000, PAGE_SIZE_2M));
    assert_true(released_has(&r, 0x13000, PAGE_SIZE));
    assert_int_equal(tables_live, 4); /* the PML4 and the kernel's three */
    expect_unmapped(0x400000);
    expect_unmapped(0x40000000);
    expect_unmapped(0x00007fffffffd000ull);
    expect_translation(0xffffffff80100000ull, 0x100000, 0, PAGE_SIZE);
    /* The lower half takes new mappings again. */
    assert_int_equal(vm_map(&as, 0x400000, 0x14000, PAGE_SIZE, MAP_USER), 0);
    expect_translation(0x400000, 0x14000, MAP_USER, PAGE_SIZE);
}

static void test_release_lower_half_of_empty_space(void **state)
{
    struct released r = {.count = 0};
    (void)state;
    vm_release_lower_half(&as, record_release, &r);
    assert_int_equal(r.count, 0);
    assert_int_equal(tables_live, 1);
}

/* ---- protect ---- */

static void test_protect_changes_flags_keeps_address(void **state)
{
    const uint64_t v4 = 0xffffffff80105000ull, v2 = 0xffffffff80400000ull;
    (void)state;
    assert_int_equal(vm_map(&as, v4, 0x7654000, PAGE_SIZE, MAP_WRITE | MAP_EXEC), 0);
    assert_int_equal(vm_protect(&as, v4, PAGE_SIZE, MAP_GLOBAL | MAP_NOCACHE), 0);
    expect_invalidated(v4);
    expect_translation(v4 + 0x10, 0x7654010, MAP_GLOBAL | MAP_NOCACHE, PAGE_SIZE);
    check_raw(v4, 0x7654000, PAGE_SIZE, MAP_GLOBAL | MAP_NOCACHE);

    assert_int_equal(vm_map(&as, v2, 0x000fffffffe00000ull, PAGE_SIZE_2M, 0), 0);
    assert_int_equal(vm_protect(&as, v2, PAGE_SIZE_2M, MAP_WRITE | MAP_EXEC), 0);
    expect_invalidated(v2);
    expect_translation(v2 + 0x1fffff, 0x000fffffffffffffull, MAP_WRITE | MAP_EXEC, PAGE_SIZE_2M);
    check_raw(v2, 0x000fffffffe00000ull, PAGE_SIZE_2M, MAP_WRITE | MAP_EXEC);
    assert_int_equal(tables_live, 4);
}

/* Making a kernel page a user page must make it reachable from user mode:
 * U/S has to be set in every entry above the leaf (SDM 4.6.1), as vm_map
 * does for user mappings. */
static void test_protect_to_user_sets_us_above(void **state)
{
    uint64_t e[4];
    (void)state;
    assert_int_equal(vm_map(&as, 0x401000, 0x9000, PAGE_SIZE, MAP_WRITE), 0);
    assert_int_equal(vm_protect(&as, 0x401000, PAGE_SIZE, MAP_WRITE | MAP_USER), 0);
    assert_int_equal(raw_walk(0x401000, e), 4);
    assert_true(e[3] & SDM_US);
    assert_true(e[2] & SDM_US);
    assert_true(e[1] & SDM_US);
    assert_true(e[0] & SDM_US);
}

/* ---- map_range ---- */

static void test_map_range_page_sizes(void **state)
{
    /* virt and phys agree modulo 2 MiB; the range starts 3 pages before a
     * 2 MiB boundary, covers two large pages and 5 pages after:
     * 0x1fd000 0x1fe000 0x1ff000 (4K) 0x200000 0x400000 (2M) 0x600000..0x604000 (4K). */
    const uint64_t virt = 0x1fd000, phys = 0x5fd000;
    const uint64_t length = 3 * PAGE_SIZE + 2 * PAGE_SIZE_2M + 5 * PAGE_SIZE;
    (void)state;
    assert_int_equal(vm_map_range(&as, virt, phys, length, MAP_WRITE), 0);
    for (uint64_t off = 0; off < length; off += PAGE_SIZE) {
        uint64_t v = virt + off;
        uint64_t size = v >= 0x200000 && v < 0x600000 ? PAGE_SIZE_2M : PAGE_SIZE;
        expect_translation(v + 0x18, phys + off + 0x18, MAP_WRITE, size);
    }
    expect_unmapped(virt - PAGE_SIZE);
    expect_unmapped(virt + length);
    check_raw(0x200000, 0x600000, PAGE_SIZE_2M, MAP_WRITE);
    check_raw(0x1ff000, 0x5ff000, PAGE_SIZE, MAP_WRITE);
    assert_int_equal(tables_live, 5); /* PML4, PDPT, PD, PTs for PD slots 0 and 3 */
    /* Exactly one large page's worth at aligned addresses: one 2 MiB page. */
    assert_int_equal(vm_map_range(&as, 0x40000000, 0x80000000, PAGE_SIZE_2M, MAP_USER), 0);
    expect_translation(0x401fffff, 0x801fffff, MAP_USER, PAGE_SIZE_2M);
    assert_int_equal(tables_live, 6); /* one more PD, no PT */
}

static void test_map_range_mismatched_alignment_uses_4k(void **state)
{
    (void)state;
    /* virt 2 MiB-aligned, phys only 4 KiB-aligned: no large page possible. */
    assert_int_equal(vm_map_range(&as, 0x40000000, 0x80001000, 4 * MIB, MAP_EXEC), 0);
    for (uint64_t off = 0; off < 4 * MIB; off += PAGE_SIZE)
        expect_translation(0x40000000 + off, 0x80001000 + off, MAP_EXEC, PAGE_SIZE);
    assert_int_equal(tables_live, 5); /* PML4, PDPT, PD, two PTs */
    /* Both aligned but shorter than 2 MiB: 4 KiB pages too. */
    assert_int_equal(vm_map_range(&as, 0x80000000, 0x80000000, 2 * MIB - PAGE_SIZE, 0), 0);
    expect_translation(0x80000000, 0x80000000, 0, PAGE_SIZE);
    expect_translation(0x801fe000, 0x801fe000, 0, PAGE_SIZE);
    expect_unmapped(0x801ff000);
}

static void test_map_range_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(vm_map_range(&as, 0x1800, 0x2000, 0x1000, 0), -EINVAL);
    assert_int_equal(vm_map_range(&as, 0x1000, 0x2800, 0x1000, 0), -EINVAL);
    assert_int_equal(vm_map_range(&as, 0x1000, 0x2000, 0x1800, 0), -EINVAL);
    assert_int_equal(vm_map_range(&as, 0x1000, 0x2000, 0, 0), 0); /* nothing to do */
    assert_int_equal(tables_live, 1);
    expect_unmapped(0x1000);
}

/* One range that needs six tables: it crosses a PML4 boundary at 512 GiB,
 * 4K 4K 2M | 2M 4K, with phys congruent to virt modulo 2 MiB. */
#define CROSS_VIRT   (0x8000000000ull - 0x202000)
#define CROSS_PHYS   (0x40000000ull - 0x202000)
#define CROSS_LENGTH (0x202000ull + 0x201000)
#define CROSS_TABLES 6 /* PDPT + PD + PT below PML4E 0, again below PML4E 1 */

static void expect_cross_range_unmapped(void)
{
    for (uint64_t off = 0; off < CROSS_LENGTH; off += PAGE_SIZE)
        expect_unmapped(CROSS_VIRT + off);
}

static void test_map_range_rolls_back_when_tables_run_out(void **state)
{
    (void)state;
    for (long budget = 0; budget <= CROSS_TABLES; budget++) {
        fresh_space(NULL);
        alloc_budget = budget;
        int rc = vm_map_range(&as, CROSS_VIRT, CROSS_PHYS, CROSS_LENGTH, MAP_WRITE);
        alloc_budget = -1;
        if (budget < CROSS_TABLES) {
            assert_int_equal(rc, -ENOMEM);
            expect_cross_range_unmapped();
            if (tables_live != 1)
                print_error("budget %ld: %u tables live after rollback\n", budget, tables_live);
            assert_int_equal(tables_live, 1);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(tables_live, 1 + CROSS_TABLES);
            expect_translation(CROSS_VIRT, CROSS_PHYS, MAP_WRITE, PAGE_SIZE);
            expect_translation(0x7fffe00000ull, 0x3fe00000, MAP_WRITE, PAGE_SIZE_2M);
            expect_translation(0x8000000000ull, 0x40000000, MAP_WRITE, PAGE_SIZE_2M);
            expect_translation(0x8000200000ull, 0x40200000, MAP_WRITE, PAGE_SIZE);
        }
    }
}

static void test_map_range_rolls_back_on_conflict(void **state)
{
    (void)state;
    /* Something already at 512 GiB + 2 MiB: the last page of the range. */
    assert_int_equal(vm_map(&as, 0x8000200000ull, 0x1000, PAGE_SIZE, MAP_USER), 0);
    unsigned before = tables_live;
    assert_int_equal(vm_map_range(&as, CROSS_VIRT, CROSS_PHYS, CROSS_LENGTH, MAP_WRITE), -EEXIST);
    expect_translation(0x8000200000ull, 0x1000, MAP_USER, PAGE_SIZE);
    for (uint64_t off = 0; off < CROSS_LENGTH - PAGE_SIZE; off += PAGE_SIZE)
        expect_unmapped(CROSS_VIRT + off);
    assert_int_equal(tables_live, before);

    /* A 2 MiB page in the way of a 4 KiB one: -EBUSY, same clean-up. */
    assert_int_equal(vm_map(&as, 0x40200000, 0x40200000, PAGE_SIZE_2M, 0), 0);
    before = tables_live;
    assert_int_equal(vm_map_range(&as, 0x401fe000, 0x1000, 0x3000, 0), -EBUSY);
    expect_unmapped(0x401fe000);
    expect_unmapped(0x401ff000);
    expect_translation(0x40200000, 0x40200000, 0, PAGE_SIZE_2M);
    assert_int_equal(tables_live, before);
}

static void test_map_range_rolls_back_at_non_canonical_edge(void **state)
{
    (void)state;
    /* The last 2 MiB of the lower half, then the non-canonical hole. */
    assert_int_equal(vm_map_range(&as, 0x00007fffffe00000ull, 0x200000, 4 * MIB, 0), -EINVAL);
    expect_unmapped(0x00007fffffe00000ull);
    assert_int_equal(tables_live, 1);
}

/* A range running past the top of the address space must not wrap
 * around to virtual address 0 (where a null pointer would then land). */
static void test_map_range_wrapping_past_top_is_einval(void **state)
{
    (void)state;
    assert_int_equal(vm_map_range(&as, 0xffffffffffe00000ull, 0x200000, 4 * MIB, 0), -EINVAL);
    expect_unmapped(0);
    expect_unmapped(0xffffffffffe00000ull);
    assert_int_equal(tables_live, 1);
    /* Ending exactly at 2^64 is fine. */
    assert_int_equal(vm_map_range(&as, 0xffffffffffe00000ull, 0x200000, 2 * MIB, 0), 0);
    expect_translation(0xffffffffffffffffull, 0x3fffff, 0, PAGE_SIZE_2M);
    expect_unmapped(0);
}

/* ---- randomized against a model ---- */

/* Eight 2 MiB slots chosen to sit on every kind of table boundary: PML4
 * entries 0, 1 and 511; PDPT entries 0, 1, 511 and 510. */
static const uint64_t slot_base[] = {
    0x000000003fc00000ull, 0x000000003fe00000ull, /* PDPT 0, last two PDEs */
    0x0000000040000000ull, 0x0000000040200000ull, /* PDPT 1, first two PDEs */
    0x0000007fffe00000ull,                        /* PML4 0, PDPT 511, PDE 511 */
    0x0000008000000000ull,                        /* PML4 1 */
    0xffffffff80000000ull, 0xffffffff80200000ull, /* PML4 511, PDPT 510 */
};
#define SLOTS 8

/* The pages of a slot the random ops use: few, so slots empty out often. */
static const unsigned slot_pages[] = {0, 1, 2, 255, 256, 509, 510, 511};
#define SLOT_PAGES 8

struct model_page {
    bool mapped;
    uint64_t phys;
    unsigned flags;
};

struct model_slot {
    bool huge;
    uint64_t huge_phys;
    unsigned huge_flags;
    unsigned small_count;
    struct model_page page[SLOT_PAGES];
};

static struct model_slot model[SLOTS];

static bool slot_used(int s)
{
    return model[s].huge || model[s].small_count > 0;
}

/* Tables the model implies: the PML4, one PDPT per used PML4 entry, one
 * PD per used PDPT entry, one PT per slot holding 4 KiB pages. */
static unsigned model_tables(void)
{
    unsigned count = 1;
    for (int s = 0; s < SLOTS; s++) {
        bool new_pml4e = slot_used(s), new_pdpte = slot_used(s);
        for (int t = 0; t < s; t++) {
            if (!slot_used(t))
                continue;
            if (sdm_index(slot_base[t], 4) == sdm_index(slot_base[s], 4)) {
                new_pml4e = false;
                if (sdm_index(slot_base[t], 3) == sdm_index(slot_base[s], 3))
                    new_pdpte = false;
            }
        }
        count += new_pml4e + new_pdpte + (model[s].small_count > 0);
    }
    return count;
}

static void check_slot(int s, bool every_page)
{
    const struct model_slot *m = &model[s];
    for (unsigned p = 0; p < 512; p++) {
        uint64_t virt = slot_base[s] + p * PAGE_SIZE;
        uint64_t offset = (p * 8 + 0x10) & 0xfff;
        int k = -1;
        for (int i = 0; i < SLOT_PAGES; i++)
            if (slot_pages[i] == p)
                k = i;
        if (k < 0 && !every_page)
            continue;
        if (m->huge) {
            expect_translation(virt + offset, m->huge_phys + p * PAGE_SIZE + offset, m->huge_flags,
                               PAGE_SIZE_2M);
        } else if (k >= 0 && m->page[k].mapped) {
            expect_translation(virt + offset, m->page[k].phys + offset, m->page[k].flags,
                               PAGE_SIZE);
            check_raw(virt, m->page[k].phys, PAGE_SIZE, m->page[k].flags);
        } else {
            expect_unmapped(virt + offset);
        }
    }
    if (m->huge)
        check_raw(slot_base[s], m->huge_phys, PAGE_SIZE_2M, m->huge_flags);
}

/* One random operation on slot s, with the result the model predicts. */
static void random_op(int s)
{
    struct model_slot *m = &model[s];
    int k = (int)rng_below(SLOT_PAGES);
    uint64_t virt = slot_base[s] + slot_pages[k] * PAGE_SIZE;
    unsigned flags = (unsigned)rng_below(32);
    uint64_t op = rng_below(100);
    bool small = rng_below(4) != 0; /* 4 KiB ops more often than 2 MiB ones */
    int expected, rc;

    invalidated_count = 0;
    if (op < 45) { /* map */
        if (small) {
            uint64_t phys = rng_next() & 0x000ffffffffff000ull;
            expected = m->huge ? -EBUSY : m->page[k].mapped ? -EEXIST : 0;
            rc = vm_map(&as, virt, phys, PAGE_SIZE, flags);
            if (expected == 0) {
                m->page[k] = (struct model_page){true, phys, flags};
                m->small_count++;
            }
        } else {
            uint64_t phys = rng_next() & 0x000fffffffe00000ull;
            expected = m->huge ? -EEXIST : m->small_count > 0 ? -EBUSY : 0;
            rc = vm_map(&as, slot_base[s], phys, PAGE_SIZE_2M, flags);
            if (expected == 0) {
                m->huge = true;
                m->huge_phys = phys;
                m->huge_flags = flags;
            }
        }
    } else {
        bool unmap = op < 75;
        uint64_t at = small ? virt : slot_base[s];
        if (small)
            expected = m->huge ? -EBUSY : m->page[k].mapped ? 0 : -ENOENT;
        else
            expected = m->huge ? 0 : m->small_count > 0 ? -EBUSY : -ENOENT;
        uint64_t size = small ? PAGE_SIZE : PAGE_SIZE_2M;
        rc = unmap ? vm_unmap(&as, at, size) : vm_protect(&as, at, size, flags);
        if (expected == 0) {
            assert_int_equal(invalidated_count, 1);
            assert_int_equal(invalidated[0], at);
            if (small && unmap) {
                m->page[k].mapped = false;
                m->small_count--;
            } else if (small) {
                m->page[k].flags = flags;
            } else if (unmap) {
                m->huge = false;
            } else {
                m->huge_flags = flags;
            }
        }
    }
    if (rc != expected)
        print_error("slot %d page %u op %llu: got %d, model says %d\n", s, slot_pages[k],
                    (unsigned long long)op, rc, expected);
    assert_int_equal(rc, expected);
    if (rc != 0)
        assert_int_equal(invalidated_count, 0);
}

/* Unmap everything in slot s, as the model says it is. */
static void drain_slot(int s)
{
    struct model_slot *m = &model[s];
    for (int k = 0; k < SLOT_PAGES; k++) {
        if (!m->page[k].mapped)
            continue;
        uint64_t virt = slot_base[s] + slot_pages[k] * PAGE_SIZE;
        invalidated_count = 0;
        assert_int_equal(vm_unmap(&as, virt, PAGE_SIZE), 0);
        expect_invalidated(virt);
    }
    if (m->huge) {
        invalidated_count = 0;
        assert_int_equal(vm_unmap(&as, slot_base[s], PAGE_SIZE_2M), 0);
        expect_invalidated(slot_base[s]);
    }
    memset(m, 0, sizeof(*m));
}

#define RANDOM_OPS 20000

static void test_random_against_model(void **state)
{
    (void)state;
    memset(model, 0, sizeof(model));
    for (int i = 0; i < RANDOM_OPS; i++) {
        int s = (int)rng_below(SLOTS);
        if (rng_below(32) == 0)
            drain_slot(s); /* so that slots empty out and take 2 MiB pages */
        else
            random_op(s);
        check_slot(s, false);
        if (tables_live != model_tables())
            print_error("op %d: %u tables live, model says %u\n", i, tables_live, model_tables());
        assert_int_equal(tables_live, model_tables());
        if (i % 1000 == 0)
            for (int t = 0; t < SLOTS; t++)
                check_slot(t, true);
    }
    /* Take everything down: only the PML4 may remain. */
    for (int s = 0; s < SLOTS; s++) {
        drain_slot(s);
        check_slot(s, true);
    }
    assert_int_equal(tables_live, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_index_math_hand_picked, fresh_space),
        cmocka_unit_test_setup(test_canonical_check, fresh_space),
        cmocka_unit_test_setup(test_create_gives_empty_root, fresh_space),
        cmocka_unit_test_setup(test_map_4k_and_translate, fresh_space),
        cmocka_unit_test_setup(test_map_2m_and_translate, fresh_space),
        cmocka_unit_test_setup(test_highest_physical_addresses, fresh_space),
        cmocka_unit_test_setup(test_flags_round_trip_every_combination, fresh_space),
        cmocka_unit_test_setup(test_raw_bits_user_and_kernel_paths, fresh_space),
        cmocka_unit_test_setup(test_raw_bits_nocache, fresh_space),
        cmocka_unit_test_setup(test_raw_bits_write_combine, fresh_space),
        cmocka_unit_test_setup(test_map_rejects_bad_arguments, fresh_space),
        cmocka_unit_test_setup(test_double_map_is_eexist, fresh_space),
        cmocka_unit_test_setup(test_4k_inside_2m_is_ebusy, fresh_space),
        cmocka_unit_test_setup(test_2m_over_page_table_is_ebusy, fresh_space),
        cmocka_unit_test_setup(test_unmap_and_protect_not_mapped_are_enoent, fresh_space),
        cmocka_unit_test_setup(test_unmap_and_protect_bad_arguments, fresh_space),
        cmocka_unit_test_setup(test_wrong_size_on_unmap_and_protect_is_ebusy, fresh_space),
        cmocka_unit_test_setup(test_unmap_frees_empty_tables, fresh_space),
        cmocka_unit_test_setup(test_unmap_2m_frees_tables, fresh_space),
        cmocka_unit_test_setup(test_unmap_keeps_tables_still_in_use, fresh_space),
        cmocka_unit_test_setup(test_kept_upper_half_tables_survive_unmap, fresh_space),
        cmocka_unit_test_setup(test_release_lower_half_frees_pages_and_tables, fresh_space),
        cmocka_unit_test_setup(test_release_lower_half_of_empty_space, fresh_space),
        cmocka_unit_test_setup(test_protect_changes_flags_keeps_address, fresh_space),
        cmocka_unit_test_setup(test_protect_to_user_sets_us_above, fresh_space),
        cmocka_unit_test_setup(test_map_range_page_sizes, fresh_space),
        cmocka_unit_test_setup(test_map_range_mismatched_alignment_uses_4k, fresh_space),
        cmocka_unit_test_setup(test_map_range_bad_arguments, fresh_space),
        cmocka_unit_test_setup(test_map_range_rolls_back_when_tables_run_out, fresh_space),
        cmocka_unit_test_setup(test_map_range_rolls_back_on_conflict, fresh_space),
        cmocka_unit_test_setup(test_map_range_rolls_back_at_non_canonical_edge, fresh_space),
        cmocka_unit_test_setup(test_map_range_wrapping_past_top_is_einval, fresh_space),
        cmocka_unit_test_setup(test_random_against_model, fresh_space),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
