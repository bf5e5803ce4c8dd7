/*
 * test_boot_cfg.c - host tests for boot/uefi/boot_cfg.c, the parser of the
 * UEFI loader's BOOT.CFG (format in boot/uefi/boot_cfg.h), including the
 * file the repository ships (boot/uefi/boot.cfg).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <boot/uefi/boot_cfg.h>

static struct boot_cfg cfg;
static unsigned line;

static enum boot_cfg_error parse(const char *text)
{
    return boot_cfg_parse(text, strlen(text), &cfg, &line);
}

static void test_shipped_file(void **state)
{
    (void)state;
    char text[4096];
    FILE *f = fopen("boot/uefi/boot.cfg", "rb");
    assert_non_null(f);
    size_t len = fread(text, 1, sizeof(text), f);
    fclose(f);
    assert_int_equal(boot_cfg_parse(text, len, &cfg, &line), BOOT_CFG_OK);
    assert_string_equal(cfg.kernel, "\\KEEL\\KERNEL.ELF");
    assert_string_equal(cfg.cmdline, "");
    assert_int_equal(cfg.module_count, 1); /* the ramdisk, as the Makefile puts it on the ESP */
    assert_string_equal(cfg.modules[0].path, "\\KEEL\\INITRD.TAR");
    assert_string_equal(cfg.modules[0].cmdline, "initrd");
}

static void test_all_keys(void **state)
{
    (void)state;
    assert_int_equal(parse("# a comment\r\n"
                           "\n"
                           "  kernel   \\KEEL\\K.ELF  \r\n"
                           "cmdline  quiet  log=serial # not a comment here\n"
                           "\t# indented comment\n"
                           "module \\KEEL\\INITRD.TAR root=ram\n"
                           "module \\KEEL\\FONT.PSF"),
                     BOOT_CFG_OK);
    assert_string_equal(cfg.kernel, "\\KEEL\\K.ELF");
    assert_string_equal(cfg.cmdline, "quiet  log=serial # not a comment here");
    assert_int_equal(cfg.module_count, 2);
    assert_string_equal(cfg.modules[0].path, "\\KEEL\\INITRD.TAR");
    assert_string_equal(cfg.modules[0].cmdline, "root=ram");
    assert_string_equal(cfg.modules[1].path, "\\KEEL\\FONT.PSF");
    assert_string_equal(cfg.modules[1].cmdline, "");
}

static void expect_error(const char *text, enum boot_cfg_error err, unsigned at_line)
{
    assert_int_equal(parse(text), err);
    assert_int_equal(line, at_line);
}

static void test_errors_name_their_line(void **state)
{
    (void)state;
    expect_error("kernel \\K\nkernal \\K\n", BOOT_CFG_UNKNOWN_KEY, 2);
    expect_error("kernel\n", BOOT_CFG_MISSING_VALUE, 1);
    expect_error("kernel \\K\nmodule\n", BOOT_CFG_MISSING_VALUE, 2);
    expect_error("kernel KEEL\\K.ELF\n", BOOT_CFG_BAD_PATH, 1);
    expect_error("kernel \\K\nkernel \\L\n", BOOT_CFG_DUPLICATE, 2);
    expect_error("kernel \\K\ncmdline a\ncmdline b\n", BOOT_CFG_DUPLICATE, 3);
    expect_error("kernel \\K\x01\n", BOOT_CFG_BAD_CHARACTER, 1);
    expect_error("# only\ncmdline x\n", BOOT_CFG_NO_KERNEL, 0);
    expect_error("", BOOT_CFG_NO_KERNEL, 0);
}

static void test_nul_byte_refused(void **state)
{
    (void)state;
    static const char text[] = "kernel \\K\0X\n";
    assert_int_equal(boot_cfg_parse(text, sizeof(text) - 1, &cfg, &line), BOOT_CFG_BAD_CHARACTER);
}

static void test_limits(void **state)
{
    (void)state;
    char text[1024];
    char path[BOOT_CFG_PATH_MAX + 1];
    memset(path, 'A', sizeof(path));
    path[0] = '\\';
    /* The longest path that fits, then one byte more. */
    snprintf(text, sizeof(text), "kernel %.*s\n", BOOT_CFG_PATH_MAX - 1, path);
    assert_int_equal(parse(text), BOOT_CFG_OK);
    assert_int_equal(strlen(cfg.kernel), BOOT_CFG_PATH_MAX - 1);
    snprintf(text, sizeof(text), "kernel %.*s\n", BOOT_CFG_PATH_MAX, path);
    expect_error(text, BOOT_CFG_TOO_LONG, 1);

    size_t len = (size_t)snprintf(text, sizeof(text), "kernel \\K\n");
    for (int i = 0; i <= BOOT_CFG_MAX_MODULES; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "module \\M%d\n", i);
    expect_error(text, BOOT_CFG_TOO_MANY_MODULES, BOOT_CFG_MAX_MODULES + 2);
}

static void test_error_texts(void **state)
{
    (void)state;
    for (int e = BOOT_CFG_OK; e <= BOOT_CFG_NO_KERNEL; e++)
        assert_string_not_equal(boot_cfg_error_text((enum boot_cfg_error)e), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_file),
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_errors_name_their_line),
        cmocka_unit_test(test_nul_byte_refused),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_error_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
