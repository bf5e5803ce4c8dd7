/*
 * boot_cfg.h - the UEFI loader's configuration file, \KEEL\BOOT.CFG.
 *
 * Text, one `key value` per line; blank lines and lines whose first
 * non-blank character is `#` are ignored; a line may end in CR LF.
 *   kernel  \KEEL\KERNEL.ELF          the kernel (exactly once)
 *   cmdline <text>                    its command line (at most once; may be empty)
 *   module  \KEEL\INITRD.TAR [text]   a module and its command line (repeatable)
 * Paths are absolute on the loader's own partition: they start with `\`.
 * Every file named must exist. Anything else (an unknown key, a missing
 * value, a line or path too long) is an error naming its line.
 * Pure: parses a buffer, runs unchanged in host tests.
 */
#ifndef KEEL_BOOT_UEFI_BOOT_CFG_H
#define KEEL_BOOT_UEFI_BOOT_CFG_H

#include <stddef.h>

#define BOOT_CFG_PATH_MAX    128 /* bytes with the NUL */
#define BOOT_CFG_CMDLINE_MAX 256 /* bytes with the NUL */
#define BOOT_CFG_MAX_MODULES 8

struct boot_cfg_module {
    char path[BOOT_CFG_PATH_MAX];
    char cmdline[BOOT_CFG_CMDLINE_MAX];
};

struct boot_cfg {
    char kernel[BOOT_CFG_PATH_MAX];
    char cmdline[BOOT_CFG_CMDLINE_MAX];
    size_t module_count;
    struct boot_cfg_module modules[BOOT_CFG_MAX_MODULES];
};

enum boot_cfg_error {
    BOOT_CFG_OK = 0,
    BOOT_CFG_UNKNOWN_KEY,
    BOOT_CFG_MISSING_VALUE, /* kernel or module without a path */
    BOOT_CFG_BAD_PATH,      /* not starting with a backslash, or with blanks in it */
    BOOT_CFG_TOO_LONG,      /* a path or command line beyond its buffer */
    BOOT_CFG_DUPLICATE,     /* a second kernel or cmdline line */
    BOOT_CFG_TOO_MANY_MODULES,
    BOOT_CFG_BAD_CHARACTER, /* a control character or NUL */
    BOOT_CFG_NO_KERNEL,     /* no kernel line at all (line 0) */
};

/* Parse text[0..len) into *out. On error *line is the 1-based line at fault
 * (0 for BOOT_CFG_NO_KERNEL) and *out is meaningless. */
enum boot_cfg_error boot_cfg_parse(const char *text, size_t len, struct boot_cfg *out,
                                   unsigned *line);
const char *boot_cfg_error_text(enum boot_cfg_error err);

#endif
