/* The TSC as a clock: calibrated once against the PIT at boot. */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H

#include <kernel/types.h>
#include <arch/x86/cpu.h>

extern u64 tsc_khz;

void tsc_calibrate(void);
static inline u64 rdtsc_now(void) { return rdtsc(); }
u64 tsc_to_us(u64 cycles);
void udelay(u32 us);

#endif
