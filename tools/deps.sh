#!/bin/sh
# deps.sh - install what Keel's build, run or test needs and is missing.
#
# Usage: tools/deps.sh build|run|test|debug|bench
# Checks each tool or file and installs the Debian/Ubuntu packages that are
# missing with apt-get (through sudo when not root), saying what it installs.
# Quiet when everything is there, so make can call it every time.
set -eu

need=""
want() { # want <package> <command-or-absolute-path>
    case "$2" in
    /*) [ -e "$2" ] && return 0 ;;
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
    want xorriso xorriso
    want mtools mformat
}

case "${1:-test}" in
build) build_deps ;;
run) build_deps; want qemu-system-x86 qemu-system-x86_64 ;;
debug) build_deps; want qemu-system-x86 qemu-system-x86_64; want gdb gdb ;;
bench) build_deps; want qemu-system-x86 qemu-system-x86_64; want valgrind valgrind ;;
test)
    build_deps
    want qemu-system-x86 qemu-system-x86_64
    want libcmocka-dev /usr/include/cmocka.h
    want clang clang
    ;;
*) echo "usage: $0 build|run|test|debug|bench" >&2; exit 2 ;;
esac

[ -z "$need" ] && exit 0

echo "Keel needs these packages, installing them now:$need"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "error: not root and no sudo; please install:$need" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: no apt-get on this system; please install the equivalents of:$need" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086 # the package list is meant to split
$sudo apt-get install -y -qq --no-install-recommends $need
