/*
 * memory_probe.c - asking the BIOS how much memory there is.
 *
 * INT 15h EAX=E820h returns the map one entry per call: EDX = "SMAP",
 * ECX = buffer size (24 to get ACPI 3.0 attributes), EBX = continuation
 * value (0 first; 0 on return = that was the last), ES:DI = buffer; carry
 * set or EAX != "SMAP" means unsupported (first call) or end (later).
 * E801h is the fallback for older firmware. (ACPI spec, "System Address Map
 * Interfaces"; OSDev "Detecting Memory (x86)".)
 */
#include <boot/bios/bios.h>
#include <boot/bios/loader.h>

#define BIOS_SYSTEM              0x15
#define BIOS_CONVENTIONAL_MEMORY 0x12
#define E820_FUNCTION            0xE820
#define E801_FUNCTION            0xE801
#define SMAP_SIGNATURE           0x534D4150 /* "SMAP" */

static struct e820_entry bios_buffer; /* below 64 KiB: ES = 0, DI = address */

/* One E820 call; returns the entry size the BIOS wrote (0 = stop). */
static uint32_t e820_next(uint32_t *continuation)
{
    bios_buffer = (struct e820_entry){.acpi_attributes = E820_ACPI_ENTRY_VALID};
    struct bios_regs regs = {
        .eax = E820_FUNCTION,
        .ebx = *continuation,
        .ecx = E820_ENTRY_FULL_SIZE,
        .edx = SMAP_SIGNATURE,
        .edi = (uint32_t)(uintptr_t)&bios_buffer,
    };
    bios_call(BIOS_SYSTEM, &regs);
    if (bios_failed(&regs) || regs.eax != SMAP_SIGNATURE)
        return 0;
    *continuation = regs.ebx;
    return regs.ecx < E820_ENTRY_MIN_SIZE ? E820_ENTRY_MIN_SIZE : regs.ecx;
}

static size_t e820_detect(struct e820_entry *map, size_t capacity)
{
    uint32_t continuation = 0;
    size_t count = 0, dropped = 0;
    do {
        uint32_t size = e820_next(&continuation);
        if (size == 0)
            break;
        if (!e820_accept(&bios_buffer, size))
            continue;
        if (count < capacity)
            map[count++] = bios_buffer;
        else
            dropped++;
    } while (continuation != 0);
    if (dropped)
        loader_printf("warning: %u memory map entries did not fit and were ignored\n",
                      (unsigned)dropped);
    return count;
}

static size_t e801_detect(struct e820_entry *map, size_t capacity)
{
    struct bios_regs regs = {.eax = E801_FUNCTION};
    bios_call(BIOS_SYSTEM, &regs);
    if (bios_failed(&regs) || capacity < 3)
        return 0;
    uint32_t low = regs.eax & 0xFFFF, high = regs.ebx & 0xFFFF;
    if (low == 0 && high == 0) { /* some BIOSes answer in CX/DX only */
        low = regs.ecx & 0xFFFF;
        high = regs.edx & 0xFFFF;
    }
    return e801_to_map(memory_conventional_kib(), low, high, map);
}

uint32_t memory_conventional_kib(void)
{
    struct bios_regs regs = {0};
    bios_call(BIOS_CONVENTIONAL_MEMORY, &regs);
    return regs.eax & 0xFFFF;
}

size_t memory_detect(struct e820_entry *map, size_t capacity, const char **method)
{
    size_t count = e820_detect(map, capacity);
    *method = "E820";
    if (count == 0) {
        count = e801_detect(map, capacity);
        *method = "E801";
    }
    return count;
}
