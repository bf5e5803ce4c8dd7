/*
 * test_frames.c - host tests for the physical frame allocator (mm/frames.c).
 *
 * The allocator runs on a simulated physical memory: a 64 MiB buffer that
 * stands for physical addresses 0 .. 64 MiB, reached through a phys_to_virt
 * that checks every access (inside the buffer, frame-aligned, and never a
 * frame the test holds). Expectations come from a brute-force model that
 * decides for every single frame whether it may be handed out (inside a
 * usable region, at or above 1 MiB, clear of every excluded range), from
 * counts worked out by hand in the comments, and from a 100k-operation
 * random run that tracks the frames it holds in a bitmap. A second, sparse
 * phys_to_virt backs a few windows above 4 GiB.
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
#include <mm/frames.h>

#include <tests/host/test_random.h>

#define KIB 0x400ull
#define MIB 0x100000ull
#define GIB 0x40000000ull

#define SIM_BYTES  (64 * MIB)
#define SIM_FRAMES (SIM_BYTES / PAGE_SIZE) /* 16384 */

#define U    MEM_USABLE
#define RES  MEM_RESERVED
#define ACPI MEM_ACPI_RECLAIMABLE

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t *sim_memory;        /* phys 0 .. SIM_BYTES */
static bool held[SIM_FRAMES];      /* frames the test holds (allocated, not freed) */
static unsigned long sim_accesses; /* calls of phys_to_virt */
static struct boot_info info;      /* the map under test */
static struct frame_allocator fa;  /* the allocator under test */
static bool allowed[SIM_FRAMES];   /* model: frame may be handed out */
static uint64_t allowed_count;     /* model: number of such frames */

/* The allocator only reads and writes free frames: never one the test
 * holds, never outside simulated memory, never at an odd address. */
static void *sim_phys_to_virt(uint64_t phys)
{
    assert_true(phys < SIM_BYTES);
    assert_true(phys % PAGE_SIZE == 0);
    assert_false(held[phys / PAGE_SIZE]);
    sim_accesses++;
    return sim_memory + phys;
}

static int group_setup(void **state)
{
    (void)state;
    sim_memory = malloc(SIM_BYTES);
    return sim_memory ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    free(sim_memory);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    memset(held, 0, sizeof(held));
    memset(allowed, 0, sizeof(allowed));
    memset(&info, 0, sizeof(info));
    memset(&fa, 0xA5, sizeof(fa)); /* frames_init must not rely on a zeroed struct */
    allowed_count = 0;
    sim_accesses = 0;
    return 0;
}

static void set_map(const struct mem_region *regions, size_t n)
{
    assert_true(n <= BOOT_INFO_MAX_REGIONS);
    info.protocol = BOOT_PROTOCOL_MULTIBOOT2;
    info.region_count = n;
    memcpy(info.regions, regions, n * sizeof(regions[0]));
}

/* Model of one frame, straight from the contract: the whole frame lies in
 * one usable region, at or above 1 MiB, and touches no excluded byte. */
static bool frame_allowed(uint64_t frame, const struct phys_range *ex, size_t ex_n)
{
    uint64_t end = frame + PAGE_SIZE;
    bool usable = false;
    if (frame < MIB)
        return false;
    for (size_t i = 0; i < info.region_count; i++) {
        const struct mem_region *r = &info.regions[i];
        if (r->type == MEM_USABLE && frame >= r->base && end <= r->base + r->length)
            usable = true;
    }
    for (size_t i = 0; i < ex_n; i++)
        if (ex[i].start < end && ex[i].end > frame)
            return false;
    return usable;
}

static void build_model(const struct phys_range *ex, size_t ex_n)
{
    allowed_count = 0;
    for (uint64_t f = 0; f < SIM_FRAMES; f++) {
        allowed[f] = frame_allowed(f * PAGE_SIZE, ex, ex_n);
        allowed_count += allowed[f];
    }
}

static void init_sim(const struct mem_region *regions, size_t n, const struct phys_range *ex,
                     size_t ex_n, uint64_t expected_lost)
{
    set_map(regions, n);
    build_model(ex, ex_n);
    assert_int_equal(frames_init(&fa, &info, ex, ex_n, sim_phys_to_virt), expected_lost);
}

static void expect_stats(uint64_t total, uint64_t free_frames)
{
    struct frame_stats st;
    frame_get_stats(&fa, &st);
    assert_int_equal(st.total, total);
    assert_int_equal(st.free, free_frames);
    assert_int_equal(st.used, total - free_frames);
}

/* Take one frame and check it against the model and the held set. */
static uint64_t take(void)
{
    uint64_t phys = 0;
    assert_int_equal(frame_alloc(&fa, &phys), 0);
    assert_true(phys % PAGE_SIZE == 0);
    assert_true(phys < SIM_BYTES);
    if (!allowed[phys / PAGE_SIZE])
        print_error("frame %#llx is not allocatable\n", (unsigned long long)phys);
    assert_true(allowed[phys / PAGE_SIZE]);
    assert_false(held[phys / PAGE_SIZE]);
    held[phys / PAGE_SIZE] = true;
    return phys;
}

static void give_back(uint64_t phys)
{
    assert_true(held[phys / PAGE_SIZE]);
    held[phys / PAGE_SIZE] = false;
    assert_int_equal(frame_free(&fa, phys), 0);
}

/* ---- a PC-like map, with every count worked out by hand ---- */

static const struct mem_region pc_map[] = {
    {0x0, 0x9fc00, U},                   /* conventional memory: below 1 MiB, never managed */
    {0x9fc00, 0x60400, RES},             /* EBDA, VGA, BIOS ROM up to 1 MiB */
    {0x100000, 0x2345678 - 0x100000, U}, /* ends mid-frame */
    {0x2345678, 0x2400123 - 0x2345678, RES},
    {0x2400123, 0x3ff0000 - 0x2400123, U}, /* starts mid-frame */
    {0x3ff0000, 0x10000, ACPI},
};

static const struct phys_range pc_excluded[] = {
    {0x100000, 0x31a123},   /* kernel image, ends mid-frame */
    {0x2800800, 0x2801000}, /* loader data: half of frame 0x2800000 */
    {0x3000000, 0x3000001}, /* one byte: all of frame 0x3000000 */
    {0x3fe0000, 0x4010000}, /* across the end of the last usable region */
};

/* Region 1: [0x100000, 0x2345000) minus the kernel up to 0x31b000 leaves
 * [0x31b000, 0x2345000) = 0x202a frames = 8234.
 * Region 2: [0x2401000, 0x3fe0000) minus frames 0x2800000 and 0x3000000:
 * [0x2401000, 0x2800000) = 0x3ff = 1023, [0x2801000, 0x3000000) = 0x7ff =
 * 2047, [0x3001000, 0x3fe0000) = 0xfdf = 4063; 7133 in all. */
#define PC_TOTAL       (8234ull + 1023 + 2047 + 4063)
#define PC_FIRST_FRAME 0x31b000ull

static void init_pc(void)
{
    init_sim(pc_map, ARRAY_LEN(pc_map), pc_excluded, ARRAY_LEN(pc_excluded), 0);
}

static void test_pc_map_hand_computed_totals(void **state)
{
    (void)state;
    init_pc();
    assert_int_equal(allowed_count, PC_TOTAL); /* the model agrees with the hand count */
    expect_stats(PC_TOTAL, PC_TOTAL);
    assert_int_equal(sim_accesses, 0); /* building it touches no frame */
}

static void test_first_allocations_ascending_and_complete(void **state)
{
    uint64_t expected = 0, phys = 0;
    (void)state;
    init_pc();
    for (uint64_t n = 0; n < PC_TOTAL; n++) {
        while (!allowed[expected / PAGE_SIZE])
            expected += PAGE_SIZE;
        phys = take();
        if (phys != expected)
            print_error("allocation %llu: got %#llx, expected %#llx\n", (unsigned long long)n,
                        (unsigned long long)phys, (unsigned long long)expected);
        assert_int_equal(phys, expected);
        if (n == 0)
            assert_int_equal(phys, PC_FIRST_FRAME);
        expected += PAGE_SIZE;
    }
    assert_int_equal(phys, 0x3fdf000); /* last frame below the excluded tail */
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);
    expect_stats(PC_TOTAL, 0);
    /* Untouched frames are handed out without ever being written. */
    assert_int_equal(sim_accesses, 0);
}

static void test_first_mib_never_managed(void **state)
{
    const struct mem_region low_only[] = {{0x0, 0x9fc00, U}, {0x9fc00, 0x60400, RES}};
    const struct mem_region across[] = {{0x0, 2 * MIB, U}};
    const struct mem_region edge[] = {{0x80000, 0x100800 - 0x80000, U}};
    uint64_t phys;
    (void)state;

    init_sim(low_only, ARRAY_LEN(low_only), NULL, 0, 0);
    expect_stats(0, 0);
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);

    reset(NULL);
    init_sim(across, ARRAY_LEN(across), NULL, 0, 0);
    expect_stats(256, 256); /* [1 MiB, 2 MiB) */
    assert_int_equal(take(), MIB);

    reset(NULL);
    init_sim(edge, ARRAY_LEN(edge), NULL, 0, 0);
    expect_stats(0, 0); /* only half a frame above 1 MiB */
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);
}

static void test_unaligned_edges_trimmed_inward(void **state)
{
    const struct mem_region ragged[] = {{0x100001, 0x103fff - 0x100001, U}};
    const struct mem_region whole[] = {{MIB, 16 * KIB, U}};
    const struct phys_range ragged_exclusion[] = {{MIB + 0x1800, MIB + 0x2001}};
    uint64_t phys;
    (void)state;

    /* [0x100001, 0x103fff): only 0x101000 and 0x102000 are whole frames. */
    init_sim(ragged, ARRAY_LEN(ragged), NULL, 0, 0);
    expect_stats(2, 2);
    assert_int_equal(take(), 0x101000);
    assert_int_equal(take(), 0x102000);
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);

    /* An exclusion from mid-frame to one byte past a frame edge takes
     * both frames it touches: 0x101000 and 0x102000. */
    reset(NULL);
    init_sim(whole, ARRAY_LEN(whole), ragged_exclusion, ARRAY_LEN(ragged_exclusion), 0);
    expect_stats(2, 2);
    assert_int_equal(take(), 0x100000);
    assert_int_equal(take(), 0x103000);
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);
}

static void test_overlapping_unsorted_exclusions(void **state)
{
    const struct mem_region map[] = {{MIB, 7 * MIB, U}};
    const struct phys_range ex[] = {
        {3 * MIB, 4 * MIB},
        {MIB + MIB / 2, 3 * MIB + MIB / 2}, /* overlaps the first one */
        {6 * MIB, 6 * MIB + 1},
    };
    (void)state;
    /* Left: [1, 1.5) MiB = 128, [4, 6) MiB = 512, [6 MiB + 4 KiB, 8 MiB) = 511. */
    init_sim(map, ARRAY_LEN(map), ex, ARRAY_LEN(ex), 0);
    assert_int_equal(allowed_count, 128 + 512 + 511);
    expect_stats(1151, 1151);
    for (int i = 0; i < 1151; i++)
        take();
    assert_false(held[(6 * MIB) / PAGE_SIZE]);
}

static void test_exclusion_outside_usable_memory_is_harmless(void **state)
{
    const struct mem_region map[] = {{MIB, MIB, U}, {2 * MIB, MIB, RES}};
    const struct phys_range ex[] = {{0, MIB}, {2 * MIB, 3 * MIB}, {5 * MIB, 6 * MIB}};
    (void)state;
    init_sim(map, ARRAY_LEN(map), ex, ARRAY_LEN(ex), 0);
    expect_stats(256, 256);
}

static void test_non_usable_types_ignored(void **state)
{
    const struct mem_region map[] = {
        {1 * MIB, MIB, MEM_ACPI_RECLAIMABLE},
        {2 * MIB, MIB, MEM_ACPI_NVS},
        {3 * MIB, MIB, MEM_RESERVED},
        {4 * MIB, MIB, MEM_BAD},
        {5 * MIB, MIB, U},
    };
    (void)state;
    init_sim(map, ARRAY_LEN(map), NULL, 0, 0);
    expect_stats(256, 256);
    assert_int_equal(take(), 5 * MIB);
}

static void test_unsorted_map_still_ascending(void **state)
{
    const struct mem_region map[] = {{8 * MIB, MIB, U}, {2 * MIB, MIB, U}, {5 * MIB, MIB, U}};
    (void)state;
    init_sim(map, ARRAY_LEN(map), NULL, 0, 0);
    expect_stats(768, 768);
    for (uint64_t i = 0; i < 256; i++)
        assert_int_equal(take(), 2 * MIB + i * PAGE_SIZE);
    assert_int_equal(take(), 5 * MIB);
}

static void test_free_list_is_lifo(void **state)
{
    (void)state;
    init_pc();
    uint64_t a = take(), b = take(), c = take(), d = take();
    assert_int_equal(a, PC_FIRST_FRAME);
    assert_int_equal(d, PC_FIRST_FRAME + 3 * PAGE_SIZE);
    give_back(b);
    give_back(d);
    give_back(a);
    expect_stats(PC_TOTAL, PC_TOTAL - 1);
    assert_int_equal(take(), a);
    assert_int_equal(take(), d);
    assert_int_equal(take(), b);
    /* Free list empty again: back to the untouched frames, in order. */
    assert_int_equal(take(), PC_FIRST_FRAME + 4 * PAGE_SIZE);
    (void)c;
    expect_stats(PC_TOTAL, PC_TOTAL - 5);
}

static void test_exhaustion(void **state)
{
    const struct mem_region map[] = {{MIB, 8 * PAGE_SIZE, U}};
    uint64_t frames[8], phys = 0xdead;
    (void)state;
    init_sim(map, ARRAY_LEN(map), NULL, 0, 0);
    for (int i = 0; i < 8; i++)
        frames[i] = take();
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM); /* and it stays that way */
    expect_stats(8, 0);
    give_back(frames[5]);
    expect_stats(8, 1);
    assert_int_equal(take(), frames[5]);
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);
    expect_stats(8, 0);
}

/* Each of these must be refused with -EINVAL without touching anything. */
static void expect_free_rejected(uint64_t phys)
{
    struct frame_allocator before = fa;
    unsigned long accesses = sim_accesses;
    int rc = frame_free(&fa, phys);
    if (rc != -EINVAL)
        print_error("frame_free(%#llx) = %d\n", (unsigned long long)phys, rc);
    assert_int_equal(rc, -EINVAL);
    assert_memory_equal(&before, &fa, sizeof(fa));
    assert_int_equal(sim_accesses, accesses);
}

static void test_free_rejects_bad_addresses(void **state)
{
    (void)state;
    init_pc();
    uint64_t a = take(), b = take();
    give_back(a); /* a non-empty free list that must stay as it is */
    const uint64_t bad[] = {
        0x0,
        0x1000,
        0xff000,           /* below 1 MiB, usable in the map */
        b + 8,             /* misaligned inside a held frame */
        b + PAGE_SIZE - 1, /* misaligned */
        0x200000,          /* inside the kernel image */
        0x31a000,          /* the kernel's last, partial frame */
        0x2345000,         /* partial frame at the end of region 1 */
        0x2380000,         /* reserved hole */
        0x2400000,         /* partial frame at the start of region 2 */
        0x2800000,         /* half-excluded frame */
        0x3000000,         /* frame with one excluded byte */
        0x3fe0000,         /* excluded tail */
        0x3ff0000,         /* ACPI */
        SIM_BYTES,         /* beyond the map */
        1ull << 40,
        UINT64_MAX & ~(PAGE_SIZE - 1),
        UINT64_MAX,
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        expect_free_rejected(bad[i]);
    expect_stats(PC_TOTAL, PC_TOTAL - 1);
    assert_int_equal(take(), a); /* the free list still leads to a */
}

/* ---- contiguous allocation ---- */

static void take_range(uint64_t start, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        uint64_t f = start / PAGE_SIZE + i;
        assert_true(f < SIM_FRAMES);
        assert_true(allowed[f]);
        assert_false(held[f]);
        held[f] = true;
    }
}

static void test_contiguous_16_frames_64k_aligned(void **state)
{
    uint64_t phys = 0;
    (void)state;
    init_pc();
    take();
    take();
    take(); /* the next untouched frame is 0x31e000 */
    assert_int_equal(frame_alloc_contiguous(&fa, 16, 64 * KIB, &phys), 0);
    /* First fit from the front of the untouched frames: 0x31e000 rounded
     * up to 64 KiB is 0x320000; 0x31e000 and 0x31f000 are skipped. */
    assert_int_equal(phys, 0x320000);
    assert_true(phys % (64 * KIB) == 0);
    take_range(phys, 16);
    expect_stats(PC_TOTAL, PC_TOTAL - 3 - 16);
    /* The skipped frames stay free and come back first. */
    uint64_t s1 = take(), s2 = take();
    assert_true((s1 == 0x31e000 && s2 == 0x31f000) || (s1 == 0x31f000 && s2 == 0x31e000));
    assert_int_equal(take(), 0x320000 + 16 * PAGE_SIZE);
    expect_stats(PC_TOTAL, PC_TOTAL - 3 - 16 - 3);
}

static void test_contiguous_2m_aligned(void **state)
{
    uint64_t phys = 0;
    (void)state;
    init_pc();
    assert_int_equal(frame_alloc_contiguous(&fa, 512, 2 * MIB, &phys), 0);
    assert_int_equal(phys, 4 * MIB); /* 0x31b000 rounded up to 2 MiB */
    take_range(phys, 512);
    /* (0x400000 - 0x31b000) / 4 KiB = 229 frames were skipped: all of them
     * and nothing else come back before the untouched frames go on. */
    for (int i = 0; i < 229; i++) {
        uint64_t f = take();
        assert_true(f >= PC_FIRST_FRAME && f < 0x400000);
    }
    assert_int_equal(take(), 0x600000);
    expect_stats(PC_TOTAL, PC_TOTAL - 512 - 230);
    /* A second 2 MiB block follows right behind. */
    assert_int_equal(frame_alloc_contiguous(&fa, 512, 2 * MIB, &phys), 0);
    assert_int_equal(phys, 0x800000);
    take_range(phys, 512);
}

static void test_contiguous_exact_fit_and_next_range(void **state)
{
    const struct mem_region map[] = {{MIB, 10 * PAGE_SIZE, U}, {4 * MIB, 4 * MIB, U}};
    uint64_t phys = 0;
    (void)state;
    init_sim(map, ARRAY_LEN(map), NULL, 0, 0);
    /* 16 frames do not fit into the 10 at 1 MiB: they come from 4 MiB, and
     * the small range is left untouched (nothing pushed, nothing written). */
    assert_int_equal(frame_alloc_contiguous(&fa, 16, 64 * KIB, &phys), 0);
    assert_int_equal(phys, 4 * MIB);
    take_range(phys, 16);
    assert_int_equal(sim_accesses, 0);
    /* Exactly the 10 frames of the first range. */
    assert_int_equal(frame_alloc_contiguous(&fa, 10, PAGE_SIZE, &phys), 0);
    assert_int_equal(phys, MIB);
    take_range(phys, 10);
    assert_int_equal(take(), 4 * MIB + 16 * PAGE_SIZE);
    expect_stats(10 + 1024, 10 + 1024 - 16 - 10 - 1);
}

static void test_contiguous_invalid_arguments(void **state)
{
    const uint64_t bad_align[] = {
        0, 1, 2048, PAGE_SIZE + 1, 3 * PAGE_SIZE, 12 * KIB, (64 * KIB) | PAGE_SIZE};
    uint64_t phys = 0x1234;
    (void)state;
    init_pc();
    struct frame_allocator before = fa;
    assert_int_equal(frame_alloc_contiguous(&fa, 0, PAGE_SIZE, &phys), -EINVAL);
    for (size_t i = 0; i < ARRAY_LEN(bad_align); i++)
        assert_int_equal(frame_alloc_contiguous(&fa, 1, bad_align[i], &phys), -EINVAL);
    assert_memory_equal(&before, &fa, sizeof(fa));
    assert_int_equal(phys, 0x1234);
}

static void test_contiguous_impossible_is_enomem(void **state)
{
    uint64_t phys = 0x1234;
    (void)state;
    init_pc();
    struct frame_allocator before = fa;
    assert_int_equal(frame_alloc_contiguous(&fa, PC_TOTAL + 1, PAGE_SIZE, &phys), -ENOMEM);
    /* The largest range has 8234 frames: more never fits, though the total would. */
    assert_int_equal(frame_alloc_contiguous(&fa, 8235, PAGE_SIZE, &phys), -ENOMEM);
    assert_int_equal(frame_alloc_contiguous(&fa, 1, GIB, &phys), -ENOMEM);
    assert_int_equal(frame_alloc_contiguous(&fa, 1, 1ull << 63, &phys), -ENOMEM);
    assert_int_equal(frame_alloc_contiguous(&fa, UINT64_MAX, PAGE_SIZE, &phys), -ENOMEM);
    assert_int_equal(frame_alloc_contiguous(&fa, UINT64_MAX / PAGE_SIZE + 2, PAGE_SIZE, &phys),
                     -ENOMEM); /* count * PAGE_SIZE would wrap to a small number */
    assert_memory_equal(&before, &fa, sizeof(fa));
    assert_int_equal(sim_accesses, 0);
    assert_int_equal(frame_alloc_contiguous(&fa, 8234, PAGE_SIZE, &phys), 0);
    assert_int_equal(phys, PC_FIRST_FRAME);
}

/* Contiguous blocks come from untouched frames only: freed frames, even a
 * long run of them, are not reused for one. */
static void test_contiguous_ignores_free_list(void **state)
{
    const struct mem_region map[] = {{MIB, 32 * PAGE_SIZE, U}};
    uint64_t frames[32], phys;
    (void)state;
    init_sim(map, ARRAY_LEN(map), NULL, 0, 0);
    for (int i = 0; i < 32; i++)
        frames[i] = take();
    for (int i = 0; i < 32; i++)
        give_back(frames[i]);
    expect_stats(32, 32);
    assert_int_equal(frame_alloc_contiguous(&fa, 2, PAGE_SIZE, &phys), -ENOMEM);
    expect_stats(32, 32);
}

/* ---- more ranges than the allocator holds ---- */

static void test_too_many_ranges_reports_lost_frames(void **state)
{
    /* One region of 140 frames with every odd frame excluded: 70 one-frame
     * ranges, of which FRAME_MAX_RANGES = 64 fit and 6 frames are lost. */
    const struct mem_region map[] = {{MIB, 140 * PAGE_SIZE, U}};
    struct phys_range ex[70];
    uint64_t phys;
    (void)state;
    assert_int_equal(FRAME_MAX_RANGES, 64);
    for (int k = 0; k < 70; k++)
        ex[k] = (struct phys_range){MIB + (2 * k + 1) * PAGE_SIZE, MIB + (2 * k + 2) * PAGE_SIZE};
    init_sim(map, ARRAY_LEN(map), ex, ARRAY_LEN(ex), 6);
    expect_stats(64, 64);
    for (int i = 0; i < 64; i++) {
        uint64_t f = take();
        assert_true((f - MIB) / PAGE_SIZE % 2 == 0);
    }
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);
}

static void test_exactly_max_ranges_loses_nothing(void **state)
{
    const struct mem_region map[] = {{MIB, 128 * PAGE_SIZE, U}};
    struct phys_range ex[64];
    (void)state;
    /* Excluding frames 1, 3, ..., 127 leaves 64 one-frame ranges. */
    for (int k = 0; k < 64; k++)
        ex[k] = (struct phys_range){MIB + (2 * k + 1) * PAGE_SIZE, MIB + (2 * k + 2) * PAGE_SIZE};
    init_sim(map, ARRAY_LEN(map), ex, ARRAY_LEN(ex), 0);
    expect_stats(64, 64);
}

static void test_too_many_regions_reports_lost_frames(void **state)
{
    /* 64 regions of 3 frames each (a gap of one frame between them), and
     * one exclusion taking the middle frame of the first: 65 ranges.
     * Whichever range is left out, total + lost must be the 191 frames
     * that are really there. */
    const struct phys_range ex[] = {{MIB + PAGE_SIZE, MIB + PAGE_SIZE + 1}};
    struct mem_region map[64];
    (void)state;
    for (int k = 0; k < 64; k++)
        map[k] = (struct mem_region){MIB + 4 * k * PAGE_SIZE, 3 * PAGE_SIZE, U};
    set_map(map, 64);
    build_model(ex, 1);
    assert_int_equal(allowed_count, 191);
    uint64_t lost = frames_init(&fa, &info, ex, 1, sim_phys_to_virt);
    struct frame_stats st;
    frame_get_stats(&fa, &st);
    assert_true(lost > 0);
    assert_int_equal(st.total + lost, 191);
    for (uint64_t i = 0; i < st.total; i++)
        take();
}

/* ---- above 4 GiB: a sparse physical memory ---- */

struct window {
    uint64_t base;
    uint8_t *bytes;
};

#define WINDOW_BYTES MIB
static struct window windows[3];

static void *sparse_phys_to_virt(uint64_t phys)
{
    assert_true(phys % PAGE_SIZE == 0);
    for (size_t i = 0; i < ARRAY_LEN(windows); i++)
        if (phys >= windows[i].base && phys - windows[i].base < WINDOW_BYTES)
            return windows[i].bytes + (phys - windows[i].base);
    print_error("access to unbacked phys %#llx\n", (unsigned long long)phys);
    fail();
    return NULL;
}

static void test_regions_above_4g(void **state)
{
    /* 1 MiB at 1 MiB, 1 MiB at 4 GiB, 512 GiB at 8 GiB (never backed: untouched
     * frames are never written), 1 MiB at 1 TiB; one frame at 4 GiB + 512 KiB
     * excluded. 64-bit arithmetic throughout: 2^27 frames in the big one. */
    const struct mem_region map[] = {
        {MIB, MIB, U},           {3 * GIB, GIB, RES},  {4 * GIB, MIB, U},
        {8 * GIB, 512 * GIB, U}, {1024 * GIB, MIB, U},
    };
    const struct phys_range ex[] = {{4 * GIB + 512 * KIB, 4 * GIB + 512 * KIB + 1}};
    const uint64_t big = 512 * GIB / PAGE_SIZE;
    const uint64_t total = 256 + 255 + big + 256;
    uint64_t phys = 0, f4g[10];
    (void)state;
    assert_int_equal(big, 1ull << 27);
    windows[0] = (struct window){MIB, malloc(WINDOW_BYTES)};
    windows[1] = (struct window){4 * GIB, malloc(WINDOW_BYTES)};
    windows[2] = (struct window){1024 * GIB, malloc(WINDOW_BYTES)};
    for (size_t i = 0; i < ARRAY_LEN(windows); i++)
        assert_non_null(windows[i].bytes);

    set_map(map, ARRAY_LEN(map));
    assert_int_equal(frames_init(&fa, &info, ex, 1, sparse_phys_to_virt), 0);
    expect_stats(total, total);

    for (uint64_t i = 0; i < 256; i++) {
        assert_int_equal(frame_alloc(&fa, &phys), 0);
        assert_int_equal(phys, MIB + i * PAGE_SIZE);
    }
    for (uint64_t i = 0; i < 10; i++) {
        assert_int_equal(frame_alloc(&fa, &phys), 0);
        assert_int_equal(phys, 4 * GIB + i * PAGE_SIZE);
        f4g[i] = phys;
    }
    /* Free and reuse above 4 GiB: the link is written into the window. */
    assert_int_equal(frame_free(&fa, f4g[3]), 0);
    assert_int_equal(frame_free(&fa, f4g[7]), 0);
    assert_int_equal(frame_alloc(&fa, &phys), 0);
    assert_int_equal(phys, f4g[7]);
    assert_int_equal(frame_alloc(&fa, &phys), 0);
    assert_int_equal(phys, f4g[3]);
    /* 64 KiB alignment at 4 GiB + 40 KiB: skips 6 frames, block at +64 KiB. */
    assert_int_equal(frame_alloc_contiguous(&fa, 16, 64 * KIB, &phys), 0);
    assert_int_equal(phys, 4 * GIB + 64 * KIB);
    /* The rest of the 4 GiB region cannot hold 2 MiB: the block comes from 8 GiB. */
    assert_int_equal(frame_alloc_contiguous(&fa, 512, 2 * MIB, &phys), 0);
    assert_int_equal(phys, 8 * GIB);
    expect_stats(total, total - 256 - 10 - 16 - 512);
    /* The skipped frames, then the rest of the 4 GiB window, skip the
     * excluded frame at 4 GiB + 512 KiB. */
    for (uint64_t i = 10; i < 255; i++) {
        if (i >= 10 + 6 && i < 10 + 6 + 16)
            continue;
        assert_int_equal(frame_alloc(&fa, &phys), 0);
        assert_true(phys >= 4 * GIB && phys < 4 * GIB + MIB);
        assert_int_not_equal(phys, 4 * GIB + 512 * KIB);
    }
    assert_int_equal(frame_alloc(&fa, &phys), 0);
    assert_int_equal(phys, 8 * GIB + 2 * MIB); /* untouched again, after the 2 MiB block */
    assert_int_equal(frame_free(&fa, 1024 * GIB + 5 * PAGE_SIZE), 0); /* managed, backed */
    assert_int_equal(frame_free(&fa, 1024 * GIB + MIB), -EINVAL);
    assert_int_equal(frame_free(&fa, 4 * GIB + 512 * KIB), -EINVAL);
    assert_int_equal(frame_free(&fa, 520 * GIB), -EINVAL);
    assert_int_equal(frame_free(&fa, 1ull << 52), -EINVAL);
    assert_int_equal(frame_alloc(&fa, &phys), 0);
    assert_int_equal(phys, 1024 * GIB + 5 * PAGE_SIZE);

    for (size_t i = 0; i < ARRAY_LEN(windows); i++)
        free(windows[i].bytes);
}

/* A normalised map may end a region at 2^64 - 1 (memmap_normalize clips
 * there). Trimming such a region inward must leave nothing, not wrap
 * around to address 0. */
static void test_region_at_top_of_address_space(void **state)
{
    const struct mem_region map[] = {
        {MIB, MIB, U}, {0xfffffffffffff800ull, 0x7ff, U}, /* [.., 2^64 - 1): not one whole frame */
    };
    struct frame_stats st;
    uint64_t phys = 0;
    (void)state;
    set_map(map, ARRAY_LEN(map));
    assert_int_equal(frames_init(&fa, &info, NULL, 0, sim_phys_to_virt), 0);
    frame_get_stats(&fa, &st);
    assert_int_equal(st.total, 256);
    assert_int_equal(frame_alloc(&fa, &phys), 0);
    assert_int_equal(phys, MIB);
}

/* ---- 100k random operations ---- */

#define RANDOM_OPS 100000

static uint64_t held_list[SIM_FRAMES]; /* the held frames, in no order */
static size_t held_count;

/* Mark a frame held and stamp it, so a later check sees whether the
 * allocator wrote into a frame it had handed out. */
static void hold(uint64_t phys)
{
    uint64_t f = phys / PAGE_SIZE;
    assert_true(phys % PAGE_SIZE == 0 && f < SIM_FRAMES);
    assert_true(allowed[f]);
    assert_false(held[f]);
    held[f] = true;
    held_list[held_count++] = phys;
    uint64_t *words = (uint64_t *)(sim_memory + phys);
    words[0] = phys ^ 0x5555555555555555ull;
    words[PAGE_SIZE / 8 - 1] = ~phys;
}

static void release(size_t index)
{
    uint64_t phys = held_list[index];
    const uint64_t *words = (const uint64_t *)(sim_memory + phys);
    assert_int_equal(words[0], phys ^ 0x5555555555555555ull);
    assert_int_equal(words[PAGE_SIZE / 8 - 1], ~phys);
    held_list[index] = held_list[--held_count];
    held[phys / PAGE_SIZE] = false;
    assert_int_equal(frame_free(&fa, phys), 0);
}

static void check_random_stats(void)
{
    struct frame_stats st;
    frame_get_stats(&fa, &st);
    assert_int_equal(st.total, PC_TOTAL);
    assert_int_equal(st.free + st.used, st.total);
    assert_int_equal(st.used, held_count);
}

static void random_step(unsigned phase)
{
    uint64_t phys = 0;
    uint64_t r = rng_below(100);
    /* 20k operations filling up (to exhaustion), then 20k draining, and so on. */
    unsigned alloc_share = phase % 4 < 2 ? 85 : 20;

    if (r < alloc_share) {
        int rc = frame_alloc(&fa, &phys);
        if (held_count == PC_TOTAL) {
            assert_int_equal(rc, -ENOMEM);
        } else {
            assert_int_equal(rc, 0);
            hold(phys);
        }
    } else if (r < 93) {
        if (held_count > 0)
            release(rng_below(held_count));
    } else if (r < 97) {
        uint64_t count = 1 + rng_below(24);
        uint64_t align = PAGE_SIZE << rng_below(10); /* 4 KiB .. 2 MiB */
        struct frame_stats before, after;
        frame_get_stats(&fa, &before);
        int rc = frame_alloc_contiguous(&fa, count, align, &phys);
        frame_get_stats(&fa, &after);
        if (rc == 0) {
            assert_true(phys % align == 0);
            for (uint64_t i = 0; i < count; i++)
                hold(phys + i * PAGE_SIZE);
            assert_int_equal(after.free, before.free - count);
        } else {
            assert_int_equal(rc, -ENOMEM);
            assert_int_equal(after.free, before.free);
        }
    } else {
        const uint64_t bad[] = {0x1000, 0x200000, 0x2380000, 0x2800000, 0x3fe0000, SIM_BYTES};
        uint64_t target = held_count > 0 && rng_below(2)
                              ? held_list[rng_below(held_count)] + 8 * (1 + rng_below(511))
                              : bad[rng_below(ARRAY_LEN(bad))];
        expect_free_rejected(target);
    }
    check_random_stats();
}

static void test_random_operations_keep_the_books(void **state)
{
    uint64_t phys;
    (void)state;
    init_pc();
    held_count = 0;
    for (unsigned i = 0; i < RANDOM_OPS; i++)
        random_step(i / 10000);
    /* Give everything back, then every frame must be there exactly once. */
    while (held_count > 0)
        release(held_count - 1);
    expect_stats(PC_TOTAL, PC_TOTAL);
    for (uint64_t i = 0; i < PC_TOTAL; i++) {
        assert_int_equal(frame_alloc(&fa, &phys), 0);
        hold(phys);
    }
    assert_int_equal(frame_alloc(&fa, &phys), -ENOMEM);
    expect_stats(PC_TOTAL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pc_map_hand_computed_totals, reset),
        cmocka_unit_test_setup(test_first_allocations_ascending_and_complete, reset),
        cmocka_unit_test_setup(test_first_mib_never_managed, reset),
        cmocka_unit_test_setup(test_unaligned_edges_trimmed_inward, reset),
        cmocka_unit_test_setup(test_overlapping_unsorted_exclusions, reset),
        cmocka_unit_test_setup(test_exclusion_outside_usable_memory_is_harmless, reset),
        cmocka_unit_test_setup(test_non_usable_types_ignored, reset),
        cmocka_unit_test_setup(test_unsorted_map_still_ascending, reset),
        cmocka_unit_test_setup(test_free_list_is_lifo, reset),
        cmocka_unit_test_setup(test_exhaustion, reset),
        cmocka_unit_test_setup(test_free_rejects_bad_addresses, reset),
        cmocka_unit_test_setup(test_contiguous_16_frames_64k_aligned, reset),
        cmocka_unit_test_setup(test_contiguous_2m_aligned, reset),
        cmocka_unit_test_setup(test_contiguous_exact_fit_and_next_range, reset),
        cmocka_unit_test_setup(test_contiguous_invalid_arguments, reset),
        cmocka_unit_test_setup(test_contiguous_impossible_is_enomem, reset),
        cmocka_unit_test_setup(test_contiguous_ignores_free_list, reset),
        cmocka_unit_test_setup(test_too_many_ranges_reports_lost_frames, reset),
        cmocka_unit_test_setup(test_exactly_max_ranges_loses_nothing, reset),
        cmocka_unit_test_setup(test_too_many_regions_reports_lost_frames, reset),
        cmocka_unit_test_setup(test_regions_above_4g, reset),
        cmocka_unit_test_setup(test_region_at_top_of_address_space, reset),
        cmocka_unit_test_setup(test_random_operations_keep_the_books, reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
