"""Damaged copies of Keel's disk image, for the loader's error-path boot tests.

The image is read straight from its bytes (not through Keel's C code), after boot/bios/bootimg.h: the MBR's
active partition entry gives the partition start; its first sector is the boot header. Each Damage breaks one
thing and names the message the loader must show for it.
"""

import os
import struct
import zlib
from dataclasses import dataclass
from typing import Callable

SECTOR = 512
MBR_PARTITION_TABLE = 446  # four 16-byte entries: status byte (0x80 = active), ..., u32 first LBA at +8
MBR_ACTIVE = 0x80
# magic[8], version u16, header_size u16, stage2_lba, stage2_sectors, stage2_crc32, kernel_lba, kernel_bytes,
# kernel_crc32 (u32 each, little endian; LBAs in sectors from the partition start).
BOOT_HEADER = struct.Struct("<8sHHIIIIII")
BOOT_MAGIC = b"KEELBOOT"
HEADER_KERNEL_CRC32 = 32  # offset of kernel_crc32 in the header
HEADER_MODULE = 164  # module_lba, module_bytes, module_crc32 (u32 each): the ramdisk
HEADER_CHECKSUM = 511  # makes the byte sum of the header sector 0 (mod 256)
STAGE2_LATE_TEXT = b"starting the kernel"  # a string stage 2 only uses after it has checked its CRC-32


@dataclass
class Layout:
    """Byte offsets in the image file."""
    header: int
    stage2: int
    stage2_size: int
    kernel: int
    kernel_size: int
    module: int
    module_size: int  # 0: the image has no ramdisk


def read_layout(data):
    """The layout of a disk image, from its partition table and boot header; ValueError if there is none."""
    for entry in range(MBR_PARTITION_TABLE, MBR_PARTITION_TABLE + 4 * 16, 16):
        if data[entry] == MBR_ACTIVE:
            header = struct.unpack_from("<I", data, entry + 8)[0] * SECTOR
            break
    else:
        raise ValueError("no active partition in the MBR")
    magic, _, _, stage2_lba, stage2_sectors, _, kernel_lba, kernel_bytes, _ = BOOT_HEADER.unpack_from(data, header)
    if magic != BOOT_MAGIC:
        raise ValueError(f"no {BOOT_MAGIC.decode()} header at byte {header}")
    module_lba, module_bytes = struct.unpack_from("<II", data, header + HEADER_MODULE)
    return Layout(header, header + stage2_lba * SECTOR, stage2_sectors * SECTOR,
                  header + kernel_lba * SECTOR, kernel_bytes, header + module_lba * SECTOR, module_bytes)


def reseal(data, layout):
    """Set the header's checksum byte so the header's byte sum is 0 again."""
    others = sum(data[layout.header:layout.header + HEADER_CHECKSUM])
    data[layout.header + HEADER_CHECKSUM] = -others & 0xFF


def damage_magic(data, layout):
    data[layout.header] ^= 0x20  # "KEELBOOT" -> "kEELBOOT"
    reseal(data, layout)  # so only the magic check can notice
    return data


def damage_header_field(data, layout):
    crc = struct.unpack_from("<I", data, layout.header + HEADER_KERNEL_CRC32)[0]
    struct.pack_into("<I", data, layout.header + HEADER_KERNEL_CRC32, crc ^ 1)  # checksum left as it was
    return data


def damage_kernel_elf_magic(data, layout):
    data[layout.kernel] ^= 0xFF  # "\x7fELF" -> "\x80ELF"
    return data


def damage_kernel_byte(data, layout):
    data[layout.kernel + layout.kernel_size // 2] ^= 0xFF
    return data


def damage_stage2_byte(data, layout):
    # A byte that no code run before stage 2's self-check reads, so the check, not a crash, is what stops it.
    where = data.find(STAGE2_LATE_TEXT, layout.stage2, layout.stage2 + layout.stage2_size)
    if where < 0:
        raise ValueError(f"no {STAGE2_LATE_TEXT.decode()!r} in stage 2 to damage")
    data[where] ^= 0x20
    return data


def truncate_in_kernel(data, layout):
    middle = layout.kernel + layout.kernel_size // 2
    return data[:middle - middle % SECTOR]  # QEMU wants raw images in whole sectors


def with_module(layout):
    if layout.module_size == 0:
        raise ValueError("the image has no ramdisk (module_bytes 0 in the boot header)")


def damage_module_byte(data, layout):
    with_module(layout)
    data[layout.module + layout.module_size // 2] ^= 0xFF
    return data


def truncate_in_module(data, layout):
    with_module(layout)
    middle = layout.module + layout.module_size // 2
    return data[:middle - middle % SECTOR]


# ELF64 (System V gABI): e_phoff u64 at 32, e_phentsize u16 at 54, e_phnum u16 at 56; in a program header
# p_type u32 at 0 (1 = PT_LOAD), p_paddr u64 at 24.
PT_LOAD = 1
OUTSIDE_RAM = 0x3F000000  # 1008 MiB: no RAM there when the damaged image boots with 64 MiB


def move_last_segment_out_of_ram(data, layout):
    """Give the kernel's last PT_LOAD a physical address with no RAM behind it, then make the image consistent
    again (kernel CRC-32, header checksum), so only the loader's memory check can object."""
    kernel = layout.kernel
    phoff, = struct.unpack_from("<Q", data, kernel + 32)
    phentsize, phnum = struct.unpack_from("<HH", data, kernel + 54)
    loads = [kernel + phoff + i * phentsize for i in range(phnum)
             if struct.unpack_from("<I", data, kernel + phoff + i * phentsize)[0] == PT_LOAD]
    struct.pack_into("<Q", data, loads[-1] + 24, OUTSIDE_RAM)
    crc = zlib.crc32(bytes(data[kernel:kernel + layout.kernel_size]))
    struct.pack_into("<I", data, layout.header + HEADER_KERNEL_CRC32, crc)
    reseal(data, layout)
    return data


@dataclass
class Damage:
    name: str
    apply: Callable[[bytearray, Layout], bytearray]
    message: str  # what the loader must show


DAMAGES = [
    Damage("header-magic", damage_magic, "Keel: bad boot header"),
    Damage("header-checksum", damage_header_field, "Keel: bad boot header"),
    Damage("stage2-byte", damage_stage2_byte, "Keel loader: stage 2 is damaged"),
    Damage("kernel-elf-magic", damage_kernel_elf_magic, "Keel loader: bad kernel ELF"),
    Damage("kernel-byte", damage_kernel_byte, "Keel loader: the kernel is damaged"),
    Damage("kernel-truncated", truncate_in_kernel, "Keel loader: disk read error at sector"),
    Damage("kernel-outside-ram", move_last_segment_out_of_ram, "Keel loader: not enough memory for the kernel"),
    Damage("initrd-byte", damage_module_byte, "Keel loader: the ramdisk is damaged"),
    Damage("initrd-truncated", truncate_in_module, "Keel loader: disk read error at sector"),
]


def damaged_copy(source, damage, directory):
    """Write `source` with `damage` applied to a new file in `directory`; return its path."""
    with open(source, "rb") as f:
        data = bytearray(f.read())
    data = damage.apply(data, read_layout(data))
    path = os.path.join(directory, f"{damage.name}.img")
    with open(path, "wb") as f:
        f.write(data)
    return path
