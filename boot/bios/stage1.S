/*
 * stage1.S - Keel's master boot record: from the BIOS to stage 2.
 *
 * The BIOS loads this sector to 0x7C00 and jumps to it in 16-bit real mode
 * with the boot drive number in DL. In at most 446 bytes (the partition table
 * and the 0x55AA signature take the rest of the sector) it:
 *   1. sets up segments and a stack below itself,
 *   2. checks for the INT 13h extensions (LBA addressing),
 *   3. finds the active partition in its own partition table,
 *   4. reads the partition's first sector, the Keel boot header
 *      (boot/bios/bootimg.h), to 0x7E00 and checks its magic and checksum,
 *   5. reads stage 2 (position and length from the header) to 0x8000 and
 *      jumps there with DL = boot drive and SI = the partition entry.
 * Any failure prints a one-line message through the BIOS and halts.
 *
 * Memory used (boot/bios/addresses.h): 0x0500-0x6FFF stack (not in this
 * sector's page), 0x7C00 this sector, 0x7E00 the header, 0x8000-0xFFFF
 * stage 2.
 */
#include <boot/bios/bootimg.h>
#include <boot/bios/addresses.h>

#define PARTITION_TABLE (STAGE1_ADDR + MBR_PARTITION_TABLE)
#define READ_ATTEMPTS 3

#define BIOS_DISK 0x13
#define DISK_RESET 0x00
#define DISK_EXT_CHECK 0x41         /* BX = 0x55AA in, 0xAA55 out if present */
#define DISK_EXT_READ 0x42          /* DS:SI = disk address packet */
#define EXT_SUPPORT_PACKETS 0x01    /* CX bit 0: AH=42h..44h, 47h, 48h */
#define BIOS_VIDEO 0x10
#define VIDEO_TELETYPE 0x0E

/* What stage1.ld needs, as absolute symbols (a linker script cannot read
 * headers): where the sector is loaded, where its code must end and where
 * the boot signature goes. */
    .global __stage1_addr, __stage1_code_limit, __mbr_signature_addr, __mbr_signature
    .set __stage1_addr, STAGE1_ADDR
    .set __stage1_code_limit, STAGE1_ADDR + MBR_PARTITION_TABLE
    .set __mbr_signature_addr, STAGE1_ADDR + MBR_SIGNATURE_OFFSET
    .set __mbr_signature, MBR_SIGNATURE

    .code16
    .section .text
    .global _start
_start:
    cli                             /* no interrupts while SS:SP is inconsistent */
    xor %ax, %ax                    /* segment 0: addresses below are linear (0x7C00..) */
    mov %ax, %ds                    /* data: our variables and the header */
    mov %ax, %es                    /* string instructions (cmpsb) use ES:DI */
    mov %ax, %ss                    /* stack segment ... */
    mov $LOADER_STACK_TOP, %sp      /* ... growing down from the page below this one */
    ljmp $0, $start_normalized      /* some BIOSes enter at 07C0:0000: make CS = 0 */
start_normalized:
    sti                             /* the BIOS disk services need their interrupts */
    cld                             /* string instructions count upwards */
    mov %dl, boot_drive             /* the BIOS tells us which disk we came from */

    /* INT 13h extensions present, with the disk address packet functions? */
    mov $DISK_EXT_CHECK, %ah        /* AH=41h: installation check */
    mov $0x55AA, %bx                /* the BIOS swaps this to 0xAA55 if present */
    int $BIOS_DISK                  /* DL still holds the drive number */
    jc no_lba                       /* carry: function unknown */
    cmp $0xAA55, %bx                /* both bytes swapped? */
    jne no_lba
    test $EXT_SUPPORT_PACKETS, %cx  /* can it read with a disk address packet? */
    jz no_lba

    /* The active partition holds the boot header in its first sector. */
    mov $PARTITION_TABLE, %si       /* first of the four entries */
    mov $MBR_PARTITION_COUNT, %cx   /* loop counter */
1:  cmpb $MBR_STATUS_ACTIVE, MBR_ENTRY_STATUS(%si) /* status 0x80: the one to boot */
    je 2f
    add $MBR_PARTITION_ENTRY_SIZE, %si /* next entry */
    loop 1b                         /* CX-- and repeat while not zero */
    mov $msg_no_partition, %si      /* none active: nothing to boot */
    jmp fail
2:  mov %si, partition_entry        /* handed to stage 2 (the DS:SI convention) */
    mov MBR_ENTRY_LBA_START(%si), %eax /* the partition's first sector */
    mov %eax, partition_lba

    mov %eax, dap_lba               /* read that first sector: the boot header */
    mov $1, %bp                     /* one sector */
    movw $BOOT_HEADER_ADDR, dap_offset /* to 0:0x7E00 */
    call read_sectors

    /* Header: "KEELBOOT" and a byte sum of 0 over the sector. */
    mov $BOOT_HEADER_ADDR, %si      /* compare DS:SI (header) ... */
    mov $magic, %di                 /* ... with ES:DI (expected magic) ... */
    mov $BOOTIMG_MAGIC_LEN, %cx     /* ... for 8 bytes */
    repe cmpsb                      /* stops at the first difference */
    jne bad_header
    mov $BOOT_HEADER_ADDR, %si      /* now add up all 512 bytes */
    mov $BOOTIMG_SECTOR_SIZE, %cx
    xor %al, %al                    /* running sum, modulo 256 */
3:  add (%si), %al
    inc %si
    loop 3b
    test %al, %al                   /* the tool's checksum byte makes it 0 */
    jnz bad_header

    /* Stage 2: 1..64 sectors, read in one call. */
    mov BOOT_HEADER_ADDR + BOOTIMG_HEADER_STAGE2_SECTORS, %eax /* stage 2's length */
    test %eax, %eax                 /* empty: the header is wrong */
    jz bad_header
    cmp $BOOTIMG_STAGE2_MAX_SECTORS, %eax /* must end below 0x10000 */
    ja bad_header
    mov %ax, %bp                    /* sector count for read_sectors */
    mov BOOT_HEADER_ADDR + BOOTIMG_HEADER_STAGE2_LBA, %eax /* where in the partition */
    add partition_lba, %eax         /* ... as an absolute sector number */
    mov %eax, dap_lba
    movw $STAGE2_ADDR, dap_offset   /* to 0:0x8000 */
    call read_sectors

    mov boot_drive, %dl             /* stage 2's inputs: DL = drive, */
    mov partition_entry, %si        /* SI = our partition entry */
    ljmp $0, $STAGE2_ADDR           /* CS:IP = 0000:8000 */

/* Read BP sectors from dap_lba to 0:dap_offset, trying READ_ATTEMPTS times
 * with a disk reset in between (floppy-era advice that USB and old IDE
 * BIOSes still appreciate). The count is rewritten before every attempt
 * because a failed call reports in it how many sectors were transferred. */
read_sectors:
    mov $READ_ATTEMPTS, %di         /* attempts left */
4:  mov %bp, dap_count              /* sectors wanted */
    mov $dap, %si                   /* DS:SI = the disk address packet */
    mov $DISK_EXT_READ, %ah         /* AH=42h: extended read */
    mov boot_drive, %dl
    int $BIOS_DISK
    jnc 5f                          /* carry clear: done */
    dec %di
    jz disk_error                   /* out of attempts */
    mov $DISK_RESET, %ah            /* AH=00h: reset the disk system ... */
    mov boot_drive, %dl
    int $BIOS_DISK
    jmp 4b                          /* ... and try again */
5:  ret

no_lba:
    mov $msg_no_lba, %si
    jmp fail
disk_error:
    mov $msg_disk_error, %si
    jmp fail
bad_header:
    mov $msg_bad_header, %si
    /* fall through */

/* Print the NUL-terminated string at SI with the BIOS teletype function,
 * then halt. hlt with interrupts off never resumes (NMIs aside: loop). */
fail:
    lodsb                           /* AL = next character, SI++ */
    test %al, %al                   /* NUL: end of the message */
    jz 6f
    mov $VIDEO_TELETYPE, %ah        /* AH=0Eh: write AL, advance the cursor */
    mov $0x0007, %bx                /* page 0, light grey */
    int $BIOS_VIDEO
    jmp fail
6:  cli                             /* nothing may wake us ... */
    hlt                             /* ... so this stops the CPU */
    jmp 6b                          /* an NMI still can: halt again */

magic:
    .ascii BOOTIMG_MAGIC
msg_no_lba:
    .asciz "\r\nKeel: no LBA support"
msg_disk_error:
    .asciz "\r\nKeel: disk read error"
msg_no_partition:
    .asciz "\r\nKeel: no active partition"
msg_bad_header:
    .asciz "\r\nKeel: bad boot header"

/* INT 13h AH=42h disk address packet (EDD 3.0 spec, table 1). */
    .balign 4
dap:
    .byte 16                        /* packet size */
    .byte 0                         /* reserved */
dap_count:
    .word 0                         /* sectors to read */
dap_offset:
    .word 0                         /* buffer offset */
    .word 0                         /* buffer segment */
dap_lba:
    .long 0                         /* first sector, low 32 bits */
    .long 0                         /* high 32 bits: images stay below 2 TiB */

boot_drive:
    .byte 0
partition_entry:
    .word 0
partition_lba:
    .long 0
