/*
 * Kernel time: jiffies (timer ticks counted by CPU 0 at `hz` per second)
 * and a TSC clock for fine-grained and boot-time measurements.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <kernel/types.h>

extern volatile u64 jiffies;
extern u32 hz;

void timer_interrupt(void);           /* every CPU's LAPIC timer */
u64 ms_to_ticks(u32 ms);
u32 ticks_to_ms(u64 ticks);
u64 uptime_ms(void);                  /* from TSC since kernel entry */
u32 boot_epoch_seconds(void);         /* CLOCK_REALTIME at uptime 0 (the RTC at boot) */

#endif
