/*
 * rtc.h - the CMOS real-time clock, as an independent time reference.
 */
#ifndef KEEL_DRIVERS_RTC_RTC_H
#define KEEL_DRIVERS_RTC_RTC_H

#include <stdint.h>

/* Seconds field of the current time (0-59), read consistently. */
uint8_t rtc_seconds(void);

#endif
