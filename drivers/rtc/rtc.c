/*
 * rtc.c - reading the seconds from the MC146818-compatible CMOS clock.
 *
 * Registers are selected through port 0x70 and read through 0x71. While
 * register A's update-in-progress bit is set the time registers may be
 * changing, so the read waits for it to clear and repeats until two reads
 * agree. Register B bit 2 says whether values are binary or BCD.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/rtc/rtc.h>

#define CMOS_INDEX               0x70
#define CMOS_DATA                0x71
#define CMOS_NMI_DISABLE         0x80 /* bit 7 of the index port masks NMIs */
#define RTC_SECONDS              0x00
#define RTC_STATUS_A             0x0A
#define RTC_STATUS_B             0x0B
#define RTC_A_UPDATE_IN_PROGRESS 0x80
#define RTC_B_BINARY             0x04

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, CMOS_NMI_DISABLE | reg);
    return inb(CMOS_DATA);
}

static uint8_t read_seconds_once(void)
{
    while (cmos_read(RTC_STATUS_A) & RTC_A_UPDATE_IN_PROGRESS)
        cpu_relax();
    return cmos_read(RTC_SECONDS);
}

uint8_t rtc_seconds(void)
{
    uint8_t value, again;
    do {
        value = read_seconds_once();
        again = read_seconds_once();
    } while (value != again);
    if (!(cmos_read(RTC_STATUS_B) & RTC_B_BINARY))
        value = (uint8_t)((value >> 4) * 10 + (value & 0x0F));
    return value;
}
