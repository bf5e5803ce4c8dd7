"""fbscreen: read the text a framebuffer shows, cell by cell, by matching each cell against the font.

The framebuffer console draws a grid of 8x16 cells, each one glyph of a PSF font in one foreground and one
background colour. Here a QMP `screendump` (a binary PPM of what the display shows) becomes the same
(character byte, attribute byte) cells that `pmemsave 0xB8000` gives on VGA text, so screen checks written
for VGA run on the framebuffer unchanged:

  - the font is read from the PSF file the build uses (`make -s print-font`), PSF1 or PSF2, with its
    Unicode table (kbd's psf.h format: per glyph, code points until the separator, 0xFFFE starting
    sequences), and each code page 437 byte is found in it through keelqemu.CP437: the code page's own
    Unicode table, independent of the kernel's build-time converter;
  - a cell of two colours is tried both ways round (either colour as the foreground) against every glyph's
    bitmap; a cell of one colour is a blank in that colour; the underline cursor (the bottom two pixel rows
    painted in the foreground) is recognised and reported separately;
  - colours are the 16 of the standard VGA palette, so attr = background << 4 | foreground as in text mode.

A cell that matches no glyph decodes to byte 0x3F ('?') with attribute 0 and is counted in `unknown`, so a
wrongly drawn cell makes a screen comparison fail instead of being guessed.
"""

import gzip
import os
import struct
import subprocess
import sys

from keelqemu import CP437, Machine

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from ppm2png import parse_ppm  # noqa: E402  (tools/ is not a package)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The standard VGA palette (the text mode's 16 colours), as 8-bit RGB.
VGA_PALETTE = [
    (0x00, 0x00, 0x00), (0x00, 0x00, 0xAA), (0x00, 0xAA, 0x00), (0x00, 0xAA, 0xAA),
    (0xAA, 0x00, 0x00), (0xAA, 0x00, 0xAA), (0xAA, 0x55, 0x00), (0xAA, 0xAA, 0xAA),
    (0x55, 0x55, 0x55), (0x55, 0x55, 0xFF), (0x55, 0xFF, 0x55), (0x55, 0xFF, 0xFF),
    (0xFF, 0x55, 0x55), (0xFF, 0x55, 0xFF), (0xFF, 0xFF, 0x55), (0xFF, 0xFF, 0xFF),
]
CURSOR_ROWS = 2  # pixel rows of the underline cursor at the bottom of a cell
UNKNOWN_CHAR = 0x3F
MAX_REMEMBERED_CELLS = 1 << 16  # distinct cells decode_cell keeps (256 glyphs x a few colours)

PSF1_MAGIC = b"\x36\x04"
PSF1_MODE_512 = 0x01
PSF1_MODE_HAS_TABLE = 0x06  # either bit: a Unicode table follows the glyphs
PSF1_SEPARATOR, PSF1_SEQUENCE = 0xFFFF, 0xFFFE
PSF2_MAGIC = 0x864AB572
PSF2_HAS_TABLE = 0x01
PSF2_SEPARATOR, PSF2_SEQUENCE = 0xFF, 0xFE


class Font:
    """A PSF font: glyph bitmaps (one int per pixel row, leftmost pixel in the top bit) and its Unicode table."""

    def __init__(self, path):
        data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
        if data[:2] == PSF1_MAGIC:
            mode, self.height = data[2], data[3]
            self.width, count, row_bytes, start = 8, 512 if mode & PSF1_MODE_512 else 256, 1, 4
            table = data[start + count * self.height:] if mode & PSF1_MODE_HAS_TABLE else b""
            self.unicode, self.primary = _psf1_table(table)
        elif struct.unpack_from("<I", data)[0] == PSF2_MAGIC:
            _magic, _version, start, flags, count, per_glyph, self.height, self.width = \
                struct.unpack_from("<8I", data)
            row_bytes = (self.width + 7) // 8
            if per_glyph != row_bytes * self.height:
                raise ValueError(f"{path}: {per_glyph} bytes per glyph for {self.width}x{self.height}")
            table = data[start + count * per_glyph:] if flags & PSF2_HAS_TABLE else b""
            self.unicode, self.primary = _psf2_table(table)
        else:
            raise ValueError(f"{path}: not a PSF font")
        per_glyph = row_bytes * self.height
        self.glyphs = []
        for index in range(count):
            bitmap = data[start + index * per_glyph:start + (index + 1) * per_glyph]
            self.glyphs.append(tuple(int.from_bytes(bitmap[row * row_bytes:(row + 1) * row_bytes], "big")
                                     >> (row_bytes * 8 - self.width) for row in range(self.height)))

    def cp437_glyph(self, byte):
        """The glyph index the font has for code page 437 `byte`, or None (without a table: the byte itself)."""
        if not self.unicode:
            return byte if byte < len(self.glyphs) else None
        return self.unicode.get(CP437[byte])

    def is_primary(self, byte):
        """Whether code page 437 `byte` is the first character the font lists for its glyph."""
        glyph = self.cp437_glyph(byte)
        return glyph is not None and self.primary.get(glyph) == CP437[byte]


def _psf1_table(table):
    """({character: first glyph index}, {glyph: its first character}) from a PSF1 Unicode table (u16s)."""
    mapping, primary, glyph, in_sequence = {}, {}, 0, False
    for (code,) in struct.iter_unpack("<H", table[:len(table) // 2 * 2]):
        if code == PSF1_SEPARATOR:
            glyph, in_sequence = glyph + 1, False
        elif code == PSF1_SEQUENCE:
            in_sequence = True
        elif not in_sequence:
            mapping.setdefault(chr(code), glyph)
            primary.setdefault(glyph, chr(code))
    return mapping, primary


def _psf2_table(table):
    """As _psf1_table, from a PSF2 Unicode table (UTF-8, 0xFF ends a glyph's entry)."""
    mapping, primary = {}, {}
    for glyph, entry in enumerate(table.split(bytes([PSF2_SEPARATOR]))):
        singles = entry.split(bytes([PSF2_SEQUENCE]))[0]  # what follows 0xFE are multi-character sequences
        for ch in singles.decode("utf-8", errors="replace"):
            mapping.setdefault(ch, glyph)
            primary.setdefault(glyph, ch)
    return mapping, primary


def build_font_path(build_dir="build"):
    """The font file the build draws with: the Makefile's FONT, from `make -s print-font`."""
    out = subprocess.run(["make", "-s", "--no-print-directory", f"BUILD={build_dir}", "print-font"],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


class CellDecoder:
    """Turns the pixels of one cell into (character byte, attribute byte), through a bitmap -> byte table."""

    def __init__(self, font):
        self.font = font
        self.by_bitmap = {}
        # A font may draw several characters with one glyph (a space, NUL and 0xFF; a double-line corner
        # approximated by the single-line one). Such a cell decodes to the character the glyph is listed for
        # first in the font's table (its own), else to the lowest printable byte.
        order = list(range(0x20, 0x7F)) + list(range(0x80, 0x100)) + list(range(0x01, 0x20)) + [0x7F]
        order.sort(key=lambda byte: not font.is_primary(byte))
        for byte in order:
            glyph = font.cp437_glyph(byte)
            if glyph is not None:
                self.by_bitmap.setdefault(font.glyphs[glyph], byte)
        self.cursor_mask = (1 << font.width) - 1
        self.by_pixels = {}  # a cell's RGB bytes -> decode()'s answer: a screen repeats few distinct cells

    def decode_cell(self, pixels):
        """decode() for a cell given as its RGB bytes, row after row; each distinct cell is decoded once."""
        if pixels not in self.by_pixels:
            if len(self.by_pixels) >= MAX_REMEMBERED_CELLS:
                self.by_pixels.clear()
            row_bytes = self.font.width * 3
            rows = [tuple(tuple(pixels[x:x + 3]) for x in range(y, y + row_bytes, 3))
                    for y in range(0, len(pixels), row_bytes)]
            self.by_pixels[pixels] = self.decode(rows)
        return self.by_pixels[pixels]

    def decode(self, rows_of_pixels):
        """rows_of_pixels: font.height tuples of font.width RGB triples. Returns (byte, attr, cursor) or None."""
        colours = {pixel for row in rows_of_pixels for pixel in row}
        indices = [_palette_index(colour) for colour in colours]
        if None in indices:
            return None
        if len(colours) == 1:
            return 0x20, indices[0] << 4 | indices[0], False
        if len(colours) != 2:
            return None
        a, b = colours
        for fg, bg in ((a, b), (b, a)):
            bitmap = tuple(_row_bits(row, fg) for row in rows_of_pixels)
            found = self._lookup(bitmap)
            if found is not None:
                byte, cursor = found
                return byte, _palette_index(bg) << 4 | _palette_index(fg), cursor
        return None

    def _lookup(self, bitmap):
        """(byte, cursor shown) for a cell bitmap, also when the cursor's underline covers its bottom rows."""
        if bitmap in self.by_bitmap:
            return self.by_bitmap[bitmap], False
        top = self.font.height - CURSOR_ROWS
        if all(row == self.cursor_mask for row in bitmap[top:]):
            for candidate, byte in self.by_bitmap.items():
                if candidate[:top] == bitmap[:top]:
                    return byte, True
        return None


def _row_bits(row, fg):
    bits = 0
    for pixel in row:
        bits = bits << 1 | (pixel == fg)
    return bits


def _palette_index(rgb):
    try:
        return VGA_PALETTE.index(rgb)
    except ValueError:
        return None


class Screen:
    """A decoded framebuffer: rows of (character byte, attribute byte) cells, the cursor, undecodable cells."""

    def __init__(self, cells, cursor, unknown):
        self.cells = cells
        self.cursor = cursor  # (row, col) where the underline is drawn, or None
        self.unknown = unknown  # [(row, col)] of cells that matched no glyph

    @property
    def columns(self):
        return len(self.cells[0]) if self.cells else 0

    def text(self):
        """The rows as strings, each byte decoded through code page 437."""
        return ["".join(CP437[ch] for ch, _attr in row) for row in self.cells]


def decode_ppm(data, decoder):
    """Decode PPM bytes (a QMP screendump) into a Screen of width // font width by height // font height."""
    width, height, rgb = parse_ppm(data)
    fw, fh = decoder.font.width, decoder.font.height
    stride, cell_row = width * 3, fw * 3  # bytes in a pixel row of the screen, of one cell
    cells, cursor, unknown = [], None, []
    for row in range(height // fh):
        line = []
        for col in range(width // fw):
            top = row * fh * stride + col * cell_row
            pixels = b"".join(rgb[top + y * stride:top + y * stride + cell_row] for y in range(fh))
            result = decoder.decode_cell(pixels)
            if result is None:
                unknown.append((row, col))
                line.append((UNKNOWN_CHAR, 0))
                continue
            byte, attr, has_cursor = result
            if has_cursor:
                cursor = (row, col)
            line.append((byte, attr))
        cells.append(line)
    return Screen(cells, cursor, unknown)


class FramebufferMachine(Machine):
    """A keelqemu.Machine whose screen is a framebuffer: screen_cells() decodes a screendump against the font."""

    def __init__(self, args, font_path, **kwargs):
        self.decoder = CellDecoder(Font(font_path))
        self.last_screen = None
        super().__init__(args, **kwargs)

    def framebuffer_screen(self):
        """The decoded screen now (a Screen), also kept as last_screen; sets columns and rows."""
        dump = os.path.join(self.tmpdir, "screen.ppm")
        self.screendump(dump)
        with open(dump, "rb") as f:
            data = f.read()
        os.remove(dump)
        self.last_screen = decode_ppm(data, self.decoder)
        self.rows, self.columns = len(self.last_screen.cells), self.last_screen.columns
        return self.last_screen

    def screen_cells(self):
        return self.framebuffer_screen().cells
