/*
 * rtc.c - reading the time from the MC146818-compatible CMOS clock.
 *
 * Registers are selected through port 0x70 and read through 0x71. While
 * register A's update-in-progress bit is set the time registers may be
 * changing, so the read waits for it to clear and repeats until two reads
 * agree. Register B bit 2 says whether values are binary or BCD. The
 * index and the data port are one register pair: cmos_lock keeps another
 * CPU's index write from coming between them.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/rtc/rtc.h>
#include <kernel/spinlock.h>
#include <stdbool.h>

#define CMOS_INDEX               0x70
#define CMOS_DATA                0x71
#define CMOS_NMI_DISABLE         0x80 /* bit 7 of the index port masks NMIs */
#define RTC_SECONDS              0x00
#define RTC_MINUTES              0x02
#define RTC_HOURS                0x04
#define RTC_B_24_HOUR            0x02
#define RTC_HOUR_PM              0x80 /* 12-hour mode: bit 7 of the hours register */
#define RTC_STATUS_A             0x0A
#define RTC_STATUS_B             0x0B
#define RTC_A_UPDATE_IN_PROGRESS 0x80
#define RTC_B_BINARY             0x04

static struct spinlock cmos_lock = SPINLOCK_INIT("cmos_lock");

static uint8_t cmos_read(uint8_t reg)
{
    uint64_t flags = spin_lock_irqsave(&cmos_lock);
    outb(CMOS_INDEX, CMOS_NMI_DISABLE | reg);
    uint8_t value = inb(CMOS_DATA);
    spin_unlock_irqrestore(&cmos_lock, flags);
    return value;
}

static uint8_t read_once(uint8_t reg)
{
    while (cmos_read(RTC_STATUS_A) & RTC_A_UPDATE_IN_PROGRESS)
        cpu_relax();
    return cmos_read(reg);
}

/* A time register, read until two reads agree, as it is stored (BCD or not). */
static uint8_t read_stable(uint8_t reg)
{
    uint8_t value, again;
    do {
        value = read_once(reg);
        again = read_once(reg);
    } while (value != again);
    return value;
}

static uint8_t to_binary(uint8_t value)
{
    if (cmos_read(RTC_STATUS_B) & RTC_B_BINARY)
        return value;
    return (uint8_t)((value >> 4) * 10 + (value & 0x0F));
}

uint8_t rtc_seconds(void)
{
    return to_binary(read_stable(RTC_SECONDS));
}

void rtc_read_time(uint8_t *hours, uint8_t *minutes, uint8_t *seconds)
{
    uint8_t raw_hours = read_stable(RTC_HOURS);
    bool pm = !(cmos_read(RTC_STATUS_B) & RTC_B_24_HOUR) && (raw_hours & RTC_HOUR_PM);
    uint8_t h = to_binary((uint8_t)(raw_hours & ~RTC_HOUR_PM));
    if (!(cmos_read(RTC_STATUS_B) & RTC_B_24_HOUR))
        h = (uint8_t)(h % 12 + (pm ? 12 : 0));
    *hours = h;
    *minutes = to_binary(read_stable(RTC_MINUTES));
    *seconds = rtc_seconds();
}
