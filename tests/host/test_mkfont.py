#!/usr/bin/env python3
"""Host tests of tools/mkfont.py, the console font converter, run as `make` runs it: a program that either
writes the C array or exits non-zero with a message naming the problem and writes nothing.

Each case builds its own small font in a temporary folder: 256 glyphs of 8x16, each with its own bitmap, and
a Unicode table that gives every character code page 437 needs (printable ASCII and 0x80-0xFF, as Python's
cp437 codec reads them, independently of mkfont's mapping) a glyph of its own.
  accepts-complete-psf2      that font as PSF2 is converted: the array holds 'A''s and '│''s bitmaps
  refuses-missing-glyph-psf2 the same without U+2502 (code page 437 0xB3, the game's box edge): the message
  refuses-missing-glyph-psf1 names exactly that glyph, in PSF2 and in PSF1
  refuses-not-psf            a text file, and a gzip-compressed one: "not a PSF font"
  refuses-truncated-psf2     a PSF2 header whose glyphs are cut off: "truncated"

One line per case, `PASS: host/mkfont/NAME` or `FAIL: host/mkfont/NAME: reason`; exit status 1 if any
failed. Usage: tests/host/test_mkfont.py
"""

import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKFONT = os.path.join(ROOT, "tools", "mkfont.py")

GLYPHS, WIDTH, HEIGHT = 256, 8, 16  # the console's cell (drivers/fb/fb_console.h): one byte a row
REQUIRED = [bytes([b]).decode("cp437") for b in list(range(0x20, 0x7F)) + list(range(0x80, 0x100))]
BOX_EDGE = "\u2502"  # code page 437 0xB3
PSF1_MAGIC, PSF1_MODE_HAS_TABLE, PSF1_SEPARATOR = b"\x36\x04", 0x02, 0xFFFF
PSF2_MAGIC, PSF2_HEADER_SIZE, PSF2_HAS_TABLE, PSF2_SEPARATOR = 0x864AB572, 32, 0x01, b"\xff"


def bitmap(glyph):
    """HEIGHT rows for glyph number `glyph`, different for every glyph (row 0 is its number)."""
    return bytes([glyph] + [(glyph * 7 + row * 13) & 0xFF for row in range(1, HEIGHT)])


def table_entries(characters):
    """The characters each glyph shows: glyph i the i-th of `characters`, the rest none."""
    return [[ch] for ch in characters] + [[] for _ in range(GLYPHS - len(characters))]


def psf2(characters):
    """A PSF2 font (kbd's psf.h) whose glyph i shows the i-th of `characters`."""
    header = struct.pack("<8I", PSF2_MAGIC, 0, PSF2_HEADER_SIZE, PSF2_HAS_TABLE, GLYPHS, HEIGHT, HEIGHT, WIDTH)
    glyphs = b"".join(bitmap(g) for g in range(GLYPHS))
    table = b"".join("".join(entry).encode("utf-8") + PSF2_SEPARATOR for entry in table_entries(characters))
    return header + glyphs + table


def psf1(characters):
    """The same font as PSF1: 256 glyphs, 8 wide, a table of little-endian u16 code points."""
    header = PSF1_MAGIC + bytes([PSF1_MODE_HAS_TABLE, HEIGHT])
    glyphs = b"".join(bitmap(g) for g in range(GLYPHS))
    table = b"".join(struct.pack(f"<{len(entry) + 1}H", *map(ord, entry), PSF1_SEPARATOR)
                     for entry in table_entries(characters))
    return header + glyphs + table


def c_rows(glyph):
    """How mkfont's array writes a glyph's rows."""
    return ", ".join("0x%02x" % row for row in bitmap(glyph))


class MkfontCase(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="keel-mkfont-")
        self.addCleanup(shutil.rmtree, self.folder)
        self.output = os.path.join(self.folder, "font.c")

    def convert(self, name, data):
        """(exit status, stderr) of mkfont.py on a file `name` holding `data`."""
        font = os.path.join(self.folder, name)
        with open(font, "wb") as f:
            f.write(data)
        proc = subprocess.run([sys.executable, MKFONT, font, "-o", self.output], capture_output=True, text=True)
        return proc.returncode, proc.stderr.strip()

    def assert_refused(self, name, data, message):
        status, stderr = self.convert(name, data)
        self.assertNotEqual(status, 0, f"mkfont accepted {name}")
        font = os.path.join(self.folder, name)
        self.assertEqual(stderr, f"mkfont: {font}: {message}")
        self.assertFalse(os.path.exists(self.output), "mkfont wrote its output for a font it refused")

    def test_accepts_complete_psf2(self):
        status, stderr = self.convert("complete.psf", psf2(REQUIRED))
        self.assertEqual((status, stderr), (0, ""))
        with open(self.output) as f:
            source = f.read()
        self.assertIn(c_rows(REQUIRED.index("A")) + ", /* 0x41 */", source)
        self.assertIn(c_rows(REQUIRED.index(BOX_EDGE)) + ", /* 0xB3 */", source)

    def test_refuses_missing_glyph_psf2(self):
        without = [ch for ch in REQUIRED if ch != BOX_EDGE]
        self.assert_refused("no-box-edge.psf", psf2(without), "no glyph for code page 437 0xB3 (U+2502 │)")

    def test_refuses_missing_glyph_psf1(self):
        without = [ch for ch in REQUIRED if ch != BOX_EDGE]
        self.assert_refused("no-box-edge.psf", psf1(without), "no glyph for code page 437 0xB3 (U+2502 │)")

    def test_refuses_not_psf(self):
        text = b"Keel console font\n" * 64
        self.assert_refused("font.txt", text, "not a PSF font")
        self.assert_refused("font.txt.gz", gzip.compress(text), "not a PSF font")

    def test_refuses_truncated_psf2(self):
        font = psf2(REQUIRED)
        self.assert_refused("cut.psf", font[:PSF2_HEADER_SIZE + 10 * HEIGHT], "PSF2 font truncated")


class PassFailResult(unittest.TestResult):
    """Prints each case as a PASS:/FAIL: line for tests/run_all.py."""

    @staticmethod
    def name(test):
        return f"host/mkfont/{test._testMethodName[len('test_'):].replace('_', '-')}"

    def addSuccess(self, test):
        super().addSuccess(test)
        print(f"PASS: {self.name(test)}", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print(f"FAIL: {self.name(test)}: {' '.join(str(err[1]).split())[:600]}", flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print(f"FAIL: {self.name(test)}: {err[0].__name__}: {err[1]}", flush=True)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = PassFailResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
