#!/usr/bin/env python3
"""Generate the kernel's embedded symbol table (the .ksyms section) from a linked kernel ELF.

Backtraces print `kernel_main+0x4f`, so the kernel carries its own function names. The build links
twice: pass 1 with an empty table (--empty), then this script reads pass 1's symbols and writes the
real table, and pass 2 links with it. The table sits at the end of .rodata, after all of .text, so
growing it moves no function; --verify checks that on the two ELFs.

What goes in: every nm symbol of type T or t that lies inside an allocated, executable ELF section.
That is .text (the higher half, from 0xffffffff80000000) and also .boot (the Multiboot headers and
the 32-bit/early 64-bit start-up code, linked at its physical address below 4 GiB), so a fault in
early code still resolves. Linker-script markers at a section's end (`__text_end`) are outside
every section and are left out. Symbols without a size (assembly labels such as ISR stubs) get the
distance to the next symbol, or to the end of their section. Of several symbols at one address, one
is kept: a sized one first, then a name not starting with "__" (linker-script markers), then a
global one, then the alphabetically first.

Output (GNU as, section .ksyms, "a", 8-byte aligned), matching lib/symbols.h:
    ksym_count    u64                               number of entries
    ksym_entries  {u64 address; u32 size; u32 name_offset}[count], by ascending address
    ksym_names    NUL-terminated names; name_offset is relative to ksym_names
The output depends only on the ELF, so the build is reproducible.

Usage:
    tools/gensyms.py ELF -o OUT.S [--nm nm]       the table for ELF
    tools/gensyms.py --empty -o OUT.S             a table with no entries (pass 1)
    tools/gensyms.py --verify PASS1.ELF PASS2.ELF [--nm nm]
                                                  exit 1 if any T/t symbol moved or changed size
"""

import argparse
import os
import struct
import subprocess
import sys

ENTRY_SIZE = 16  # u64 address + u32 size + u32 name_offset
MAX_ENTRY_SIZE = 0xFFFFFFFF  # the size field is a u32
TEXT_TYPES = ("T", "t")
MAX_REPORTED = 20  # moved symbols listed by --verify before "... and N more"

# ELF64 (System V gABI, "ELF Header" and "Sections"): the fields read here.
ELF_MAGIC = b"\x7fELF"
ELFCLASS64 = 2  # e_ident[EI_CLASS]
ELFDATA2LSB = 1  # e_ident[EI_DATA]: little-endian
EHDR_SHOFF_AT = 0x28  # e_shoff (u64)
EHDR_SHENTSIZE_AT = 0x3A  # e_shentsize, e_shnum, e_shstrndx (u16 each)
SHDR = struct.Struct("<IIQQQQ")  # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size
SHT_NOBITS = 8
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4


class GensymsError(Exception):
    """A problem with the input, reported as one line and exit status 1."""


class Symbol:
    def __init__(self, address, size, kind, name):
        self.address = address
        self.size = size  # None when nm shows no size
        self.kind = kind
        self.name = name


def read_symbols(nm, elf):
    """All defined symbols of elf, as `nm -n -S --defined-only` lists them."""
    try:
        result = subprocess.run([nm, "-n", "-S", "--defined-only", elf], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    except OSError as error:
        raise GensymsError(f"cannot run {nm}: {error.strerror}")
    if result.returncode != 0:
        raise GensymsError(f"{nm} {elf} failed: {result.stderr.strip()}")
    symbols = []
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 4:
            address, size, kind, name = fields
            symbols.append(Symbol(int(address, 16), int(size, 16), kind, name))
        elif len(fields) == 3:
            address, kind, name = fields
            symbols.append(Symbol(int(address, 16), None, kind, name))
        else:
            raise GensymsError(f"unexpected line from {nm}: {line!r}")
    return symbols


def text_symbols(symbols):
    return [s for s in symbols if s.kind in TEXT_TYPES]


def executable_sections(elf):
    """[(start, end)] of the allocated, executable sections of an ELF64 little-endian file."""
    try:
        with open(elf, "rb") as f:
            image = f.read()
    except OSError as error:
        raise GensymsError(f"cannot read {elf}: {error.strerror}")
    if image[:4] != ELF_MAGIC or image[4] != ELFCLASS64 or image[5] != ELFDATA2LSB:
        raise GensymsError(f"{elf} is not a little-endian ELF64 file")
    (shoff,) = struct.unpack_from("<Q", image, EHDR_SHOFF_AT)
    shentsize, shnum, _ = struct.unpack_from("<HHH", image, EHDR_SHENTSIZE_AT)
    if shoff == 0 or shnum == 0 or shentsize < SHDR.size or shoff + shnum * shentsize > len(image):
        raise GensymsError(f"{elf} has no readable section headers")
    sections = []
    for i in range(shnum):
        _, kind, flags, addr, _, size = SHDR.unpack_from(image, shoff + i * shentsize)
        wanted = SHF_ALLOC | SHF_EXECINSTR
        if flags & wanted == wanted and kind != SHT_NOBITS and size > 0:
            sections.append((addr, addr + size))
    return sorted(sections)


def containing_section(sections, address):
    for start, end in sections:
        if start <= address < end:
            return start, end
    return None


def preference(symbol):
    """Sort key choosing which of several symbols at one address names it (smallest wins)."""
    return (not symbol.size, symbol.name.startswith("__"), symbol.kind != "T", symbol.name)


def build_table(symbols, sections):
    """[(address, size, name)] by ascending address: one entry per address, sizes filled in."""
    chosen = {}
    for symbol in text_symbols(symbols):
        if containing_section(sections, symbol.address) is None:
            continue
        best = chosen.get(symbol.address)
        if best is None or preference(symbol) < preference(best):
            chosen[symbol.address] = symbol
    addresses = sorted(chosen)
    table = []
    for i, address in enumerate(addresses):
        symbol = chosen[address]
        size = symbol.size
        if not size:
            end = containing_section(sections, address)[1]
            if i + 1 < len(addresses):
                end = min(end, addresses[i + 1])
            size = end - address
        if size > MAX_ENTRY_SIZE:
            raise GensymsError(f"{symbol.name} is {size} bytes: too large for a u32 size")
        table.append((address, size, symbol.name))
    return table


def asm_string(name):
    """name as a GNU as string literal: printable ASCII as is, the rest as octal escapes."""
    out = []
    for byte in name.encode():
        char = chr(byte)
        if char in '"\\' or not 0x20 <= byte < 0x7F:
            out.append(f"\\{byte:03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render(table, source):
    """The assembler file defining ksym_count, ksym_entries and ksym_names for table."""
    lines = [
        f"/* Generated by tools/gensyms.py from {source}: do not edit. */",
        "/* Layout: lib/symbols.h. */",
        '\t.section .ksyms, "a"',
        "\t.balign 8",
        "\t.globl ksym_count",
        "\t.type ksym_count, @object",
        "\t.size ksym_count, 8",
        "ksym_count:",
        f"\t.quad {len(table)}",
        "",
        "\t.globl ksym_entries",
        "\t.type ksym_entries, @object",
        f"\t.size ksym_entries, {len(table) * ENTRY_SIZE}",
        "ksym_entries:",
    ]
    name_offset = 0
    for address, size, name in table:
        lines.append(f"\t.quad {address:#018x}\n\t.long {size:#x}, {name_offset}\t/* {name} */")
        name_offset += len(name.encode()) + 1
    lines += [
        "",
        "\t.globl ksym_names",
        "\t.type ksym_names, @object",
        f"\t.size ksym_names, {name_offset}",
        "ksym_names:",
    ]
    lines += [f"\t.asciz {asm_string(name)}" for _, _, name in table]
    # The table is data: no executable stack is requested.
    lines += ["", '\t.section .note.GNU-stack, "", @progbits', ""]
    return "\n".join(lines)


def write_output(path, text):
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError as error:
        raise GensymsError(f"cannot write {path}: {error.strerror}")


def verify(nm, pass1, pass2):
    """Raise GensymsError naming every T/t symbol whose address or size differs between the ELFs."""

    def by_name(elf):
        placed = {}
        for s in text_symbols(read_symbols(nm, elf)):
            placed.setdefault(s.name, []).append((s.address, s.size))
        if not placed:
            raise GensymsError(f"{elf} has no text symbols")
        return {name: sorted(places, key=lambda p: (p[0], p[1] or 0)) for name, places in placed.items()}

    def describe(places):
        if not places:
            return "absent"
        return ", ".join(f"{a:#x}" + (f" size {s:#x}" if s is not None else "") for a, s in places)

    first, second = by_name(pass1), by_name(pass2)
    moved = []
    for name in sorted(set(first) | set(second)):
        before, after = first.get(name, []), second.get(name, [])
        if before != after:
            moved.append(f"  {name}: {describe(before)} in {pass1}, {describe(after)} in {pass2}")
    if moved:
        shown = moved[:MAX_REPORTED]
        if len(moved) > MAX_REPORTED:
            shown.append(f"  ... and {len(moved) - MAX_REPORTED} more")
        raise GensymsError(
            f"{len(moved)} text symbol(s) differ between {pass1} and {pass2}; the symbol table must "
            "not move code (is .ksyms still placed after .text?):\n" + "\n".join(shown))


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Generate or check Keel's embedded symbol table.")
    parser.add_argument("elf", nargs="*", help="the kernel ELF (or, with --verify, pass 1 and pass 2)")
    parser.add_argument("-o", "--output", help="assembler file to write")
    parser.add_argument("--empty", action="store_true", help="write a table with no entries")
    parser.add_argument("--verify", action="store_true",
                        help="check that no text symbol moved between two ELFs")
    parser.add_argument("--nm", default="nm", help="the nm program to run (default: nm)")
    args = parser.parse_args(argv)
    if args.verify:
        if len(args.elf) != 2 or args.output or args.empty:
            parser.error("--verify takes exactly two ELF files and no -o/--empty")
    elif args.empty:
        if args.elf or not args.output:
            parser.error("--empty takes -o OUT.S and no ELF")
    elif len(args.elf) != 1 or not args.output:
        parser.error("give one ELF and -o OUT.S")
    return args


def main(argv):
    args = parse_args(argv)
    try:
        if args.verify:
            verify(args.nm, args.elf[0], args.elf[1])
        elif args.empty:
            write_output(args.output, render([], "nothing (--empty)"))
        else:
            elf = args.elf[0]
            table = build_table(read_symbols(args.nm, elf), executable_sections(elf))
            write_output(args.output, render(table, os.path.basename(elf)))
    except GensymsError as error:
        print(f"gensyms: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
