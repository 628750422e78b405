/*
 * PIT channel 2 as a one-shot stopwatch. Channel 2's gate and output are
 * wired to port 0x61, so we can start it and poll for the end without
 * taking any interrupt (channel 0 stays unused; the LAPIC timers tick).
 */
#include <drivers/pit.h>
#include <arch/x86/cpu.h>

void pit_oneshot_start(u32 us)
{
	u32 count = (u32)((u64)us * PIT_HZ / 1000000);

	if (count > 0xFFFF)
		count = 0xFFFF;
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xB0);                       /* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xFF);
	outb(0x42, count >> 8);
	/* Mode 0 starts counting on the rising edge of the gate: pulse it. */
	outb(0x61, inb(0x61) & ~0x01);
	outb(0x61, inb(0x61) | 0x01);
}

bool pit_oneshot_done(void)
{
	return inb(0x61) & 0x20;                /* ch2 output went high */
}

void pit_busy_wait_us(u32 us)
{
	while (us) {
		u32 step = us > 50000 ? 50000 : us;
		pit_oneshot_start(step);
		while (!pit_oneshot_done())
			cpu_relax();
		us -= step;
	}
}
