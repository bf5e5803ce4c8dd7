/*
 * rtc.h - the CMOS real-time clock, as an independent time reference.
 */
#ifndef KEEL_DRIVERS_RTC_RTC_H
#define KEEL_DRIVERS_RTC_RTC_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds field of the current time (0-59), read consistently. */
uint8_t rtc_seconds(void);
/* The time of day, 24-hour (the registers may change between the fields
 * at a minute's turn; a clock display redraws a second later anyway). */
void rtc_read_time(uint8_t *hours, uint8_t *minutes, uint8_t *seconds);

#endif
