/*
 * fuzz_ustar.c - libFuzzer target for the ustar archive reader (lib/ustar.c).
 *
 * Build and run (clang only; libFuzzer supplies main):
 *   make build/fuzz/fuzz_ustar && build/fuzz/fuzz_ustar -max_total_time=60
 *
 * The first input byte picks how the rest becomes an archive. Bit 0 clear:
 * as it is. Bit 0 set: every block boundary gets the POSIX magic (bit 1
 * set: GNU's) and a correct checksum, so that the fuzzer gets past those
 * two checks to the numbers, names and sizes behind them. The archive is a
 * malloc'ed buffer of exactly its size, so ASan traps any read beyond it.
 *
 * Every entry must keep the documented promises: data inside the archive
 * and starting on the block after a header, a NUL-terminated name shorter
 * than KEEL_PATH_MAX with no leading "./" (and a directory's without a
 * trailing "/"), permission bits only, no data for types 1 to 6; and the
 * reader must move forward every time. The end and errors must repeat, an
 * error must say why, and ustar_find must find each regular file (the first
 * of its name) and report a missing name as -ENOENT or the archive's error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/ustar.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define MODE_FIX_HEADERS 0x1
#define MODE_GNU_MAGIC   0x2
#define FIND_CHECKS_MAX  16

static bool block_is_zero(const uint8_t *block)
{
    for (int i = 0; i < USTAR_BLOCK_SIZE; i++)
        if (block[i] != 0)
            return false;
    return true;
}

/* Give every block but the zero blocks the magic and a matching checksum. */
static void fix_headers(uint8_t *archive, size_t size, bool gnu)
{
    for (size_t at = 0; size - at >= USTAR_BLOCK_SIZE; at += USTAR_BLOCK_SIZE) {
        uint8_t *h = archive + at;
        unsigned sum = 0;
        if (block_is_zero(h))
            continue;
        memcpy(h + 257, gnu ? "ustar  " : "ustar\00000", 8); /* magic and version */
        memset(h + 148, ' ', 8);
        for (int i = 0; i < USTAR_BLOCK_SIZE; i++)
            sum += h[i];
        for (int i = 5; i >= 0; i--, sum >>= 3)
            h[148 + i] = (uint8_t)('0' + (sum & 7));
        h[154] = '\0';
    }
}

static void check_entry(const uint8_t *archive, size_t size, const struct ustar_file *f)
{
    size_t name_len = strnlen(f->name, KEEL_PATH_MAX);
    size_t data_at = (size_t)(f->data - archive);

    CHECK(f->data >= archive + USTAR_BLOCK_SIZE && data_at <= size);
    CHECK(data_at % USTAR_BLOCK_SIZE == 0);
    CHECK(f->size <= size - data_at);
    CHECK(name_len < KEEL_PATH_MAX);
    CHECK(!(name_len >= 2 && f->name[0] == '.' && f->name[1] == '/'));
    CHECK(f->mode <= 07777);
    if (f->type == USTAR_TYPE_DIRECTORY)
        CHECK(name_len == 0 || f->name[name_len - 1] != '/');
    if (f->type >= '1' && f->type <= '6')
        CHECK(f->size == 0);
}

static bool is_regular(const struct ustar_file *f)
{
    return f->type == USTAR_TYPE_REGULAR || f->type == USTAR_TYPE_REGULAR_OLD;
}

/* ustar_find must return the first regular entry of each name among the
 * entries read; when they are all the archive has (complete), -ENOENT or
 * the archive's error for a name not there. */
static void check_find(const uint8_t *archive, size_t size, const struct ustar_file *entries,
                       size_t count, bool complete, int status)
{
    struct ustar_file f;
    const char *why = NULL;

    for (size_t i = 0; i < count; i++) {
        if (!is_regular(&entries[i]) || entries[i].name[0] == '/')
            continue; /* ustar_find takes a leading "/" off the name looked for */
        size_t first = i;
        for (size_t j = 0; j < i; j++)
            if (is_regular(&entries[j]) && strcmp(entries[j].name, entries[i].name) == 0) {
                first = j;
                break;
            }
        CHECK(ustar_find(archive, size, entries[i].name, &f, &why) == 0);
        CHECK(f.data == entries[first].data && f.size == entries[first].size);
    }
    if (!complete)
        return;
    int missing = ustar_find(archive, size, "\x01missing\x02", &f, &why);
    for (size_t i = 0; i < count; i++)
        if (is_regular(&entries[i]) && strcmp(entries[i].name, "\x01missing\x02") == 0)
            return; /* the fuzzer wrote that name: then it is found */
    CHECK(missing == (status == 0 ? -ENOENT : -EINVAL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ustar_file entries[FIND_CHECKS_MAX];
    struct ustar_reader r;
    struct ustar_file f;
    const char *why = NULL;
    size_t count = 0;
    int status;

    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    size_t archive_size = size - 1;
    uint8_t *archive = malloc(archive_size ? archive_size : 1);
    CHECK(archive != NULL);
    memcpy(archive, data + 1, archive_size);
    if (mode & MODE_FIX_HEADERS)
        fix_headers(archive, archive_size, mode & MODE_GNU_MAGIC);

    ustar_open(&r, archive, archive_size);
    size_t last_offset = r.offset;
    while ((status = ustar_next(&r, &f, &why)) == 1) {
        check_entry(archive, archive_size, &f);
        CHECK(r.offset > last_offset && r.offset <= archive_size);
        last_offset = r.offset;
        if (count < FIND_CHECKS_MAX)
            entries[count++] = f;
    }
    if (status == 0) {
        CHECK(ustar_next(&r, &f, &why) == 0);
    } else {
        CHECK(status == -EINVAL && why != NULL && why[0] != '\0');
        const char *first_why = why;
        CHECK(ustar_next(&r, &f, &why) == -EINVAL && why == first_why);
        CHECK(ustar_next(&r, &f, NULL) == -EINVAL);
    }
    check_find(archive, archive_size, entries, count, count < FIND_CHECKS_MAX, status);
    free(archive);
    return 0;
}
