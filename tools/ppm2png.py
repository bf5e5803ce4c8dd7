#!/usr/bin/env python3
"""Convert a binary PPM (P6, what QEMU's QMP `screendump` writes) to PNG, using only zlib and struct.

PPM (netpbm.sourceforge.net/doc/ppm.html): "P6", width, height, maxval as ASCII separated by whitespace
(with '#' comments), one whitespace byte, then rows of RGB samples, 1 byte each if maxval < 256.
PNG (RFC 2083 / W3C PNG spec): signature, IHDR, IDAT (zlib stream of rows, each prefixed by a filter
type byte; 0 = none), IEND; every chunk is length, type, data, CRC-32 of type + data.

Usage: tools/ppm2png.py in.ppm out.png
"""

import struct
import sys
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_COLOUR_RGB = 2  # IHDR colour type: truecolour without alpha
PNG_FILTER_NONE = b"\x00"


def parse_ppm(data):
    """Return (width, height, rgb bytes with 8-bit samples) from P6 PPM bytes; raise ValueError if malformed."""
    fields, pos = [], 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6":
        raise ValueError(f"not a binary PPM (magic {fields[0]!r})")
    width, height, maxval = (int(field) for field in fields[1:])
    pixels = data[pos + 1:]  # exactly one whitespace byte after maxval
    return width, height, _to_8bit(pixels, width * height * 3, maxval)


def _to_8bit(pixels, samples, maxval):
    """Scale samples to 0..255 (PPM allows any maxval up to 65535; QEMU writes 255)."""
    if not 0 < maxval < 65536:
        raise ValueError(f"bad PPM maxval {maxval}")
    if maxval < 256:
        raw = pixels[:samples]
    else:
        raw = [int.from_bytes(pixels[2 * i:2 * i + 2], "big") for i in range(samples)]
    if len(raw) < samples:
        raise ValueError(f"PPM truncated: {len(raw)} of {samples} samples")
    if maxval == 255:
        return bytes(raw)
    return bytes(sample * 255 // maxval for sample in raw)


def _png_chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(width, height, rgb):
    """PNG bytes for an 8-bit RGB image given as width*height*3 bytes, rows top to bottom."""
    stride = width * 3
    rows = b"".join(PNG_FILTER_NONE + rgb[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, PNG_COLOUR_RGB, 0, 0, 0)  # 8-bit, deflate, no interlace
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, 9)) + _png_chunk(b"IEND", b""))


def ppm_to_png(ppm_bytes):
    """PNG bytes for the given P6 PPM bytes."""
    return encode_png(*parse_ppm(ppm_bytes))


def convert_file(ppm_path, png_path):
    with open(ppm_path, "rb") as source:
        png = ppm_to_png(source.read())
    with open(png_path, "wb") as target:
        target.write(png)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    convert_file(argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
