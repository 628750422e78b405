/* The 8254 PIT, used only as a known clock to calibrate the TSC and LAPIC. */
#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H

#include <kernel/types.h>

#define PIT_HZ 1193182

/* Start a one-shot countdown of `us` microseconds on channel 2. */
void pit_oneshot_start(u32 us);
bool pit_oneshot_done(void);
void pit_busy_wait_us(u32 us);

#endif
