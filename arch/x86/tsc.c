/*
 * TSC calibration. QEMU's TCG gives a TSC that runs at a fixed nominal
 * rate; on real hardware an invariant TSC does too. We measure it over
 * 20 ms of PIT time, the best of three tries (a host hiccup only ever makes
 * a try look slower, so the shortest apparent interval is the best).
 */
#include <arch/x86/tsc.h>
#include <drivers/pit.h>

u64 tsc_khz = 1000000; /* a guess until calibrated */

void tsc_calibrate(void)
{
	u64 best = ~0ull;

	for (int i = 0; i < 3; i++) {
		pit_oneshot_start(20000);
		u64 t0 = rdtsc();
		while (!pit_oneshot_done())
			cpu_relax();
		u64 d = rdtsc() - t0;
		if (d < best)
			best = d;
	}
	tsc_khz = best / 20;
	if (!tsc_khz)
		tsc_khz = 1;
}

u64 tsc_to_us(u64 cycles)
{
	return cycles * 1000 / tsc_khz;
}

void udelay(u32 us)
{
	u64 end = rdtsc() + (u64)us * tsc_khz / 1000;

	while (rdtsc() < end)
		cpu_relax();
}
