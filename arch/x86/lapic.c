/*
 * Local APIC driver (xAPIC, memory-mapped).
 *
 * Each CPU programs its own LAPIC; the only shared state is the timer's
 * calibrated initial count, computed once by the BSP before the APs start
 * (every LAPIC timer counts the same bus clock). Sending an IPI is a write
 * of ICR_HI then ICR_LO; callers keep interrupts off across the pair
 * (lapic_send_ipi does) so an interrupt handler's own IPI cannot land in
 * between and scramble the destination.
 */
#include <arch/x86/lapic.h>
#include <arch/x86/trap.h>
#include <arch/x86/cpu.h>
#include <arch/x86/smp_config.h>
#include <drivers/pit.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/printk.h>

#define LAPIC_ID 0x020
#define LAPIC_VER 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0

#define SVR_ENABLE 0x100
#define LVT_MASKED 0x10000
#define LVT_PERIODIC 0x20000
#define LVT_NMI 0x400
#define ICR_BUSY 0x1000
#define TIMER_DIV_16 0x3

u32 lapic_timer_count;

static inline volatile u32 *reg(u32 off)
{
	return (volatile u32 *)(smp_config.lapic_pa + off);
}
static inline u32 rd(u32 off) { return *reg(off); }
static inline void wr(u32 off, u32 v)
{
	*reg(off) = v;
	(void)rd(LAPIC_ID); /* wait for the write to reach the APIC */
}

bool lapic_present(void)
{
	return smp_config.lapic_pa != 0;
}

u32 lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

void lapic_init(void)
{
	wr(LAPIC_SVR, SVR_ENABLE | T_SPURIOUS);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	/* Device IRQs come through the IOAPIC, not the legacy LINT0 path;
	 * LINT1 carries the machine's NMI. */
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_NMI);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_ESR, 0);
	wr(LAPIC_ESR, 0);
	wr(LAPIC_EOI, 0);
	wr(LAPIC_TPR, 0);
}

/* Count LAPIC timer ticks over 10 ms of PIT time; best of three, like
 * tsc_calibrate(). */
void lapic_timer_calibrate(void)
{
	// LAB 1 BEGIN: count the LAPIC timer against PIT channel 2, set lapic_timer_count
	u32 best = 0;

	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	for (int i = 0; i < 3; i++) {
		wr(LAPIC_LVT_TIMER, LVT_MASKED);
		pit_oneshot_start(10000);
		wr(LAPIC_TIMER_INIT, 0xFFFFFFFF);
		while (!pit_oneshot_done())
			cpu_relax();
		u32 elapsed = 0xFFFFFFFF - rd(LAPIC_TIMER_CUR);
		wr(LAPIC_TIMER_INIT, 0);
		if (elapsed > best)
			best = elapsed;
	}
	/* best ticks per 10 ms -> per 1/hz s */
	lapic_timer_count = (u32)((u64)best * 100 / hz);
	if (lapic_timer_count < 16)
		lapic_timer_count = 16;
	// LAB 1 STUB
	//	/* TODO: measure the timer's rate with pit_oneshot_start() and
	//	 * pit_oneshot_done(); see docs/labs/01-boot-smp.md. Until then: a guess
	//	 * that assumes a 100 MHz bus, ten times too fast for QEMU's 1 GHz one. */
	//	lapic_timer_count = 100000000 / 16 / hz;
	//	printk("LAB 1: lapic_timer_calibrate is not implemented: guessing %u counts per tick\n",
	//	       lapic_timer_count);
	// LAB 1 END
}

static void lapic_timer_irq(struct trapframe *tf)
{
	(void)tf;
	timer_interrupt();
}

void lapic_timer_start(void)
{
	trap_set_handler(T_TIMER, lapic_timer_irq);
	lapic_timer_resume();
}

/* Tickless idle (kernel/sched_idle.c): a zero initial count stops the timer;
 * masking the LVT too keeps a tick already counted down from arriving. */
void lapic_timer_stop(void)
{
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_TIMER_INIT, 0);
}

void lapic_timer_resume(void)
{
	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_PERIODIC | T_TIMER);
	wr(LAPIC_TIMER_INIT, lapic_timer_count);
}

static void icr_wait(void)
{
	while (rd(LAPIC_ICR_LO) & ICR_BUSY)
		cpu_relax();
}

void lapic_send_ipi(u32 apic_id, u32 icr_lo)
{
	irq_push();
	icr_wait();
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, icr_lo);
	icr_wait();
	irq_pop();
}

void lapic_send_ipi_all_but_self(u32 icr_lo)
{
	irq_push();
	icr_wait();
	wr(LAPIC_ICR_LO, icr_lo | ICR_ALL_BUT_SELF);
	icr_wait();
	irq_pop();
}
