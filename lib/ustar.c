/*
 * ustar.c - a ustar archive reader (see ustar.h).
 *
 * Header block layout (POSIX.1-2017, pax, "ustar Interchange Format"),
 * offsets in bytes:
 *   name 0 [100]   mode 100 [8]   uid 108 [8]   gid 116 [8]   size 124 [12]
 *   mtime 136 [12] chksum 148 [8] typeflag 156  linkname 157 [100]
 *   magic 257 [6]  version 263 [2] uname 265 [32] gname 297 [32]
 *   devmajor 329 [8] devminor 337 [8] prefix 345 [155]
 * name and prefix are NUL-terminated unless they fill their field. Numbers
 * are octal digits ended by a NUL or a space (size and mtime may fill their
 * field with digits and have no terminator). The checksum is the sum of the
 * header's 512 bytes as unsigned values, with the chksum field counted as 8
 * spaces. Only name, mode, size, chksum, typeflag, magic and prefix matter
 * here; uid, gid, mtime, owner names and device numbers are not read.
 */
#include <lib/errno.h>
#include <lib/string.h>
#include <lib/ustar.h>

#include <stdbool.h>

#define HDR_NAME       0
#define HDR_NAME_LEN   100
#define HDR_MODE       100
#define HDR_MODE_LEN   8
#define HDR_SIZE       124
#define HDR_SIZE_LEN   12
#define HDR_CHKSUM     148
#define HDR_CHKSUM_LEN 8
#define HDR_TYPEFLAG   156
#define HDR_MAGIC      257 /* "ustar" and then '\0' (POSIX) or ' ' (GNU) */
#define HDR_VERSION    263
#define HDR_PREFIX     345
#define HDR_PREFIX_LEN 155

#define MODE_PERMISSIONS 07777 /* set-user-ID, set-group-ID, sticky and rwx bits */

/* The name before the prefix and "./" are dealt with: prefix, '/', name, NUL. */
#define RAW_NAME_MAX (HDR_PREFIX_LEN + 1 + HDR_NAME_LEN + 1)

static int damaged(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -EINVAL;
}

/* Parse the octal number in field[0..len): optional leading spaces, at least
 * one digit, then a NUL or space (or the end of the field). False if the
 * field holds anything else, such as GNU's base-256 form for huge numbers. */
static bool parse_octal(const uint8_t *field, size_t len, uint64_t *value)
{
    size_t i = 0;
    size_t digits = 0;

    *value = 0;
    while (i < len && field[i] == ' ')
        i++;
    for (; i < len && field[i] >= '0' && field[i] <= '7'; i++, digits++)
        *value = *value << 3 | (uint64_t)(field[i] - '0'); /* 12 digits: 36 bits at most */
    if (digits == 0)
        return false;
    return i == len || field[i] == '\0' || field[i] == ' ';
}

static bool block_is_zero(const uint8_t *block)
{
    for (size_t i = 0; i < USTAR_BLOCK_SIZE; i++)
        if (block[i] != 0)
            return false;
    return true;
}

/* The header's checksum, the chksum field counted as spaces. */
static uint64_t header_checksum(const uint8_t *header)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < USTAR_BLOCK_SIZE; i++)
        sum += (i >= HDR_CHKSUM && i < HDR_CHKSUM + HDR_CHKSUM_LEN) ? ' ' : header[i];
    return sum;
}

/* 1 for the POSIX magic, 2 for GNU's, 0 for neither. */
static int header_magic(const uint8_t *header)
{
    const uint8_t *magic = header + HDR_MAGIC;

    if (memcmp(magic, "ustar", 5) != 0)
        return 0;
    if (magic[5] == '\0')
        return 1;
    if (magic[5] == ' ' && header[HDR_VERSION] == ' ' && header[HDR_VERSION + 1] == '\0')
        return 2;
    return 0;
}

/* Whether entries of this type have data blocks after the header (POSIX:
 * none for links, devices, directories and FIFOs). */
static bool type_has_data(char type)
{
    return !(type >= '1' && type <= '6');
}

/* Build f->name from the name and (POSIX only) prefix fields. */
static int read_name(const uint8_t *header, bool use_prefix, struct ustar_file *f, const char **why)
{
    char raw[RAW_NAME_MAX];
    size_t name_len = strnlen((const char *)header + HDR_NAME, HDR_NAME_LEN);
    size_t prefix_len = use_prefix ? strnlen((const char *)header + HDR_PREFIX, HDR_PREFIX_LEN) : 0;
    size_t len = 0;
    const char *path = raw;

    if (name_len == 0)
        return damaged(why, "an entry without a name");
    if (prefix_len > 0) {
        memcpy(raw, header + HDR_PREFIX, prefix_len);
        raw[prefix_len] = '/';
        len = prefix_len + 1;
    }
    memcpy(raw + len, header + HDR_NAME, name_len);
    len += name_len;
    if (len >= 2 && raw[0] == '.' && raw[1] == '/') {
        path += 2;
        len -= 2;
    }
    if (f->type == USTAR_TYPE_DIRECTORY && len > 0 && path[len - 1] == '/')
        len--;
    if (len >= KEEL_PATH_MAX)
        return damaged(why, "a name longer than KEEL_PATH_MAX allows");
    memcpy(f->name, path, len);
    f->name[len] = '\0';
    return 0;
}

/* Check the header at r->offset (a whole block is there) and fill *f. */
static int read_header(const struct ustar_reader *r, struct ustar_file *f, const char **why)
{
    const uint8_t *header = r->archive + r->offset;
    size_t data_room = r->size - r->offset - USTAR_BLOCK_SIZE;
    uint64_t checksum, mode, size;
    int magic = header_magic(header);

    if (magic == 0)
        return damaged(why, "a header without the \"ustar\" magic");
    if (!parse_octal(header + HDR_CHKSUM, HDR_CHKSUM_LEN, &checksum))
        return damaged(why, "a bad octal number in the chksum field");
    if (checksum != header_checksum(header))
        return damaged(why, "a bad header checksum");
    if (!parse_octal(header + HDR_MODE, HDR_MODE_LEN, &mode))
        return damaged(why, "a bad octal number in the mode field");
    if (!parse_octal(header + HDR_SIZE, HDR_SIZE_LEN, &size))
        return damaged(why, "a bad octal number in the size field");
    f->type = (char)header[HDR_TYPEFLAG];
    f->mode = (uint32_t)(mode & MODE_PERMISSIONS);
    f->size = type_has_data(f->type) ? size : 0;
    f->data = header + USTAR_BLOCK_SIZE;
    if (f->size > data_room)
        return damaged(why, "file data running past the end of the archive");
    return read_name(header, magic == 1, f, why);
}

/* At a zero block: the end if another zero block or the end of data follows. */
static int read_zero_block(struct ustar_reader *r, const char **why)
{
    size_t next = r->offset + USTAR_BLOCK_SIZE;

    if (next != r->size && (r->size - next < USTAR_BLOCK_SIZE || !block_is_zero(r->archive + next)))
        return damaged(why, "a lone zero block inside the archive");
    r->offset = r->size;
    return 0;
}

void ustar_open(struct ustar_reader *r, const void *archive, size_t size)
{
    r->archive = archive;
    r->size = size;
    r->offset = 0;
}

int ustar_next(struct ustar_reader *r, struct ustar_file *f, const char **why)
{
    size_t blocks_size;
    int err;

    if (r->offset == r->size)
        return 0;
    if (r->size - r->offset < USTAR_BLOCK_SIZE)
        return damaged(why, "a truncated header");
    if (block_is_zero(r->archive + r->offset))
        return read_zero_block(r, why);
    err = read_header(r, f, why);
    if (err < 0)
        return err;
    /* Data padded to whole blocks; the padding of the last entry may be
     * missing when the data ends right after it. */
    blocks_size = (size_t)(f->size + USTAR_BLOCK_SIZE - 1) / USTAR_BLOCK_SIZE * USTAR_BLOCK_SIZE;
    if (blocks_size > r->size - r->offset - USTAR_BLOCK_SIZE)
        r->offset = r->size;
    else
        r->offset += USTAR_BLOCK_SIZE + blocks_size;
    return 1;
}

int ustar_find(const void *archive, size_t size, const char *name, struct ustar_file *f,
               const char **why)
{
    struct ustar_reader r;
    int found;

    while (*name == '/')
        name++;
    ustar_open(&r, archive, size);
    while ((found = ustar_next(&r, f, why)) > 0)
        if ((f->type == USTAR_TYPE_REGULAR || f->type == USTAR_TYPE_REGULAR_OLD) &&
            strcmp(f->name, name) == 0)
            return 0;
    return found < 0 ? found : -ENOENT;
}
