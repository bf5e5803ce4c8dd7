/*
 * boot_cfg.c - parse the UEFI loader's BOOT.CFG (format: boot_cfg.h).
 *
 * Line by line, without copying the text: each line is cut into a key (up
 * to the first blank) and the rest with leading and trailing blanks
 * removed; the key decides what the rest must look like.
 */
#include <boot/uefi/boot_cfg.h>

#include <stdbool.h>

#define TAB '\t'

/* A piece of the text: not NUL-terminated. */
struct span {
    const char *start;
    size_t len;
};

static bool blank(char c)
{
    return c == ' ' || c == TAB;
}

static struct span trim(struct span s)
{
    while (s.len && blank(s.start[0])) {
        s.start++;
        s.len--;
    }
    while (s.len && (blank(s.start[s.len - 1]) || s.start[s.len - 1] == '\r'))
        s.len--;
    return s;
}

/* Split s at its first blank: *key before it, *rest after (trimmed). */
static void split(struct span s, struct span *key, struct span *rest)
{
    size_t i = 0;

    while (i < s.len && !blank(s.start[i]))
        i++;
    *key = (struct span){s.start, i};
    *rest = trim((struct span){s.start + i, s.len - i});
}

static bool equals(struct span s, const char *word)
{
    size_t i = 0;

    for (; i < s.len; i++)
        if (word[i] != s.start[i])
            return false;
    return word[i] == '\0';
}

static enum boot_cfg_error copy(char *dest, size_t size, struct span s)
{
    if (s.len >= size)
        return BOOT_CFG_TOO_LONG;
    for (size_t i = 0; i < s.len; i++)
        dest[i] = s.start[i];
    dest[s.len] = '\0';
    return BOOT_CFG_OK;
}

static enum boot_cfg_error copy_path(char *dest, struct span s)
{
    if (s.len == 0)
        return BOOT_CFG_MISSING_VALUE;
    if (s.start[0] != '\\')
        return BOOT_CFG_BAD_PATH;
    for (size_t i = 0; i < s.len; i++)
        if (blank(s.start[i]))
            return BOOT_CFG_BAD_PATH;
    return copy(dest, BOOT_CFG_PATH_MAX, s);
}

static enum boot_cfg_error add_module(struct boot_cfg *cfg, struct span value)
{
    struct span path, cmdline;
    enum boot_cfg_error err;

    if (cfg->module_count == BOOT_CFG_MAX_MODULES)
        return BOOT_CFG_TOO_MANY_MODULES;
    split(value, &path, &cmdline);
    struct boot_cfg_module *m = &cfg->modules[cfg->module_count];
    err = copy_path(m->path, path);
    if (err == BOOT_CFG_OK)
        err = copy(m->cmdline, BOOT_CFG_CMDLINE_MAX, cmdline);
    if (err == BOOT_CFG_OK)
        cfg->module_count++;
    return err;
}

/* One line, without its '\n'; seen_* keep track of the once-only keys. */
static enum boot_cfg_error parse_line(struct span line, struct boot_cfg *cfg, bool *seen_kernel,
                                      bool *seen_cmdline)
{
    struct span key, value;

    for (size_t i = 0; i < line.len; i++)
        if ((unsigned char)line.start[i] < ' ' && line.start[i] != TAB && line.start[i] != '\r')
            return BOOT_CFG_BAD_CHARACTER;
    line = trim(line);
    if (line.len == 0 || line.start[0] == '#')
        return BOOT_CFG_OK;
    split(line, &key, &value);
    if (equals(key, "kernel")) {
        if (*seen_kernel)
            return BOOT_CFG_DUPLICATE;
        *seen_kernel = true;
        return copy_path(cfg->kernel, value);
    }
    if (equals(key, "cmdline")) {
        if (*seen_cmdline)
            return BOOT_CFG_DUPLICATE;
        *seen_cmdline = true;
        return copy(cfg->cmdline, BOOT_CFG_CMDLINE_MAX, value);
    }
    if (equals(key, "module"))
        return add_module(cfg, value);
    return BOOT_CFG_UNKNOWN_KEY;
}

enum boot_cfg_error boot_cfg_parse(const char *text, size_t len, struct boot_cfg *out,
                                   unsigned *line)
{
    bool seen_kernel = false, seen_cmdline = false;
    size_t start = 0;

    *out = (struct boot_cfg){.module_count = 0};
    *line = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && text[end] != '\n')
            end++;
        (*line)++;
        enum boot_cfg_error err =
            parse_line((struct span){text + start, end - start}, out, &seen_kernel, &seen_cmdline);
        if (err != BOOT_CFG_OK)
            return err;
        start = end + 1;
    }
    *line = 0;
    return seen_kernel ? BOOT_CFG_OK : BOOT_CFG_NO_KERNEL;
}

const char *boot_cfg_error_text(enum boot_cfg_error err)
{
    switch (err) {
    case BOOT_CFG_OK:
        return "ok";
    case BOOT_CFG_UNKNOWN_KEY:
        return "unknown key (known: kernel, cmdline, module)";
    case BOOT_CFG_MISSING_VALUE:
        return "a path is missing";
    case BOOT_CFG_BAD_PATH:
        return "a path must start with \\ and hold no blanks";
    case BOOT_CFG_TOO_LONG:
        return "path or command line too long";
    case BOOT_CFG_DUPLICATE:
        return "kernel and cmdline may appear only once";
    case BOOT_CFG_TOO_MANY_MODULES:
        return "too many modules";
    case BOOT_CFG_BAD_CHARACTER:
        return "control character in the file";
    case BOOT_CFG_NO_KERNEL:
        return "no kernel line";
    }
    return "unknown error";
}
