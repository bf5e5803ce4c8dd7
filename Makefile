# Keel - build, run, test and debug the kernel.
#
#   make              build/kernel.elf, build/keel.iso, build/keel.img, the UEFI loader
#                     (build/uefi/BOOTX64.EFI), the test kernel and the ramdisk (build/initrd.tar)
#   make run          boot build/keel.img (Keel's own BIOS loader) in QEMU
#                     (a window, or the terminal without a display)
#   make run-nox      the same without any display: the serial console in this terminal
#   make run-uefi     boot build/keel.img under UEFI firmware (OVMF), from its EFI System Partition
#   make run-iso      boot the GRUB ISO (Multiboot 2)
#   make run-kernel   boot build/kernel.elf with QEMU's -kernel (Multiboot 1), the ramdisk as -initrd
#   make bench        boot-to-ready times, idle CPU use, heap throughput and efficiency,
#                     instruction counts, the speed-up of a second CPU and cross-CPU costs
#   make test         style checks, host unit tests, fuzzing, in-kernel tests and boot tests;
#                     last line "N passed, N failed"
#   make style-check  only the style checks: clang-format, paths named in comments, layering
#   make format       clang-format every C file and header in place
#   make fuzz         every libFuzzer target for FUZZ_SECONDS (default 60)
#   make debug        QEMU halted with its GDB stub, and gdb with the kernel's symbols
#   make screenshot   docs/screenshot.png and docs/screenshot-uefi.png: the screen after a BIOS and a UEFI
#                     boot, with `help` typed at the prompt
#   make hooks        use tools/git-hooks (a commit of more than a few lines needs a body)
#   make compile_commands.json   the compiler's flags for every source file, for clangd
#   make CC=clang     the same with clang
#   make clean        remove the build directory
#
# `make run`, `make run-nox`, `make run-uefi`, `make test`, `make style-check`, `make debug`,
# `make bench` and `make screenshot` first install what is missing (tools/deps.sh, through apt-get).

BUILD ?= build
ifeq ($(origin CC),default)
CC := gcc
endif
LD ?= ld
PYTHON ?= python3
QEMU ?= qemu-system-x86_64

# Quiet by default ("CC  kernel/main.c"); `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-5s %s\n' $(1) $(2)
endif

IS_CLANG := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),1,)

# ---------------------------------------------------------------- kernel flags
# Each flag and why the kernel needs it:
KERNEL_CFLAGS := -std=gnu11 -O2 -g
KERNEL_CFLAGS += -ffreestanding                # no hosted libc: only the compiler's own headers
KERNEL_CFLAGS += -fno-pic -fno-pie             # fixed addresses; there is no dynamic loader
KERNEL_CFLAGS += -mcmodel=kernel               # linked in the top 2 GiB: sign-extended 32-bit addresses
KERNEL_CFLAGS += -mno-red-zone                 # interrupts push onto the stack below RSP without warning
KERNEL_CFLAGS += -mgeneral-regs-only           # no SSE/MMX/x87: their state is never saved by the kernel
KERNEL_CFLAGS += -fno-omit-frame-pointer       # RBP chains, walked for backtraces
KERNEL_CFLAGS += -fno-stack-protector          # no __stack_chk_guard support code
KERNEL_CFLAGS += -fno-asynchronous-unwind-tables -fno-unwind-tables # no .eh_frame to carry
KERNEL_CFLAGS += -Wall -Wextra -Werror         # warning-free under gcc and clang
KERNEL_CFLAGS += -I.                           # headers by their path from the top: <mm/paging.h>
KERNEL_CFLAGS += -Iinclude                     # the system-call ABI shared with user/: <keel/syscall.h>
ifeq ($(IS_CLANG),1)
KERNEL_CFLAGS += --target=x86_64-unknown-elf   # a bare ELF target, not the host's Linux ABI
FREESTANDING_INCLUDES := -nostdlibinc          # only the compiler's own headers (stdint.h, ...)
else
KERNEL_CFLAGS += -fno-tree-loop-distribute-patterns # never turn memset's own loop into a memset call
FREESTANDING_INCLUDES := -nostdinc -isystem $(shell $(CC) -print-file-name=include)
endif
KERNEL_CFLAGS += $(FREESTANDING_INCLUDES)      # never the host's libc headers
KERNEL_CFLAGS := $(strip $(KERNEL_CFLAGS))
KERNEL_ASFLAGS := $(filter-out -std=gnu11,$(KERNEL_CFLAGS)) -D__ASSEMBLER__
# -nostdlib: nothing but our objects; max-page-size: file offsets follow the 4 KiB section
# alignment, so the image is contiguous for the Multiboot 1 loader; noexecstack: no
# executable-stack marker is needed, the kernel sets its own page permissions.
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Every folder that holds kernel code; boot/bios/ is the loader, not the kernel.
KERNEL_DIRS := boot boot/multiboot arch/x86_64 kernel kernel/sched kernel/shell kernel/proc drivers/ps2 drivers/serial \
               drivers/vga drivers/fb drivers/acpi drivers/rtc mm mm/heap apps/ttt apps/demos lib
# The framebuffer console's font: a console-setup font (Debian's console-setup-linux, public
# domain), 8x16, turned into a C array in code page 437 order by tools/mkfont.py, which fails
# naming any glyph the console needs and the font lacks. `make -s print-font` prints the path.
FONT := /usr/share/consolefonts/Uni2-VGA16.psf.gz
export FONT # tools/deps.sh checks it is installed
FONT_SOURCE := $(BUILD)/gen/console_font.c
KERNEL_SOURCES := $(wildcard $(foreach d,$(KERNEL_DIRS),$(d)/*.c $(d)/*.S)) $(FONT_SOURCE)
# The test runner only goes into the test kernel; CRC-32 is for the loader and mkimage.
KERNEL_SOURCES := $(filter-out kernel/ktest.c lib/crc32.c,$(KERNEL_SOURCES))
# Of boot/uefi/ (the UEFI loader), the kernel takes only the EFI memory map reader.
KERNEL_SOURCES += boot/uefi/efi_memmap.c
KTEST_SOURCES := $(KERNEL_SOURCES) kernel/ktest.c $(wildcard tests/kernel/*.c)

obj = $(patsubst %,$(BUILD)/$(1)/%.o,$(2))
KERNEL_OBJECTS := $(call obj,kernel,$(KERNEL_SOURCES))
KTEST_OBJECTS := $(call obj,ktest,$(KTEST_SOURCES))

# ---------------------------------------------------------------- BIOS loader
# Stage 1 and stage 2 run before long mode: 32-bit (and 16-bit) code, no paging.
LOADER_CFLAGS := -std=gnu11 -Os -g -ffreestanding -fno-pic -fno-pie -mgeneral-regs-only \
                 -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables \
                 -Wall -Wextra -Werror -I. -Iinclude $(FREESTANDING_INCLUDES)
ifeq ($(IS_CLANG),1)
LOADER_CFLAGS += --target=i686-unknown-elf -march=i686
else
LOADER_CFLAGS += -m32 -march=i686 -fno-tree-loop-distribute-patterns
endif
LOADER_ASFLAGS := $(filter-out -std=gnu11,$(LOADER_CFLAGS)) -D__ASSEMBLER__
# Stage 2 is one flat read-write-execute block by design (paging is off, and the BIOS thunk
# patches its own `int` instruction), so ld's RWX segment warning does not apply.
LOADER_LDFLAGS := -m elf_i386 -nostdlib -static -z noexecstack --no-warn-rwx-segments
# Stage 2 shares the kernel's formatter, string functions, VGA writer and UART driver, and
# with the UEFI loader the ELF checks and the Multiboot 2 block builder (boot/loader/).
STAGE2_SOURCES := boot/bios/stage2_entry.S $(wildcard boot/bios/*.c) $(wildcard boot/loader/*.c) \
                  lib/string.c lib/format.c \
                  lib/crc32.c drivers/vga/vga.c drivers/vga/cursor.c drivers/serial/serial.c
STAGE2_OBJECTS := $(call obj,bios,$(STAGE2_SOURCES))

# ---------------------------------------------------------------- UEFI loader
# build/uefi/BOOTX64.EFI is a PE32+ EFI application. It is always built with clang and lld,
# whatever CC is: clang's Windows target emits PE/COFF objects with the Microsoft x64 calling
# convention the firmware uses, and lld-link links them straight into a PE image with base
# relocations. gcc would need an ELF build turned into PE by objcopy, plus a self-relocating
# start-up (gnu-efi's crt0 and reloc code): more machinery to read, for nothing gained. The
# firmware's interface comes from Keel's own small header (boot/uefi/efi.h).
UEFI_CC ?= clang
LLD_LINK ?= lld-link
UEFI_CFLAGS := --target=x86_64-unknown-windows # PE/COFF objects, Microsoft x64 ABI (EFIAPI)
UEFI_CFLAGS += -std=gnu11 -O2 -ffreestanding -nostdlibinc -I. -Iinclude
UEFI_CFLAGS += -fshort-wchar                   # wchar_t is UCS-2, as the firmware's CHAR16
UEFI_CFLAGS += -mno-red-zone                   # firmware interrupts use our stack
UEFI_CFLAGS += -mgeneral-regs-only             # no SSE state of ours for the firmware to keep
UEFI_CFLAGS += -fno-stack-protector            # no __security_cookie support code
UEFI_CFLAGS += -mno-stack-arg-probe            # no __chkstk calls: there is no Windows runtime
UEFI_CFLAGS += -fno-asynchronous-unwind-tables -fno-unwind-tables # no .pdata/.xdata to carry
UEFI_CFLAGS += -Wall -Wextra -Werror
UEFI_ASFLAGS := $(filter-out -std=gnu11,$(UEFI_CFLAGS)) -D__ASSEMBLER__
# -entry: efi_main is called by the firmware; -nodefaultlib: nothing but our objects.
UEFI_LDFLAGS := -subsystem:efi_application -entry:efi_main -nodefaultlib
# The loader shares the ELF checks and Multiboot 2 builder with stage 2 (boot/loader/), the
# memory map normaliser with the kernel, and the formatter, strings and UART driver with both.
UEFI_SOURCES := $(wildcard boot/uefi/*.c boot/uefi/*.S) $(wildcard boot/loader/*.c) boot/memmap.c \
                lib/string.c lib/format.c drivers/serial/serial.c
UEFI_OBJECTS := $(call obj,uefi,$(UEFI_SOURCES))

# ---------------------------------------------------------------- ramdisk
# The ramdisk every loader hands over as a Multiboot module: QEMU's -initrd, GRUB's module2, the
# BIOS partition after the kernel (mkimage --initrd), /KEEL/INITRD.TAR on the ESP. It holds the
# user programs and a README (the user-space section below builds it).
INITRD := $(BUILD)/initrd.tar

# ---------------------------------------------------------------- host tests
HOST_CC ?= $(CC)
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. -Iinclude \
               -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all
ifneq ($(IS_CLANG),1)
HOST_CFLAGS += -Wno-format-truncation          # the format tests truncate on purpose
endif
# Host programs that are no tests (mkimage, the heap benchmark) are optimised and unsanitized.
TOOL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -Iinclude
# lib/string.c is tested beside libc's functions, so its names get a prefix.
STRING_RENAMES := $(foreach f,memcpy memmove memset memcmp strlen strnlen strcmp strncmp \
                    strchr strlcpy,-D$(f)=keel_$(f)) -fno-builtin

# The heap's files, for its host test, fuzz target and benchmark.
HEAP_SOURCES := $(wildcard mm/heap/*.c) mm/heap/heap_internal.h

HOST_TESTS := test_format test_string test_vga test_memmap test_boot_info test_bootimg \
              test_elf_load test_mbinfo test_symbols test_term_keys test_scancode test_ring \
              test_frames test_paging test_heap test_ttt test_cp437 test_line_edit test_args \
              test_acpi test_cpuinfo test_run_queue test_sleep_queue test_fb_console test_efi_memmap \
              test_fat_read test_image \
              test_mbinfo_uefi test_gop_select test_boot_cfg test_ansi test_ticket_lock
test_format_SOURCES := lib/format.c
test_string_SOURCES :=
test_string_OBJECTS := $(BUILD)/host/keel_string.o
test_vga_SOURCES := drivers/vga/vga.c
test_ansi_SOURCES := drivers/vga/ansi.c drivers/vga/ansi_screen.c drivers/vga/vga.c drivers/vga/cp437.c
test_memmap_SOURCES := boot/memmap.c
test_boot_info_SOURCES := boot/multiboot/multiboot.c boot/memmap.c boot/boot_info.c \
                          boot/uefi/efi_memmap.c
test_bootimg_SOURCES := boot/bios/bootimg.c lib/crc32.c tools/bootimg_verify.c
test_bootimg_OBJECTS := $(BUILD)/host/mkimage
test_elf_load_SOURCES := boot/loader/elf_load.c
test_elf_load_OBJECTS := $(BUILD)/kernel.elf
test_mbinfo_SOURCES := boot/loader/mbinfo.c boot/multiboot/multiboot.c boot/memmap.c boot/boot_info.c \
                       boot/uefi/efi_memmap.c
test_efi_memmap_SOURCES := boot/uefi/efi_memmap.c boot/memmap.c
test_fat_read_SOURCES := tools/fat_read.c
test_image_SOURCES := tools/image_verify.c tools/bootimg_verify.c tools/fat_read.c \
                      boot/bios/bootimg.c lib/crc32.c
test_image_OBJECTS := $(BUILD)/host/mkimage $(BUILD)/keel.img $(BUILD)/kernel.stripped.elf $(INITRD)
test_mbinfo_uefi_SOURCES := $(test_mbinfo_SOURCES)
test_gop_select_SOURCES := boot/uefi/gop_select.c
test_boot_cfg_SOURCES := boot/uefi/boot_cfg.c
test_symbols_SOURCES := lib/symbols.c lib/format.c
test_symbols_OBJECTS := $(BUILD)/kernel.elf tools/gensyms.py
test_term_keys_SOURCES := drivers/serial/term_keys.c
test_scancode_SOURCES := drivers/ps2/scancode.c drivers/ps2/keymap_us.c
test_ring_SOURCES := lib/ring.c
test_ticket_lock_SOURCES := lib/ticket_lock.h
test_frames_SOURCES := mm/frames.c lib/errno.c
test_paging_SOURCES := mm/paging.c lib/errno.c
test_ttt_SOURCES := apps/ttt/ttt.c
test_line_edit_SOURCES := kernel/shell/line_edit.c
test_args_SOURCES := kernel/shell/args.c
test_acpi_SOURCES := drivers/acpi/tables.c drivers/acpi/s5.c
# Which CPUs and interrupt controllers the machine has (the MADT).
HOST_TESTS += test_madt
test_madt_SOURCES := drivers/acpi/madt.c drivers/acpi/tables.c
test_cpuinfo_SOURCES := arch/x86_64/cpuinfo.c
test_cp437_SOURCES := drivers/vga/cp437.c
test_fb_console_SOURCES := drivers/fb/psf.c drivers/fb/fb_console.c drivers/vga/vga.c $(FONT_SOURCE)
test_heap_SOURCES := $(HEAP_SOURCES)
test_run_queue_SOURCES := kernel/sched/run_queue.c kernel/sched/run_queue.h
test_sleep_queue_SOURCES := kernel/sched/sleep_queue.c kernel/sched/sleep_queue.h
# User processes' pure parts: the ramdisk reader, the program checker, the user address range.
HOST_TESTS += test_ustar test_elf_user test_user_range
test_ustar_SOURCES := lib/ustar.c lib/ustar.h
test_elf_user_SOURCES := kernel/proc/elf_user.c kernel/proc/elf_user.h
test_user_range_SOURCES := mm/user_range.c mm/user_range.h
HOST_TEST_BINARIES := $(addprefix $(BUILD)/host/,$(HOST_TESTS))

# ---------------------------------------------------------------- fuzz targets
# libFuzzer targets (clang only): tests/fuzz/fuzz_NAME.c with the sources it needs.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. -Iinclude \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := fuzz_scancode fuzz_heap fuzz_line_edit fuzz_sched fuzz_ansi
fuzz_ansi_SOURCES := drivers/vga/ansi.c drivers/vga/ansi_screen.c drivers/vga/vga.c \
                     drivers/vga/cp437.c
fuzz_line_edit_SOURCES := kernel/shell/line_edit.c kernel/shell/args.c
fuzz_scancode_SOURCES := drivers/ps2/scancode.c drivers/ps2/keymap_us.c
fuzz_heap_SOURCES := $(HEAP_SOURCES)
fuzz_sched_SOURCES := kernel/sched/run_queue.c kernel/sched/sleep_queue.c kernel/sched/run_queue.h \
                      kernel/sched/sleep_queue.h
FUZZ_TARGETS += fuzz_ustar fuzz_elf_user
fuzz_ustar_SOURCES := lib/ustar.c lib/ustar.h
fuzz_elf_user_SOURCES := kernel/proc/elf_user.c kernel/proc/elf_user.h
FUZZ_BINARIES := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 60

# ---------------------------------------------------------------- compile_commands.json
# For clangd: every C and assembly file with the command its rule compiles it with
# (CDB_<group>_c for .c files, CDB_<group>_S for .S files). A file that is built twice (for the
# kernel and the loader, say) is listed once, with the command of the first group in CDB_GROUPS
# that builds it (cdb_group).
CDB_GROUPS := kernel ktest loader uefi host tool fuzz
CDB_kernel_FILES := $(KERNEL_SOURCES)
CDB_kernel_c := $(CC) $(KERNEL_CFLAGS)
CDB_kernel_S := $(CC) $(KERNEL_ASFLAGS)
CDB_ktest_FILES := $(KTEST_SOURCES)
CDB_ktest_c := $(CC) $(KERNEL_CFLAGS) -DKEEL_KTEST
CDB_loader_FILES := boot/bios/stage1.S $(STAGE2_SOURCES)
CDB_loader_c := $(CC) $(LOADER_CFLAGS)
CDB_loader_S := $(CC) $(LOADER_ASFLAGS)
CDB_uefi_FILES := $(UEFI_SOURCES)
CDB_uefi_c := $(UEFI_CC) $(UEFI_CFLAGS)
CDB_uefi_S := $(UEFI_CC) $(UEFI_ASFLAGS)
CDB_host_FILES := $(wildcard tests/host/*.c)
CDB_host_c := $(HOST_CC) $(HOST_CFLAGS)
CDB_tool_FILES := $(wildcard tools/*.c)
CDB_tool_c := $(HOST_CC) $(TOOL_CFLAGS)
CDB_fuzz_FILES := $(wildcard tests/fuzz/*.c)
CDB_fuzz_c := $(FUZZ_CC) $(FUZZ_CFLAGS)
CDB_FILES := $(sort $(foreach g,$(CDB_GROUPS),$(CDB_$(g)_FILES)))
cdb_group = $(firstword $(foreach g,$(CDB_GROUPS),$(if $(filter $(1),$(CDB_$(g)_FILES)),$(g))))
comma := ,
define newline


endef
# cdb_entry FILE: its JSON object, and a comma unless it is the last.
cdb_entry = $(newline)  {"directory": "$(CURDIR)", "file": "$(1)", "command": \
            "$(strip $(CDB_$(call cdb_group,$(1))_$(patsubst .%,%,$(suffix $(1))))) -c $(1)"}$(if \
            $(filter $(1),$(lastword $(CDB_FILES))),,$(comma))

# ---------------------------------------------------------------- targets
.PHONY: print-font all kernel iso img uefi host-tests fuzz-targets fuzz test style-check bench bench-heap \
        run run-nox run-uefi run-iso run-kernel debug screenshot hooks deps clean format compile_commands.json
all: kernel iso img uefi $(BUILD)/kernel-test.elf $(INITRD)

kernel: $(BUILD)/kernel.elf
uefi: $(BUILD)/uefi/BOOTX64.EFI
iso: $(BUILD)/keel.iso
img: $(BUILD)/keel.img
host-tests: $(HOST_TEST_BINARIES)
fuzz-targets: $(FUZZ_BINARIES)

$(FONT_SOURCE): $(FONT) tools/mkfont.py
	@mkdir -p $(dir $@)
	$(call quiet,FONT,$@)
	$(Q)$(PYTHON) tools/mkfont.py $(FONT) -o $@

print-font:
	@echo $(FONT)

# `make fuzz` runs every target for FUZZ_SECONDS; `make test` runs them briefly.
fuzz: fuzz-targets
	@for t in $(FUZZ_BINARIES); do echo "== $$t"; $$t -max_total_time=$(FUZZ_SECONDS) || exit 1; done

# Both kernels are linked twice, so backtraces can name functions. Pass 1 links an empty
# symbol table; tools/gensyms.py turns pass 1's functions into a table, which pass 2 links in.
# The table (.ksyms) ends .rodata, after all of .text, so no function moves between the passes;
# `gensyms.py --verify` checks that before pass 2's output becomes the kernel.
GENSYMS := $(PYTHON) tools/gensyms.py
NM ?= nm

# two_pass_link NAME,OBJECTS: $(BUILD)/NAME.elf from OBJECTS, with its own symbol table.
define two_pass_link
$$(BUILD)/$(1).pass1.elf: $(2) $$(BUILD)/empty.ksyms.o linker.ld
	$$(call quiet,LD,$$@)
	$$(Q)$$(LD) $$(KERNEL_LDFLAGS) -o $$@ $(2) $$(BUILD)/empty.ksyms.o

$$(BUILD)/$(1).elf: $$(BUILD)/$(1).pass1.elf $$(BUILD)/$(1).ksyms.o
	$$(call quiet,LD,$$@)
	$$(Q)$$(LD) $$(KERNEL_LDFLAGS) -o $$@.tmp $(2) $$(BUILD)/$(1).ksyms.o
	$$(Q)$$(GENSYMS) --nm $$(NM) --verify $$< $$@.tmp
	$$(Q)mv $$@.tmp $$@
endef
$(eval $(call two_pass_link,kernel,$$(KERNEL_OBJECTS)))
$(eval $(call two_pass_link,kernel-test,$$(KTEST_OBJECTS)))

$(BUILD)/empty.ksyms.S: tools/gensyms.py
	@mkdir -p $(dir $@)
	$(call quiet,GEN,$@)
	$(Q)$(GENSYMS) --empty -o $@

$(BUILD)/%.ksyms.S: $(BUILD)/%.pass1.elf tools/gensyms.py
	$(call quiet,GEN,$@)
	$(Q)$(GENSYMS) --nm $(NM) $< -o $@

# Kept after the build, to be read when a backtrace looks wrong.
.PRECIOUS: $(BUILD)/%.ksyms.S

$(BUILD)/%.ksyms.o: $(BUILD)/%.ksyms.S
	$(call quiet,AS,$<)
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# compile_rules DIR,CFLAGS,ASFLAGS,LABEL: objects under $(BUILD)/DIR/ from the .c and .S
# files of the same path, with dependency files (-MMD -MP) so header edits rebuild them.
define compile_rules
$$(BUILD)/$(1)/%.c.o: %.c
	@mkdir -p $$(dir $$@)
	$$(call quiet,CC$(4),$$<)
	$$(Q)$$(CC) $(2) -MMD -MP -c $$< -o $$@

$$(BUILD)/$(1)/%.S.o: %.S
	@mkdir -p $$(dir $$@)
	$$(call quiet,AS$(4),$$<)
	$$(Q)$$(CC) $(3) -MMD -MP -c $$< -o $$@
endef
$(eval $(call compile_rules,kernel,$$(KERNEL_CFLAGS),$$(KERNEL_ASFLAGS),))
$(eval $(call compile_rules,ktest,$$(KERNEL_CFLAGS) -DKEEL_KTEST,$$(KERNEL_ASFLAGS) -DKEEL_KTEST,))
$(eval $(call compile_rules,bios,$$(LOADER_CFLAGS),$$(LOADER_ASFLAGS),32))

# The UEFI loader's objects: the same pattern, with clang whatever CC is.
$(BUILD)/uefi/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,CCEFI,$<)
	$(Q)$(UEFI_CC) $(UEFI_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/uefi/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(call quiet,ASEFI,$<)
	$(Q)$(UEFI_CC) $(UEFI_ASFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/uefi/BOOTX64.EFI: $(UEFI_OBJECTS)
	$(call quiet,LINK,$@)
	$(Q)$(LLD_LINK) $(UEFI_LDFLAGS) -out:$@ $(UEFI_OBJECTS)

# A GRUB 2 BIOS ISO whose menu loads kernel.elf with multiboot2 and the ramdisk with module2.
$(BUILD)/keel.iso: $(BUILD)/kernel.elf $(INITRD) tools/grub/grub.cfg
	@rm -rf $(BUILD)/isodir && mkdir -p $(BUILD)/isodir/boot/grub
	$(call quiet,ISO,$@)
	$(Q)cp $(BUILD)/kernel.elf $(BUILD)/isodir/boot/kernel.elf
	$(Q)cp $(INITRD) $(BUILD)/isodir/boot/initrd.tar
	$(Q)cp tools/grub/grub.cfg $(BUILD)/isodir/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(BUILD)/isodir > $(BUILD)/grub-mkrescue.log 2>&1 \
	    || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

$(BUILD)/bios/stage1.bin: $(BUILD)/bios/boot/bios/stage1.S.o boot/bios/stage1.ld
	$(call quiet,LD,$@)
	$(Q)$(LD) $(LOADER_LDFLAGS) -T boot/bios/stage1.ld -o $(@:.bin=.elf) $<
	$(Q)objcopy -O binary $(@:.bin=.elf) $@

$(BUILD)/bios/stage2.bin: $(STAGE2_OBJECTS) boot/bios/stage2.ld
	$(call quiet,LD,$@)
	$(Q)$(LD) $(LOADER_LDFLAGS) -T boot/bios/stage2.ld -o $(@:.bin=.elf) $(STAGE2_OBJECTS)
	$(Q)objcopy -O binary $(@:.bin=.elf) $@

# The image tool is a host program: it runs at build time.
MKIMAGE_SOURCES := tools/mkimage.c tools/image_verify.c tools/bootimg_verify.c tools/fat_read.c \
                   boot/bios/bootimg.c lib/crc32.c
$(BUILD)/host/mkimage: $(MKIMAGE_SOURCES) tools/image_verify.h tools/bootimg_verify.h \
                       tools/fat_read.h tools/verify_common.h boot/bios/bootimg.h lib/crc32.h
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$@)
	$(Q)$(HOST_CC) $(TOOL_CFLAGS) -o $@ $(filter %.c,$^)

# What the loaders read: the kernel without its debug sections and ELF symbol table (gdb
# reads those from kernel.elf). Backtraces lose nothing: their symbol table (.ksyms) is
# part of .rodata. --strip-all rather than --strip-debug: the ELF .symtab and .strtab
# are a sixth of the file (25 KiB), and the BIOS loader reads every sector of it; under
# QEMU each costs a disk request of its own (SeaBIOS reads the disk by PIO, a sector at
# a time), 0.15 ms and more, which is most of the BIOS loader's time.
$(BUILD)/kernel.stripped.elf: $(BUILD)/kernel.elf
	$(call quiet,STRIP,$@)
	$(Q)objcopy --strip-all $< $@

# The EFI System Partition, a FAT volume made with mtools (mkimage places it in keel.img).
# 8 MiB of FAT16 with 512-byte clusters: UEFI firmware reads FAT12, FAT16 and FAT32 (UEFI
# spec, "File System Format"); FAT12 ends at 4084 clusters (2 MiB here) and FAT32 starts at
# 65525 (32 MiB), so FAT16 is the type for a partition of a few MiB, and 8 MiB leaves room
# beside the loader, the kernel and the ramdisk. MTOOLS_SKIP_CHECK: the volume is a file, with
# no disk geometry for mtools to check it against.
ESP_SECTORS := 16384
ESP_FILES := $(BUILD)/uefi/BOOTX64.EFI $(BUILD)/kernel.stripped.elf $(INITRD) boot/uefi/boot.cfg
MTOOLS := MTOOLS_SKIP_CHECK=1
$(BUILD)/esp.img: $(ESP_FILES)
	$(call quiet,FAT,$@)
	$(Q)rm -f $@.tmp
	$(Q)$(MTOOLS) mformat -i $@.tmp -C -T $(ESP_SECTORS) -h 16 -s 32 -c 1 -N 4B45454C -v KEEL-ESP ::
	$(Q)$(MTOOLS) mmd -i $@.tmp ::/EFI ::/EFI/BOOT ::/KEEL
	$(Q)$(MTOOLS) mcopy -i $@.tmp $(BUILD)/uefi/BOOTX64.EFI ::/EFI/BOOT/BOOTX64.EFI
	$(Q)$(MTOOLS) mcopy -i $@.tmp $(BUILD)/kernel.stripped.elf ::/KEEL/KERNEL.ELF
	$(Q)$(MTOOLS) mcopy -i $@.tmp $(INITRD) ::/KEEL/INITRD.TAR
	$(Q)$(MTOOLS) mcopy -i $@.tmp boot/uefi/boot.cfg ::/KEEL/BOOT.CFG
	$(Q)mv $@.tmp $@

$(BUILD)/keel.img: $(BUILD)/bios/stage1.bin $(BUILD)/bios/stage2.bin $(BUILD)/kernel.stripped.elf \
                   $(INITRD) $(BUILD)/esp.img $(BUILD)/uefi/BOOTX64.EFI boot/uefi/boot.cfg \
                   $(BUILD)/host/mkimage
	$(call quiet,IMG,$@)
	$(Q)$(BUILD)/host/mkimage -o $@ --stage1 $(BUILD)/bios/stage1.bin \
	    --stage2 $(BUILD)/bios/stage2.bin --kernel $(BUILD)/kernel.stripped.elf \
	    --initrd $(INITRD) --esp $(BUILD)/esp.img

$(BUILD)/host/keel_string.o: lib/string.c
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$<)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(STRING_RENAMES) -c $< -o $@

.SECONDEXPANSION:
$(BUILD)/host/%: tests/host/%.c $$(%_SOURCES) $$(%_OBJECTS)
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $(filter %.c %.o,$^) -lcmocka -pthread

$(BUILD)/fuzz/%: tests/fuzz/%.c $$(%_SOURCES)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

test:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory all host-tests fuzz-targets
	@$(PYTHON) tests/run_all.py --build $(BUILD)

# `make run` boots build/keel.img through Keel's own BIOS loader, run-iso the GRUB ISO
# (Multiboot 2), run-kernel kernel.elf through QEMU's own loader (Multiboot 1), with the
# ramdisk as its module (-initrd). Every one hands the ramdisk over.
QEMU_DISPLAY := $(if $(DISPLAY)$(WAYLAND_DISPLAY),,-display curses)
QEMU_RUN := $(QEMU) -m 256M -serial file:$(BUILD)/serial.log $(QEMU_DISPLAY)

RUN_HINT := serial output: $(BUILD)/serial.log$(if $(QEMU_DISPLAY),; quit with Esc 2 then 'quit')

run:
	@tools/deps.sh run
	@$(MAKE) --no-print-directory img
	@echo "$(RUN_HINT)"
	$(QEMU_RUN) -drive file=$(BUILD)/keel.img,format=raw

# No display at all (xv6's qemu-nox): COM1 is this terminal, multiplexed with QEMU's monitor
# (mon:stdio), so Ctrl-A X quits and Ctrl-A C switches to the monitor.
run-nox:
	@tools/deps.sh run-nox
	@$(MAKE) --no-print-directory img
	@echo "serial console on this terminal: quit with Ctrl-A then X (Ctrl-A C: QEMU monitor)"
	$(QEMU) -m 256M -display none -serial mon:stdio -drive file=$(BUILD)/keel.img,format=raw

# UEFI firmware (OVMF, from Debian's ovmf package) instead of SeaBIOS: the same keel.img
# boots from its EFI System Partition.
OVMF ?= /usr/share/ovmf/OVMF.fd
run-uefi:
	@tools/deps.sh run-uefi
	@$(MAKE) --no-print-directory img
	@echo "$(RUN_HINT)"
	$(QEMU_RUN) -bios $(OVMF) -drive file=$(BUILD)/keel.img,format=raw

run-iso:
	@tools/deps.sh run
	@$(MAKE) --no-print-directory iso
	@echo "$(RUN_HINT)"
	$(QEMU_RUN) -cdrom $(BUILD)/keel.iso -boot d

run-kernel:
	@tools/deps.sh run
	@$(MAKE) --no-print-directory kernel $(INITRD)
	$(QEMU_RUN) -kernel $(BUILD)/kernel.elf -initrd $(INITRD)

# QEMU waits for gdb (-S) on port 1234 (-s); the hardware breakpoint works before paging
# is on, when a software breakpoint at a higher-half address could not be written.
debug:
	@tools/deps.sh debug
	@$(MAKE) --no-print-directory kernel $(INITRD)
	@echo "serial output: $(BUILD)/serial.log"
	$(QEMU) -m 256M -serial file:$(BUILD)/serial.log $(if $(QEMU_DISPLAY),-display none) \
	    -kernel $(BUILD)/kernel.elf -initrd $(INITRD) -s -S & sleep 1; \
	gdb -q $(BUILD)/kernel.elf -ex 'target remote localhost:1234' -ex 'hbreak kernel_main' \
	    -ex 'continue'; kill $$! 2>/dev/null || true

# What a newcomer sees after `make run`: Keel's own loader, the boot messages, `help` typed at the prompt;
# then the same on a UEFI machine (`make run-uefi`): the framebuffer console.
screenshot:
	@tools/deps.sh run-uefi
	@$(MAKE) --no-print-directory img
	$(PYTHON) tools/screenshot.py --img $(BUILD)/keel.img --type help --out docs/screenshot.png
	$(PYTHON) tools/screenshot.py --uefi --img $(BUILD)/keel.img --type help --out docs/screenshot-uefi.png

# Git runs tools/git-hooks/ from now on: commit-msg wants a body for any commit beyond a few lines.
hooks:
	git config core.hooksPath tools/git-hooks
	@echo "hooks: tools/git-hooks is now this clone's hooks directory"

deps:
	@tools/deps.sh test

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# clangd is clang: with $(CC) not clang, a make with CC=clang writes the file, if clang is there.
CDB_VIA_CLANG = $(if $(IS_CLANG),,$(shell command -v clang 2>/dev/null))
compile_commands.json:
	$(if $(CDB_VIA_CLANG),@$(MAKE) --no-print-directory CC=clang $@,$(call quiet,GEN,$@))
	$(if $(CDB_VIA_CLANG),,$(file >$@,[$(foreach f,$(CDB_FILES),$(call cdb_entry,$(f)))$(newline)]))

# The style layer of `make test` alone: tools/check_format.py, check_paths.py, check_layering.py
# and their self-tests (tests/style/).
style-check:
	@tools/deps.sh style
	@$(PYTHON) tests/run_all.py --only style

clean:
	rm -rf $(BUILD)

bench:
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/bench_heap $(BUILD)/bench/halt_kernel.elf \
	    $(BUILD)/bench/halt_kernel_quiet.elf
	@$(PYTHON) tools/bench_boot.py --build $(BUILD)
	@$(PYTHON) tools/bench_idle.py --kernel $(BUILD)/kernel.elf \
	    --floor-kernel $(BUILD)/bench/halt_kernel.elf \
	    --quiet-floor-kernel $(BUILD)/bench/halt_kernel_quiet.elf
	@$(PYTHON) tools/bench_heap.py --bench $(BUILD)/bench/bench_heap
	@$(PYTHON) tools/bench_sched.py --kernel $(BUILD)/kernel-test.elf

bench-heap: $(BUILD)/bench/bench_heap
	@$(PYTHON) tools/bench_heap.py --bench $<

# The floors of the idle figure: a 32-bit Multiboot 1 kernel that only halts, and the same after
# stopping the BIOS's PIT (tests/bench/halt_kernel.S), linked at 1 MiB (-n: one segment, no page
# alignment, so the header sits in the first bytes of the file).
$(BUILD)/bench/halt_kernel.elf: HALT_KERNEL_FLAGS :=
$(BUILD)/bench/halt_kernel_quiet.elf: HALT_KERNEL_FLAGS := -DHALT_KERNEL_QUIET
$(BUILD)/bench/halt_kernel.elf $(BUILD)/bench/halt_kernel_quiet.elf: tests/bench/halt_kernel.S \
                                     boot/multiboot/protocol.h arch/x86_64/pit.h
	@mkdir -p $(dir $@)
	$(call quiet,AS32,$@)
	$(Q)$(CC) $(LOADER_ASFLAGS) $(HALT_KERNEL_FLAGS) -c $< -o $(@:.elf=.o)
	$(Q)$(LD) $(LOADER_LDFLAGS) -n -Ttext=0x100000 -e _start -o $@ $(@:.elf=.o)

# The heap benchmark is optimised like the kernel, with the host's malloc beside it.
$(BUILD)/bench/bench_heap: tools/bench_heap.c $(HEAP_SOURCES) mm/heap/heap.h
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$@)
	$(Q)$(HOST_CC) $(TOOL_CFLAGS) -o $@ $(filter %.c,$^)

# ---------------------------------------------------------------- user programs and the ramdisk
# Programs in ring 3 (user/): static, non-PIE ELF64 files linked at KEEL_USER_BASE by
# user/user.ld (text, rodata and data+bss each on their own pages), entered at _start
# (user/lib/crt0.S). Program NAME is user/programs/NAME.c plus NAME_USER_SOURCES, linked with
# the runtime, build/user/libkeel.a: the system calls by name, printf on lib/format.c, malloc
# on the kernel's own heap (mm/heap/, compiled unchanged), lib/string.c and lib/errno.c.
#
#   make user     build/user/NAME for every program (with symbols and debug information)
#   make initrd   build/initrd.tar: the programs without debug information, and README
#                 (user/README.initrd), as a deterministic ustar archive
USER_PROGRAMS := hello true ls cat crash sysfuzz spawnloop ttt heaptest sysbench readline
sysfuzz_USER_SOURCES := user/programs/sysfuzz_gen.c
ttt_USER_SOURCES := user/programs/ttt_keys.c user/programs/ttt_screen.c apps/ttt/ttt.c

# Each flag and why programs need it:
USER_CFLAGS := -std=gnu11 -O2 -g
USER_CFLAGS += -ffreestanding                  # no hosted libc: user/lib/ is the whole runtime
USER_CFLAGS += -fno-pic -fno-pie               # static, at fixed addresses: there is no dynamic loader
USER_CFLAGS += -mgeneral-regs-only             # no SSE/MMX/x87: the kernel does not save their state
                                               # yet, so a program would see another one's registers
USER_CFLAGS += -fno-stack-protector            # no __stack_chk_guard support code
USER_CFLAGS += -fno-asynchronous-unwind-tables -fno-unwind-tables # no unwinder reads .eh_frame
USER_CFLAGS += -Wall -Wextra -Werror           # warning-free under gcc and clang
USER_CFLAGS += -I. -Iinclude                   # <user/lib/sys.h>, <lib/format.h>, <keel/syscall.h>
# Not -mno-red-zone: the kernel takes interrupts and system calls on its own stack, so nothing
# ever writes below a program's rsp, and leaf functions may use the 128 bytes there.
ifeq ($(IS_CLANG),1)
USER_CFLAGS += --target=x86_64-unknown-elf     # a bare ELF target, not the host's Linux ABI
else
USER_CFLAGS += -fno-tree-loop-distribute-patterns # never turn memset's own loop into a memset call
endif
USER_CFLAGS += $(FREESTANDING_INCLUDES)        # never the host's libc headers
USER_CFLAGS := $(strip $(USER_CFLAGS))
USER_ASFLAGS := $(filter-out -std=gnu11,$(USER_CFLAGS)) -D__ASSEMBLER__
# Only our objects; segments aligned to 4 KiB pages, not ld's default 2 MiB (the file stays
# small); no executable stack.
USER_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T user/user.ld

USER_LIB_SOURCES := $(filter-out user/lib/crt0.S,$(wildcard user/lib/*.c)) lib/format.c lib/string.c \
                    lib/errno.c $(wildcard mm/heap/*.c)
USER_LIB_OBJECTS := $(call obj,user/obj,$(USER_LIB_SOURCES))
USER_CRT0 := $(call obj,user/obj,user/lib/crt0.S)
USER_LIB := $(BUILD)/user/libkeel.a
USER_BINARIES := $(addprefix $(BUILD)/user/,$(USER_PROGRAMS))
USER_SOURCES = user/lib/crt0.S $(USER_LIB_SOURCES) \
               $(foreach p,$(USER_PROGRAMS),user/programs/$(p).c $($(p)_USER_SOURCES))
INITRD := $(BUILD)/initrd.tar

.PHONY: user initrd
all: user initrd
user: $(USER_BINARIES)
initrd: $(INITRD)

$(eval $(call compile_rules,user/obj,$$(USER_CFLAGS),$$(USER_ASFLAGS),U))

$(USER_LIB): $(USER_LIB_OBJECTS)
	$(call quiet,AR,$@)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

# user_program NAME: build/user/NAME from crt0, its own objects and the runtime.
define user_program
$$(BUILD)/user/$(1): $$(USER_CRT0) $$(call obj,user/obj,user/programs/$(1).c $$($(1)_USER_SOURCES)) \
                     $$(USER_LIB) user/user.ld
	$$(call quiet,LD,$$@)
	$$(Q)$$(LD) $$(USER_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(USER_LIB)
endef
$(foreach p,$(USER_PROGRAMS),$(eval $(call user_program,$(p))))

# The archive is the same bytes on every build of the same programs: GNU tar's ustar format,
# owner and group 0 without names, every time 0, names in order and without "./".
$(INITRD): $(USER_BINARIES) user/README.initrd
	$(call quiet,TAR,$@)
	$(Q)rm -rf $(BUILD)/initrd && mkdir -p $(BUILD)/initrd
	$(Q)for p in $(USER_PROGRAMS); do \
	    objcopy --strip-all $(BUILD)/user/$$p $(BUILD)/initrd/$$p && chmod 0755 $(BUILD)/initrd/$$p \
	    || exit 1; done
	$(Q)cp user/README.initrd $(BUILD)/initrd/README && chmod 0644 $(BUILD)/initrd/README
	$(Q)tar --format=ustar --blocking-factor=1 --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name \
	    -C $(BUILD)/initrd -cf $@.tmp $(sort README $(USER_PROGRAMS))
	$(Q)mv $@.tmp $@

# Host tests of the runtime's and the programs' pure parts, and of the programs' ELF headers
# and the archive (tests/host/test_user_programs.c, given the names and paths).
USER_HOST_TESTS := test_user_outbuf test_user_parse test_sysfuzz_gen test_ttt_keys test_ttt_screen \
                   test_user_programs
test_user_outbuf_SOURCES := user/lib/outbuf.c lib/format.c
test_user_parse_SOURCES := user/lib/parse.c
test_sysfuzz_gen_SOURCES := user/programs/sysfuzz_gen.c
test_ttt_keys_SOURCES := user/programs/ttt_keys.c
test_ttt_screen_SOURCES := user/programs/ttt_screen.c user/lib/outbuf.c lib/format.c apps/ttt/ttt.c
test_user_programs_SOURCES :=
# Makefile too: the program list reaches the test as -DUSER_PROGRAMS.
test_user_programs_OBJECTS := $(USER_BINARIES) $(INITRD) user/README.initrd Makefile
$(BUILD)/host/test_user_programs: HOST_CFLAGS += -DUSER_PROGRAMS='"$(USER_PROGRAMS)"' \
    -DUSER_DIR='"$(abspath $(BUILD)/user)"' -DINITRD='"$(abspath $(INITRD))"' \
    -DREADME_SOURCE='"$(abspath user/README.initrd)"'
USER_HOST_TEST_BINARIES := $(addprefix $(BUILD)/host/,$(USER_HOST_TESTS))
HOST_TEST_BINARIES += $(USER_HOST_TEST_BINARIES)
host-tests: $(USER_HOST_TEST_BINARIES)

CDB_GROUPS += user
CDB_user_FILES = $(USER_SOURCES)
CDB_user_c := $(CC) $(USER_CFLAGS)
CDB_user_S := $(CC) $(USER_ASFLAGS)
CDB_FILES := $(sort $(CDB_FILES) $(USER_SOURCES))

USER_OBJECTS := $(call obj,user/obj,$(USER_SOURCES))
-include $(USER_OBJECTS:.o=.d)

-include $(KERNEL_OBJECTS:.o=.d) $(KTEST_OBJECTS:.o=.d) $(STAGE2_OBJECTS:.o=.d) $(UEFI_OBJECTS:.o=.d)
