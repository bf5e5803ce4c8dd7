#!/bin/sh
# deps.sh - install what Keel's build, run or test needs and is missing.
#
# Usage: tools/deps.sh build|run|run-nox|run-uefi|test|debug|bench|style
# Checks each tool or file and installs the Debian/Ubuntu packages that are
# missing with apt-get (through sudo when not root), saying what it installs.
# Quiet when everything is there, so make can call it every time.
#
# Packages are installed without their recommendations, so whatever the build
# needs from a recommended package is checked here by the file it uses:
#   - clang's sanitizer and libFuzzer runtimes (libclang_rt.*.a), which the
#     host tests and fuzz targets link: libclang-rt-N-dev for clang N, or
#     libclang-common-N-dev for clang versions that still ship them there;
#   - QEMU's GTK window (qemu-system-gui), when there is a display to open it on.
set -eu

need=""
want() { # want <package> <command-or-absolute-path-or-glob>
    case "$2" in
    /*) for file in $2; do [ -e "$file" ] && return 0; done ;;
    *) command -v "$2" >/dev/null 2>&1 && return 0 ;;
    esac
    case " $need " in *" $1 "*) ;; *) need="$need $1" ;; esac
}

build_deps() {
    want gcc gcc
    want make make
    want binutils ld
    want python3 python3
    want grub-common grub-mkrescue
    want grub-pc-bin /usr/lib/grub/i386-pc/multiboot2.mod
    want grub-efi-amd64-bin /usr/lib/grub/x86_64-efi/multiboot2.mod # keel.iso boots UEFI too
    # The framebuffer console's font: the Makefile's FONT (exported to here by make).
    want console-setup-linux "${FONT:-$(make -s --no-print-directory -C "$(dirname "$0")/.." print-font)}"
    want xorriso xorriso
    want mtools mformat
    want grub-efi-amd64-bin /usr/lib/grub/x86_64-efi/normal.mod
    want clang clang    # the UEFI loader is always built with clang and lld (see the Makefile)
    want lld lld-link
}

uefi_firmware() { # OVMF, the UEFI firmware QEMU boots keel.img and keel.iso with (-bios)
    want ovmf /usr/share/ovmf/OVMF.fd
}

qemu_deps() { # QEMU, with a window when there is a display (without one it uses the terminal)
    want qemu-system-x86 qemu-system-x86_64
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        want qemu-system-gui '/usr/lib/*/qemu/ui-gtk.so'
    fi
}

as_root() { # as_root <command>...: run it as root, through sudo when not root
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: not root and no sudo; please install:$need" >&2
        exit 1
    fi
}

updated=""
apt_update() { # a fresh machine's apt knows no package before its first update; once a run
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: no apt-get on this system; please install the equivalents of:$need" >&2
        exit 1
    fi
    [ -n "$updated" ] || as_root apt-get update -qq
    updated=1
}

install() { # install: the packages in $need; apt's output only when it fails
    echo "Keel needs these packages, installing them now:$need"
    apt_update
    log=$(mktemp)
    # env, because sudo does not pass the caller's environment on.
    # shellcheck disable=SC2086 # the package list is meant to split
    if ! as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $need >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "error: apt-get could not install:$need" >&2
        exit 1
    fi
    rm -f "$log"
    need=""
}

# clang_runtime_missing <name>: true when clang cannot find its runtime library
# libclang_rt.<name>-x86_64.a (or libclang_rt.<name>.a, the per-target layout).
# -print-file-name prints the bare name when it finds no such file.
clang_runtime_missing() {
    for file in "libclang_rt.$1-x86_64.a" "libclang_rt.$1.a"; do
        path=$(clang -print-file-name="$file" 2>/dev/null) || continue
        case "$path" in /*) [ -e "$path" ] && return 1 ;; esac
    done
    return 0
}

# The runtimes that -fsanitize=address,undefined (host tests under clang) and
# -fsanitize=fuzzer (fuzz targets) link. They belong to clang's major version N:
# libclang-rt-N-dev, or libclang-common-N-dev for a clang older than that package.
clang_runtimes() {
    missing=""
    for runtime in asan ubsan_standalone fuzzer; do
        clang_runtime_missing "$runtime" && missing="$missing libclang_rt.$runtime"
    done
    [ -z "$missing" ] && return 0
    major=$(clang --version | sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' | head -n 1)
    if [ -z "$major" ]; then
        echo "error: cannot tell clang's version; please install its runtimes:$missing" >&2
        exit 1
    fi
    need=" libclang-rt-$major-dev"
    apt_update
    apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1 || need=" libclang-common-$major-dev"
    install
    for runtime in asan ubsan_standalone fuzzer; do
        if clang_runtime_missing "$runtime"; then
            echo "error: clang $major still finds no libclang_rt.$runtime after that" >&2
            exit 1
        fi
    done
}

mode="${1:-test}"
case "$mode" in
build) build_deps ;;
run) build_deps; qemu_deps ;;
run-nox) build_deps; want qemu-system-x86 qemu-system-x86_64 ;;
run-uefi) build_deps; qemu_deps; uefi_firmware ;;
debug) build_deps; qemu_deps; want gdb gdb ;;
bench) build_deps; want qemu-system-x86 qemu-system-x86_64; uefi_firmware; want valgrind valgrind ;;
style) want python3 python3; want clang-format clang-format ;;
test)
    build_deps
    want qemu-system-x86 qemu-system-x86_64
    want libcmocka-dev /usr/include/cmocka.h
    want clang clang
    want clang-format clang-format
    want dosfstools fsck.fat
    want fdisk sfdisk
    uefi_firmware
    ;;
*) echo "usage: $0 build|run|run-nox|run-uefi|test|debug|bench|style" >&2; exit 2 ;;
esac

[ -z "$need" ] || install
# Only now is clang there to be asked where its runtimes are.
[ "$mode" != test ] || clang_runtimes
