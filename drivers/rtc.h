/* The CMOS real-time clock: read once at boot for the wall-clock time. */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include <kernel/types.h>

u32 rtc_read_epoch(void); /* seconds since 1970-01-01 UTC */

#endif
