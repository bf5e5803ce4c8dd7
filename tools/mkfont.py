#!/usr/bin/env python3
"""mkfont.py - a console font (.psf or .psf.gz) to a C array in code page 437 order.

The framebuffer console draws each cell's byte as the VGA text screen shows it:
code page 437. Debian's console fonts (console-setup, public domain) are laid out
in their own order and say, in a Unicode table after the glyphs, which code
points each glyph shows. So each byte 0-255 is mapped to Unicode (Python's cp437
codec for 0x20-0xFF, the CP437 graphic glyphs for 0x01-0x1F and 0x7F), and that
code point to a glyph through the font's table.

Formats (the Linux console's, kbd's psf.h):
  PSF1: magic 36 04, mode (bit 0: 512 glyphs, bit 1: Unicode table), height;
        8 pixels wide; table: little-endian u16 code points, FFFE starts a
        sequence, FFFF ends a glyph's entry.
  PSF2: magic 72 b5 4a 86, then u32 version, header size, flags (bit 0: Unicode
        table), glyph count, bytes per glyph, height, width; table: UTF-8, FE
        starts a sequence, FF ends a glyph's entry.

Required: printable ASCII (0x20-0x7E) and 0x80-0xFF (drivers/vga/cp437.c maps
them all: the accents, the box-drawing pieces the game draws, the replacement
square 0xFE). The block elements U+2580-U+2590 are plain geometry and U+2593 is
U+2591 inverted, so they are drawn here when a font lacks them. The control
pictures (0x01-0x1F, 0x7F) are optional: the console never draws those bytes
(it shows VGA_REPLACEMENT_CHAR instead), so a missing one is left blank. A
missing required glyph fails with a message naming it.

Usage: mkfont.py FONT.psf.gz -o out.c
"""
import argparse
import gzip
import struct
import sys

WIDTH, HEIGHT = 8, 16  # the console's cell size (drivers/fb/fb_console.h)

# The glyphs IBM's code page 437 shows for 0x00-0x1F (Unicode's
# VENDORS/MICSFT/PC/CP437.TXT lists them as controls; these are the pictures).
CONTROL_PICTURES = [
    None, 0x263A, 0x263B, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
    0x25D8, 0x25CB, 0x25D9, 0x2642, 0x2640, 0x266A, 0x266B, 0x263C,
    0x25BA, 0x25C4, 0x2195, 0x203C, 0x00B6, 0x00A7, 0x25AC, 0x21A8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221F, 0x2194, 0x25B2, 0x25BC,
]
HOUSE = 0x2302  # 0x7F
LIGHT_SHADE, DARK_SHADE = 0x2591, 0x2593
FULL_ROW = 0xFF

# Block elements by their rows of pixels (Unicode chart U+2580..U+259F).
HALF_BLOCKS = {
    0x2580: [FULL_ROW] * 8 + [0] * 8,  # upper half
    0x2584: [0] * 8 + [FULL_ROW] * 8,  # lower half
    0x258C: [0xF0] * 16,  # left half
    0x2590: [0x0F] * 16,  # right half
}


class FontError(Exception):
    pass


def parse_psf1(data):
    mode, height = data[2], data[3]
    count = 512 if mode & 0x01 else 256
    glyphs_end = 4 + count * height
    if len(data) < glyphs_end:
        raise FontError("PSF1 font truncated")
    table = {}
    if mode & 0x06:
        glyph, i = 0, glyphs_end
        while glyph < count and i + 2 <= len(data):
            (code,) = struct.unpack_from("<H", data, i)
            i += 2
            if code == 0xFFFF:
                glyph += 1
            elif code == 0xFFFE:  # sequences follow: skip to the entry's end
                while i + 2 <= len(data) and struct.unpack_from("<H", data, i)[0] != 0xFFFF:
                    i += 2
            else:
                table.setdefault(code, glyph)
    glyphs = [data[4 + g * height : 4 + (g + 1) * height] for g in range(count)]
    return 8, height, glyphs, table


def parse_psf2(data):
    if len(data) < 32:
        raise FontError("PSF2 header truncated")
    _, version, header_size, flags, count, size, height, width = struct.unpack_from("<8I", data)
    if version != 0 or size != height * ((width + 7) // 8):
        raise FontError("PSF2 header inconsistent (version %u, %u bytes a glyph)" % (version, size))
    glyphs_end = header_size + count * size
    if len(data) < glyphs_end:
        raise FontError("PSF2 font truncated")
    table = {}
    if flags & 0x01:
        for glyph, entry in enumerate(data[glyphs_end:].split(b"\xff")[:count]):
            singles = entry.split(b"\xfe")[0]  # what follows FE are sequences
            for ch in singles.decode("utf-8", errors="replace"):
                table.setdefault(ord(ch), glyph)
    glyphs = [data[header_size + g * size : header_size + (g + 1) * size] for g in range(count)]
    return width, height, glyphs, table


def load_font(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:2] == b"\x36\x04":
        return parse_psf1(data)
    if data[:4] == b"\x72\xb5\x4a\x86":
        return parse_psf2(data)
    raise FontError("not a PSF font")


def cp437_code_point(byte):
    """The Unicode code point code page 437 shows for byte (None for 0x00)."""
    if byte < 0x20:
        return CONTROL_PICTURES[byte]
    if byte == 0x7F:
        return HOUSE
    return ord(bytes([byte]).decode("cp437"))


def is_required(byte):
    return 0x20 <= byte <= 0x7E or byte >= 0x80


def glyph_for(code, glyphs, table):
    """The rows of the glyph for code, drawn here for block elements the font lacks."""
    if code in table:
        return list(glyphs[table[code]])
    if code in HALF_BLOCKS:
        return list(HALF_BLOCKS[code])
    if code == DARK_SHADE and LIGHT_SHADE in table:
        return [row ^ FULL_ROW for row in glyphs[table[LIGHT_SHADE]]]
    return None


def cp437_glyphs(path):
    """256 glyphs of HEIGHT rows, in code page 437 order; FontError if impossible."""
    width, height, glyphs, table = load_font(path)
    if (width, height) != (WIDTH, HEIGHT):
        raise FontError("glyphs are %ux%u, the console needs %ux%u" % (width, height, WIDTH, HEIGHT))
    if not table:
        raise FontError("the font has no Unicode table, so its glyphs cannot be matched to code page 437")
    out, missing = [], []
    for byte in range(256):
        code = cp437_code_point(byte)
        rows = glyph_for(code, glyphs, table) if code is not None else None
        if rows is None and is_required(byte):
            missing.append("0x%02X (U+%04X %s)" % (byte, code, chr(code)))
        out.append(rows if rows is not None else [0] * HEIGHT)
    if missing:
        raise FontError("no glyph for code page 437 " + ", ".join(missing))
    return out


def c_source(path, glyphs):
    lines = [
        "/* Generated by tools/mkfont.py from %s: do not edit. */" % path,
        "#include <drivers/fb/console_font.h>",
        "",
        "static const uint8_t glyphs[%d] = {" % (256 * HEIGHT),
    ]
    for byte, rows in enumerate(glyphs):
        lines.append("    " + ", ".join("0x%02x" % r for r in rows) + ", /* 0x%02X */" % byte)
    lines += [
        "};",
        "",
        "const struct psf_font console_font = {",
        "    .glyphs = glyphs,",
        "    .glyph_count = 256,",
        "    .bytes_per_glyph = %d," % HEIGHT,
        "    .bytes_per_row = 1,",
        "    .width = %d," % WIDTH,
        "    .height = %d," % HEIGHT,
        "    .has_unicode_table = false,",
        "};",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("font", help="a PSF1 or PSF2 font, optionally gzip-compressed")
    parser.add_argument("-o", "--output", required=True, help="the C file to write")
    args = parser.parse_args()
    try:
        glyphs = cp437_glyphs(args.font)
    except (OSError, FontError) as e:
        sys.exit("mkfont: %s: %s" % (args.font, e))
    with open(args.output, "w") as f:
        f.write(c_source(args.font, glyphs))


if __name__ == "__main__":
    main()
