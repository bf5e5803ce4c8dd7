/*
 * test_ustar.c - host tests for the ustar archive reader (lib/ustar.c).
 *
 * Two sources of archives. The host's GNU tar makes real ones at test time
 * (--format=ustar and --format=gnu) from files the test writes, so the
 * reader is checked against another implementation of the format. The
 * test's own writer below builds archives header by header, which is how
 * each damage (truncation, bad checksum, bad number, missing magic) is made
 * exactly once: a header is changed and its checksum recomputed, so that
 * only the check under test can fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/ustar.h>

/* ---------------------------------------------------------------- the test's own writer */

#define ARCHIVE_MAX (64 * 1024)
#define BLOCK       USTAR_BLOCK_SIZE

/* Field offsets and sizes, from the POSIX header table (written out here
 * again, not taken from lib/ustar.c). */
#define F_NAME     0
#define F_MODE     100
#define F_SIZE     124
#define F_CHKSUM   148
#define F_TYPEFLAG 156
#define F_MAGIC    257
#define F_VERSION  263
#define F_PREFIX   345

/* The magic and version fields together: POSIX's "ustar\0" "00" (an octal
 * escape takes three digits at most) and GNU's "ustar " " \0". */
#define POSIX_MAGIC "ustar\00000"
#define GNU_MAGIC   "ustar  "

static uint8_t archive[ARCHIVE_MAX];
static size_t archive_len;

static int setup(void **state)
{
    (void)state;
    memset(archive, 0, sizeof(archive));
    archive_len = 0;
    return 0;
}

/* Write value as zero-padded octal filling len - 1 digits and a NUL. */
static void put_octal(uint8_t *field, size_t len, uint64_t value)
{
    char text[32];
    snprintf(text, sizeof(text), "%0*llo", (int)(len - 1), (unsigned long long)value);
    memcpy(field, text, len); /* the digits and snprintf's NUL */
}

/* Write the header's checksum into a template of 8 bytes, its 'd' bytes
 * becoming the sum's octal digits. */
static void seal_as(uint8_t *h, const char *template)
{
    unsigned sum = 0;

    memset(h + F_CHKSUM, ' ', 8);
    for (int i = 0; i < BLOCK; i++)
        sum += h[i];
    memcpy(h + F_CHKSUM, template, 8);
    for (int i = 7; i >= 0; i--) {
        if (template[i] == 'd') {
            h[F_CHKSUM + i] = (uint8_t)('0' + (sum & 7));
            sum >>= 3;
        }
    }
}

/* Recompute the checksum of a header, in GNU tar's form: six digits, NUL, space. */
static void seal(uint8_t *h)
{
    seal_as(h, "dddddd\0 ");
}

/* Append a POSIX header (name copied without its NUL when it fills the
 * field) and return it, sealed; size goes into the size field only. */
static uint8_t *add_header(const char *name, char type, unsigned mode, uint64_t size)
{
    uint8_t *h = archive + archive_len;

    assert_true(archive_len + BLOCK <= ARCHIVE_MAX);
    memset(h, 0, BLOCK);
    memcpy(h + F_NAME, name, strnlen(name, 100));
    put_octal(h + F_MODE, 8, mode);
    put_octal(h + 108, 8, 1000); /* uid */
    put_octal(h + 116, 8, 1000); /* gid */
    put_octal(h + F_SIZE, 12, size);
    put_octal(h + 136, 12, 1700000000); /* mtime */
    h[F_TYPEFLAG] = (uint8_t)type;
    memcpy(h + F_MAGIC, POSIX_MAGIC, 8);
    memcpy(h + 265, "keel", 4); /* uname */
    memcpy(h + 297, "keel", 4); /* gname */
    archive_len += BLOCK;
    seal(h);
    return h;
}

/* Append data padded to whole blocks. */
static void add_data(const void *data, size_t size)
{
    size_t padded = (size + BLOCK - 1) / BLOCK * BLOCK;

    assert_true(archive_len + padded <= ARCHIVE_MAX);
    memcpy(archive + archive_len, data, size);
    archive_len += padded;
}

static uint8_t *add_file(const char *name, unsigned mode, const char *text)
{
    uint8_t *h = add_header(name, '0', mode, strlen(text));
    add_data(text, strlen(text));
    return h;
}

static void add_end(void)
{
    archive_len += 2 * BLOCK; /* already zero */
}

static void set_prefix(uint8_t *h, const char *prefix)
{
    memcpy(h + F_PREFIX, prefix, strnlen(prefix, 155));
    seal(h);
}

/* Read every entry of archive[0..archive_len) into entries; returns the count
 * and checks that the reader then reports the end. */
static int read_all(const void *data, size_t len, struct ustar_file *entries, int max)
{
    struct ustar_reader r;
    const char *why = NULL;
    int count = 0;
    int got;

    ustar_open(&r, data, len);
    while ((got = ustar_next(&r, &entries[count], &why)) == 1) {
        assert_true(count + 1 < max);
        count++;
    }
    if (got != 0)
        fail_msg("ustar_next: %d (%s) after %d entries", got, why ? why : "?", count);
    return count;
}

/* The first result of ustar_next that is not an entry, with its reason. */
static int next_failure(const void *data, size_t len, const char **why)
{
    struct ustar_reader r;
    struct ustar_file f;
    int got;

    *why = NULL;
    ustar_open(&r, data, len);
    while ((got = ustar_next(&r, &f, why)) == 1)
        ;
    return got;
}

static void expect_damage(const char *reason)
{
    const char *why;

    assert_int_equal(next_failure(archive, archive_len, &why), -EINVAL);
    assert_non_null(why);
    assert_string_equal(why, reason);
}

/* ---------------------------------------------------------------- archives made by GNU tar */

struct tar_dir {
    char path[64];
};

static void write_file(const struct tar_dir *d, const char *name, const void *data, size_t len,
                       unsigned mode)
{
    char path[512];
    char cmd[600];

    snprintf(path, sizeof(path), "%s/%s", d->path, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    snprintf(cmd, sizeof(cmd), "chmod %o '%s'", mode, path);
    assert_int_equal(system(cmd), 0);
}

static void shell(const struct tar_dir *d, const char *commands)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "cd %s && %s", d->path, commands);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static uint8_t *load(const struct tar_dir *d, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", d->path, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *data = malloc(*len);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

/* Names of the tree that the tar tests archive. */
static char name100[101];   /* exactly 100 characters: no NUL in the name field */
static char long_path[200]; /* over 100 characters: tar puts its folders into the prefix */
static uint8_t binary[1500];

/* A folder "tree" with README (0644), hello (0755, binary, not a whole
 * number of blocks), bin/tool, an empty file, a 100-character name and a
 * path that needs the prefix field. */
static void make_tree(struct tar_dir *d)
{
    char cmd[1024];

    snprintf(d->path, sizeof(d->path), "/tmp/keel-ustar-XXXXXX");
    assert_non_null(mkdtemp(d->path));
    memset(name100, 'n', 100);
    name100[100] = '\0';
    memcpy(name100, "n100-", 5);
    snprintf(long_path, sizeof(long_path), "deep/%060d/%060d/file.txt", 1, 2);
    for (size_t i = 0; i < sizeof(binary); i++)
        binary[i] = (uint8_t)(i * 7 + 3);
    snprintf(cmd, sizeof(cmd), "mkdir -p tree/bin tree/deep/%060d/%060d", 1, 2);
    shell(d, cmd);
    write_file(d, "tree/README", "Keel's ramdisk\n", 15, 0644);
    write_file(d, "tree/hello", binary, sizeof(binary), 0755);
    write_file(d, "tree/bin/tool", "tool\n", 5, 0700);
    write_file(d, "tree/empty", "", 0, 0600);
    snprintf(cmd, sizeof(cmd), "tree/%s", name100);
    write_file(d, cmd, "100\n", 4, 0644);
    snprintf(cmd, sizeof(cmd), "tree/%s", long_path);
    write_file(d, cmd, "deep\n", 5, 0640);
}

static void remove_tree(struct tar_dir *d)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", d->path);
    assert_int_equal(system(cmd), 0);
}

static const struct ustar_file *entry_named(const struct ustar_file *entries, int count,
                                            const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(entries[i].name, name) == 0)
            return &entries[i];
    fail_msg("no entry named \"%s\"", name);
    return NULL;
}

static void expect_entry(const struct ustar_file *entries, int count, const char *name, char type,
                         unsigned mode, const void *data, size_t size)
{
    const struct ustar_file *e = entry_named(entries, count, name);
    assert_int_equal(e->type, type);
    assert_int_equal(e->mode, mode);
    assert_int_equal(e->size, size);
    if (size > 0)
        assert_memory_equal(e->data, data, size);
}

/* What every listing of the tree holds, whatever the archive's format. */
static void expect_tree(const struct ustar_file *entries, int count)
{
    char name[300];

    expect_entry(entries, count, "README", '0', 0644, "Keel's ramdisk\n", 15);
    expect_entry(entries, count, "hello", '0', 0755, binary, sizeof(binary));
    expect_entry(entries, count, "bin", '5', 0755, NULL, 0);
    expect_entry(entries, count, "bin/tool", '0', 0700, "tool\n", 5);
    expect_entry(entries, count, "empty", '0', 0600, NULL, 0);
    expect_entry(entries, count, name100, '0', 0644, "100\n", 4);
    snprintf(name, sizeof(name), "deep/%060d", 1);
    expect_entry(entries, count, name, '5', 0755, NULL, 0);
    snprintf(name, sizeof(name), "deep/%060d/%060d", 1, 2); /* 126 bytes: prefix and name */
    expect_entry(entries, count, name, '5', 0755, NULL, 0);
    expect_entry(entries, count, long_path, '0', 0640, "deep\n", 5);
}

static void test_host_tar_ustar(void **state)
{
    (void)state;
    struct tar_dir d;
    struct ustar_file entries[32];
    size_t len;

    make_tree(&d);
    shell(&d, "chmod 0755 tree/bin tree/deep tree/deep/* tree/deep/*/* && cd tree && "
              "tar --format=ustar --sort=name -cf ../out.tar README hello bin empty n100-* deep");
    uint8_t *data = load(&d, "out.tar", &len);
    assert_memory_equal(data + F_MAGIC, POSIX_MAGIC, 8);
    int count = read_all(data, len, entries, 32);
    expect_tree(entries, count);
    /* The long path really went through the prefix field: find its header. */
    const struct ustar_file *deep = entry_named(entries, count, long_path);
    const uint8_t *header = deep->data - BLOCK;
    assert_true(header[F_PREFIX] != '\0');
    assert_int_equal(count, 10); /* 6 files; bin, deep and deep's 2 nested folders */
    free(data);
    remove_tree(&d);
}

/* `tar -C tree .`: every name starts with "./", which the reader removes;
 * the root folder "./" itself becomes the empty name. */
static void test_host_tar_dot_names(void **state)
{
    (void)state;
    struct tar_dir d;
    struct ustar_file entries[32];
    size_t len;

    make_tree(&d);
    shell(&d, "chmod 0755 tree tree/bin tree/deep tree/deep/* tree/deep/*/* && "
              "tar --format=ustar --sort=name -C tree -cf out.tar .");
    uint8_t *data = load(&d, "out.tar", &len);
    int count = read_all(data, len, entries, 32);
    expect_tree(entries, count);
    expect_entry(entries, count, "", '5', 0755, NULL, 0);
    assert_int_equal(count, 11); /* and the root */
    free(data);
    remove_tree(&d);
}

/* GNU's own format, magic "ustar " and version " \0"; its long names come
 * as "././@LongLink" entries (type 'L'), which a reader that knows them
 * would apply, so this archive keeps to short names. */
static void test_host_tar_gnu(void **state)
{
    (void)state;
    struct tar_dir d;
    struct ustar_file entries[32];
    size_t len;

    make_tree(&d);
    shell(&d, "chmod 0755 tree/bin && cd tree && "
              "tar --format=gnu --sort=name -cf ../out.tar README hello bin empty");
    uint8_t *data = load(&d, "out.tar", &len);
    assert_memory_equal(data + F_MAGIC, GNU_MAGIC, 8);
    int count = read_all(data, len, entries, 32);
    assert_int_equal(count, 5);
    expect_entry(entries, count, "README", '0', 0644, "Keel's ramdisk\n", 15);
    expect_entry(entries, count, "hello", '0', 0755, binary, sizeof(binary));
    expect_entry(entries, count, "bin", '5', 0755, NULL, 0);
    expect_entry(entries, count, "bin/tool", '0', 0700, "tool\n", 5);

    struct ustar_file f;
    const char *why = NULL;
    assert_int_equal(ustar_find(data, len, "/bin/tool", &f, &why), 0);
    assert_memory_equal(f.data, "tool\n", 5);
    free(data);
    remove_tree(&d);
}

/* ---------------------------------------------------------------- well-formed archives */

static void test_entries_in_order(void **state)
{
    (void)state;
    struct ustar_file e[8];

    add_file("README", 0644, "read me\n");
    add_header("bin/", '5', 0755, 0);
    add_file("bin/hello", 0755, "hello");
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 8), 3);
    assert_string_equal(e[0].name, "README");
    assert_int_equal(e[0].type, '0');
    assert_int_equal(e[0].mode, 0644);
    assert_int_equal(e[0].size, 8);
    assert_ptr_equal(e[0].data, archive + BLOCK);
    assert_string_equal(e[1].name, "bin"); /* a directory's trailing slash goes */
    assert_int_equal(e[1].type, '5');
    assert_string_equal(e[2].name, "bin/hello");
    assert_ptr_equal(e[2].data, archive + 4 * BLOCK);
    assert_memory_equal(e[2].data, "hello", 5);
}

static void test_empty_archives(void **state)
{
    (void)state;
    struct ustar_reader r;
    struct ustar_file f;

    ustar_open(&r, archive, 0);
    assert_int_equal(ustar_next(&r, &f, NULL), 0);
    ustar_open(&r, archive, 2 * BLOCK);
    assert_int_equal(ustar_next(&r, &f, NULL), 0);
    ustar_open(&r, archive, 20 * BLOCK); /* tar pads to whole records of zeros */
    assert_int_equal(ustar_next(&r, &f, NULL), 0);
    ustar_open(&r, archive, BLOCK); /* one zero block that ends the data */
    assert_int_equal(ustar_next(&r, &f, NULL), 0);
}

/* No end-of-archive blocks at all: the data ends cleanly after an entry. */
static void test_clean_end_of_data(void **state)
{
    (void)state;
    struct ustar_file e[4];

    add_file("a", 0644, "A");
    add_file("b", 0644, "BB");
    assert_int_equal(read_all(archive, archive_len, e, 4), 2);
    /* The last entry's padding may be missing too. */
    assert_int_equal(read_all(archive, archive_len - BLOCK + 2, e, 4), 2);
    assert_memory_equal(e[1].data, "BB", 2);
}

static void test_end_is_sticky(void **state)
{
    (void)state;
    struct ustar_reader r;
    struct ustar_file f;

    add_file("a", 0644, "A");
    add_end();
    add_file("after-the-end", 0644, "not read");
    ustar_open(&r, archive, archive_len);
    assert_int_equal(ustar_next(&r, &f, NULL), 1);
    assert_int_equal(ustar_next(&r, &f, NULL), 0);
    assert_int_equal(r.offset, r.size); /* as ustar.h promises */
    assert_int_equal(ustar_next(&r, &f, NULL), 0);
}

/* A name that fills its 100-byte field has no NUL; the reader must stop at
 * the field's end (the mode field follows). */
static void test_name_of_100_characters(void **state)
{
    (void)state;
    struct ustar_file e[2];
    char name[101];

    memset(name, 'x', 100);
    name[100] = '\0';
    add_file(name, 0644, "x");
    add_end();
    assert_int_not_equal(archive[99], 0);
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    assert_string_equal(e[0].name, name);
}

static void test_name_with_prefix(void **state)
{
    (void)state;
    struct ustar_file e[2];

    set_prefix(add_file("file.txt", 0644, "x"), "usr/share/doc");
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    assert_string_equal(e[0].name, "usr/share/doc/file.txt");
}

/* The longest name: a full 155-byte prefix, '/', a full 100-byte name is 256
 * bytes, one more than KEEL_PATH_MAX leaves for them with the NUL. */
static void test_longest_names(void **state)
{
    (void)state;
    struct ustar_file e[2];
    char prefix[156], name[101];

    memset(prefix, 'p', 155);
    prefix[155] = '\0';
    memset(name, 'n', 100);
    name[100] = '\0';
    name[99] = '\0'; /* 155 + 1 + 99 = 255 characters: fits */
    set_prefix(add_file(name, 0644, "x"), prefix);
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    assert_int_equal(strlen(e[0].name), KEEL_PATH_MAX - 1);
    assert_int_equal(e[0].name[155], '/');

    setup(NULL);
    name[99] = 'n';
    set_prefix(add_file(name, 0644, "x"), prefix);
    add_end();
    expect_damage("a name longer than KEEL_PATH_MAX allows");

    /* With "./" in front, the same name fits again once that is removed. */
    setup(NULL);
    prefix[0] = '.';
    prefix[1] = '/';
    set_prefix(add_file(name, 0644, "x"), prefix);
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    assert_int_equal(strlen(e[0].name), 155 + 1 + 100 - 2);
}

static void test_leading_dot_slash_removed(void **state)
{
    (void)state;
    struct ustar_file e[4];

    add_file("./hello", 0755, "hi");
    set_prefix(add_file("b", 0644, "b"), "./a");
    add_file("../up", 0644, "u"); /* only "./" goes */
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 4), 3);
    assert_string_equal(e[0].name, "hello");
    assert_string_equal(e[1].name, "a/b");
    assert_string_equal(e[2].name, "../up");
}

/* A directory, link or device has no data blocks, whatever its size field
 * says (POSIX: none are stored for types 1 to 6); a pax header ('x') has. */
static void test_entries_without_data(void **state)
{
    (void)state;
    struct ustar_file e[8];

    add_header("dir/", '5', 0755, 4096);
    add_header("link", '2', 0777, 0);
    add_header("fifo", '6', 0644, 3);
    add_header("PaxHeader/next", 'x', 0644, 18);
    add_data("18 path=next-file\n", 18);
    add_file("next-file", 0644, "data");
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 8), 5);
    assert_string_equal(e[0].name, "dir");
    assert_int_equal(e[0].size, 0);
    assert_int_equal(e[1].type, '2');
    assert_int_equal(e[1].size, 0);
    assert_int_equal(e[2].size, 0);
    assert_int_equal(e[3].type, 'x');
    assert_int_equal(e[3].size, 18);
    assert_string_equal(e[4].name, "next-file");
    assert_memory_equal(e[4].data, "data", 4);
}

/* Only the permission bits of the mode field; a '\0' typeflag is a file. */
static void test_mode_and_old_type(void **state)
{
    (void)state;
    struct ustar_file e[2];
    uint8_t *h = add_file("f", 0644, "f");

    put_octal(h + F_MODE, 8, 0104755);
    h[F_TYPEFLAG] = '\0';
    seal(h);
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    assert_int_equal(e[0].mode, 04755);
    assert_int_equal(e[0].type, '\0');
    assert_int_equal(ustar_find(archive, archive_len, "f", &e[1], NULL), 0);
}

/* Numbers as other tars write them: ended by a space, padded with leading
 * spaces, or a size of 12 digits with no terminator at all. */
static void test_octal_forms(void **state)
{
    (void)state;
    struct ustar_file e[4];
    uint8_t *h;

    h = add_file("space", 0644, "abc");
    memcpy(h + F_SIZE, "00000000003 ", 12);
    memcpy(h + F_MODE, "  644 \0\0", 8);
    seal(h);
    h = add_file("full", 0644, "abcd");
    memcpy(h + F_SIZE, "000000000004", 12);
    seal(h);
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 4), 2);
    assert_int_equal(e[0].size, 3);
    assert_int_equal(e[0].mode, 0644);
    assert_int_equal(e[1].size, 4);
}

/* The checksum field as tars write it: six digits, NUL, space (GNU tar);
 * seven digits and a NUL (POSIX); ended by spaces; after a leading space. */
static void test_checksum_forms(void **state)
{
    (void)state;
    static const char forms[][9] = {"dddddd\0 ", "ddddddd\0", "dddddd  ", " dddddd "};
    struct ustar_file e[2];
    uint8_t *h = add_file("f", 0644, "f");

    add_end();
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        seal_as(h, forms[i]);
        assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    }
}

/* The GNU magic, whose header keeps atime and ctime where POSIX has the
 * prefix: those must not become part of the name. */
static void test_gnu_magic_has_no_prefix(void **state)
{
    (void)state;
    struct ustar_file e[2];
    uint8_t *h = add_file("gnu-file", 0644, "g");

    memcpy(h + F_MAGIC, GNU_MAGIC, 8);
    put_octal(h + F_PREFIX, 12, 1700000001);      /* GNU's atime */
    put_octal(h + F_PREFIX + 12, 12, 1700000002); /* and ctime */
    seal(h);
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    assert_string_equal(e[0].name, "gnu-file");
}

static void test_posix_magic_any_version(void **state)
{
    (void)state;
    struct ustar_file e[2];
    uint8_t *h = add_file("f", 0644, "f");

    memcpy(h + F_VERSION, "  ", 2);
    seal(h);
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
}

/* ---------------------------------------------------------------- damaged archives */

static void test_truncated_header(void **state)
{
    (void)state;
    const char *why;

    add_file("a", 0644, "A");
    add_file("b", 0644, "B");
    assert_int_equal(next_failure(archive, 100, &why), -EINVAL);
    assert_string_equal(why, "a truncated header");
    /* The second header cut in its middle, after a whole first entry. */
    assert_int_equal(next_failure(archive, 2 * BLOCK + 300, &why), -EINVAL);
    assert_string_equal(why, "a truncated header");
    /* And a partial block after the end of a zero block. */
    memset(archive, 0, sizeof(archive));
    assert_int_equal(next_failure(archive, BLOCK + 10, &why), -EINVAL);
    assert_string_equal(why, "a lone zero block inside the archive");
}

static void test_truncated_data(void **state)
{
    (void)state;
    const char *why;
    uint8_t big[1200];

    memset(big, 'd', sizeof(big));
    add_header("big", '0', 0644, sizeof(big));
    add_data(big, sizeof(big));
    assert_int_equal(next_failure(archive, BLOCK + sizeof(big) - 1, &why), -EINVAL);
    assert_string_equal(why, "file data running past the end of the archive");
    assert_int_equal(next_failure(archive, BLOCK, &why), -EINVAL); /* no data at all */
    assert_string_equal(why, "file data running past the end of the archive");
    assert_int_equal(next_failure(archive, BLOCK + sizeof(big), &why), 0); /* exactly there */
}

/* A size too big for any archive must not wrap the reader's arithmetic. */
static void test_huge_size(void **state)
{
    (void)state;
    uint8_t *h = add_file("huge", 0644, "h");

    memcpy(h + F_SIZE, "77777777777 ", 12);
    seal(h);
    add_end();
    expect_damage("file data running past the end of the archive");
}

static void test_bad_checksum(void **state)
{
    (void)state;
    uint8_t *h = add_file("file", 0644, "x");

    add_end();
    h[F_NAME] = 'F'; /* the header changed, its checksum did not */
    expect_damage("a bad header checksum");
    h[F_NAME] = 'f';
    h[F_CHKSUM + 5] ^= 1; /* the checksum changed */
    expect_damage("a bad header checksum");
}

/* Signed-byte sums (what some old tars computed) differ from the unsigned
 * sum POSIX asks for once a byte is 0x80 or more. */
static void test_checksum_counts_bytes_unsigned(void **state)
{
    (void)state;
    struct ustar_file e[2];
    add_file("caf\xc3\xa9", 0644, "x");
    add_end();
    assert_int_equal(read_all(archive, archive_len, e, 2), 1);
    assert_string_equal(e[0].name, "caf\xc3\xa9");
}

static void test_no_magic(void **state)
{
    (void)state;
    uint8_t *h = add_file("file", 0644, "x");

    add_end();
    memcpy(h + F_MAGIC, "\0\0\0\0\0\0\0\0", 8); /* a V7 tar header */
    seal(h);
    expect_damage("a header without the \"ustar\" magic");
    memcpy(h + F_MAGIC, "ustar 00", 8); /* GNU's magic with POSIX's version */
    seal(h);
    expect_damage("a header without the \"ustar\" magic");
    memcpy(h + F_MAGIC, "ustaR\00000", 8);
    seal(h);
    expect_damage("a header without the \"ustar\" magic");
}

/* Random bytes where a header should be. */
static void test_garbage_block(void **state)
{
    (void)state;
    for (int i = 0; i < BLOCK; i++)
        archive[i] = (uint8_t)(i * 31 + 1);
    archive_len = 4 * BLOCK;
    expect_damage("a header without the \"ustar\" magic");
}

static void test_bad_octal_numbers(void **state)
{
    (void)state;
    uint8_t *h = add_file("file", 0644, "x");

    add_end();
    memcpy(h + F_SIZE, "0000000008\0\0", 12);
    seal(h);
    expect_damage("a bad octal number in the size field");
    memcpy(h + F_SIZE, "\x80\0\0\0\0\0\0\0\0\0\0\x01", 12); /* GNU base-256 */
    seal(h);
    expect_damage("a bad octal number in the size field");
    memset(h + F_SIZE, 0, 12); /* no digit at all */
    seal(h);
    expect_damage("a bad octal number in the size field");
    put_octal(h + F_SIZE, 12, 1);
    memcpy(h + F_MODE, "0644x\0\0\0", 8);
    seal(h);
    expect_damage("a bad octal number in the mode field");
    put_octal(h + F_MODE, 8, 0644);
    seal(h);
    memcpy(h + F_CHKSUM, "12a4\0   ", 8);
    expect_damage("a bad octal number in the chksum field");
}

static void test_entry_without_name(void **state)
{
    (void)state;
    uint8_t *h = add_file("x", 0644, "x");

    add_end();
    h[F_NAME] = '\0';
    seal(h);
    expect_damage("an entry without a name");
}

/* One zero block and then a header: the end of the archive needs two. */
static void test_lone_zero_block(void **state)
{
    (void)state;
    add_file("a", 0644, "A");
    archive_len += BLOCK;
    add_file("b", 0644, "B");
    add_end();
    expect_damage("a lone zero block inside the archive");
}

/* After an error the reader stays where it was: the same error again. */
static void test_error_is_sticky(void **state)
{
    (void)state;
    struct ustar_reader r;
    struct ustar_file f;
    const char *why = NULL;
    uint8_t *h;

    add_file("a", 0644, "A");
    h = add_file("b", 0644, "B");
    add_end();
    h[0] ^= 1;
    ustar_open(&r, archive, archive_len);
    assert_int_equal(ustar_next(&r, &f, &why), 1);
    assert_int_equal(ustar_next(&r, &f, &why), -EINVAL);
    why = NULL;
    assert_int_equal(ustar_next(&r, &f, &why), -EINVAL);
    assert_string_equal(why, "a bad header checksum");
    assert_int_equal(ustar_next(&r, &f, NULL), -EINVAL); /* why may be NULL */
}

/* ---------------------------------------------------------------- ustar_find */

static void build_find_archive(void)
{
    add_file("README", 0644, "read me");
    add_header("bin/", '5', 0755, 0);
    add_file("bin/hello", 0755, "hello");
    add_header("sh", '5', 0755, 0); /* a directory of the name looked for below */
    add_file("hello", 0755, "first");
    add_file("hello", 0755, "second");
    add_end();
}

static void test_find_hits(void **state)
{
    (void)state;
    struct ustar_file f;
    const char *why = NULL;

    build_find_archive();
    assert_int_equal(ustar_find(archive, archive_len, "README", &f, &why), 0);
    assert_memory_equal(f.data, "read me", 7);
    assert_int_equal(ustar_find(archive, archive_len, "/README", &f, &why), 0);
    assert_string_equal(f.name, "README");
    assert_int_equal(ustar_find(archive, archive_len, "bin/hello", &f, &why), 0);
    assert_int_equal(f.mode, 0755);
    assert_int_equal(ustar_find(archive, archive_len, "hello", &f, &why), 0);
    assert_int_equal(f.size, 5);
    assert_memory_equal(f.data, "first", 5); /* the first of two entries of one name */
    assert_null(why);
}

static void test_find_misses(void **state)
{
    (void)state;
    struct ustar_file f;
    const char *why = NULL;

    build_find_archive();
    assert_int_equal(ustar_find(archive, archive_len, "nothing", &f, &why), -ENOENT);
    assert_int_equal(ustar_find(archive, archive_len, "READM", &f, &why), -ENOENT);
    assert_int_equal(ustar_find(archive, archive_len, "README2", &f, &why), -ENOENT);
    assert_int_equal(ustar_find(archive, archive_len, "readme", &f, &why), -ENOENT);
    assert_int_equal(ustar_find(archive, archive_len, "bin", &f, &why), -ENOENT); /* a folder */
    assert_int_equal(ustar_find(archive, archive_len, "sh", &f, &why), -ENOENT);
    assert_int_equal(ustar_find(archive, archive_len, "", &f, &why), -ENOENT);
    assert_int_equal(ustar_find(archive, 0, "README", &f, &why), -ENOENT);
    assert_null(why);
}

static void test_find_in_damaged_archive(void **state)
{
    (void)state;
    struct ustar_file f;
    const char *why = NULL;
    uint8_t *h;

    add_file("before", 0644, "b");
    h = add_file("broken", 0644, "x");
    add_file("after", 0644, "a");
    add_end();
    h[F_CHKSUM] = 'z';
    assert_int_equal(ustar_find(archive, archive_len, "before", &f, &why), 0);
    assert_int_equal(ustar_find(archive, archive_len, "after", &f, &why), -EINVAL);
    assert_string_equal(why, "a bad octal number in the chksum field");
    assert_int_equal(ustar_find(archive, archive_len, "missing", &f, NULL), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_tar_ustar),
        cmocka_unit_test(test_host_tar_dot_names),
        cmocka_unit_test(test_host_tar_gnu),
        cmocka_unit_test_setup(test_entries_in_order, setup),
        cmocka_unit_test_setup(test_empty_archives, setup),
        cmocka_unit_test_setup(test_clean_end_of_data, setup),
        cmocka_unit_test_setup(test_end_is_sticky, setup),
        cmocka_unit_test_setup(test_name_of_100_characters, setup),
        cmocka_unit_test_setup(test_name_with_prefix, setup),
        cmocka_unit_test_setup(test_longest_names, setup),
        cmocka_unit_test_setup(test_leading_dot_slash_removed, setup),
        cmocka_unit_test_setup(test_entries_without_data, setup),
        cmocka_unit_test_setup(test_mode_and_old_type, setup),
        cmocka_unit_test_setup(test_octal_forms, setup),
        cmocka_unit_test_setup(test_checksum_forms, setup),
        cmocka_unit_test_setup(test_gnu_magic_has_no_prefix, setup),
        cmocka_unit_test_setup(test_posix_magic_any_version, setup),
        cmocka_unit_test_setup(test_truncated_header, setup),
        cmocka_unit_test_setup(test_truncated_data, setup),
        cmocka_unit_test_setup(test_huge_size, setup),
        cmocka_unit_test_setup(test_bad_checksum, setup),
        cmocka_unit_test_setup(test_checksum_counts_bytes_unsigned, setup),
        cmocka_unit_test_setup(test_no_magic, setup),
        cmocka_unit_test_setup(test_garbage_block, setup),
        cmocka_unit_test_setup(test_bad_octal_numbers, setup),
        cmocka_unit_test_setup(test_entry_without_name, setup),
        cmocka_unit_test_setup(test_lone_zero_block, setup),
        cmocka_unit_test_setup(test_error_is_sticky, setup),
        cmocka_unit_test_setup(test_find_hits, setup),
        cmocka_unit_test_setup(test_find_misses, setup),
        cmocka_unit_test_setup(test_find_in_damaged_archive, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
