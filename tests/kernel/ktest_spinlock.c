/* ktests for kernel/spinlock.c: interrupt nesting and mutual exclusion. */
#include <kernel/ktest.h>
#include <kernel/spinlock.h>
#include <kernel/sched.h>
#include <arch/x86/cpu.h>

KTEST(spinlock_basic)
{
	DEFINE_SPINLOCK(a);
	DEFINE_SPINLOCK(b);

	KT_ASSERT(t, irqs_enabled());
	spin_lock(&a);
	KT_EXPECT(t, !irqs_enabled());
	KT_EXPECT(t, spin_held(&a));
	KT_EXPECT(t, !spin_trylock(&a));
	spin_lock(&b);
	spin_unlock(&b);
	KT_EXPECT(t, !irqs_enabled()); /* still inside a */
	spin_unlock(&a);
	KT_EXPECT(t, irqs_enabled());
	KT_EXPECT(t, !spin_held(&a));
	KT_EXPECT(t, spin_trylock(&a));
	spin_unlock(&a);
	/* A lock taken with interrupts already off leaves them off. */
	cli();
	spin_lock(&a);
	spin_unlock(&a);
	KT_EXPECT(t, !irqs_enabled());
	sti();
}

#define CONTENTION_LOOPS 4000
static DEFINE_SPINLOCK(counter_lock);
static volatile u32 counter;

static void contend(void *arg)
{
	(void)arg;
	for (int i = 0; i < CONTENTION_LOOPS; i++) {
		spin_lock(&counter_lock);
		u32 v = counter;        /* a non-atomic read-modify-write: */
		cpu_relax();            /* without the lock, increments get lost */
		counter = v + 1;
		spin_unlock(&counter_lock);
	}
}

KTEST(spinlock_contention)
{
	struct thread *th[2 * MAX_CPUS];
	int n = 2 * ncpus_online;

	counter = 0;
	for (int i = 0; i < n; i++)
		KT_ASSERT(t, (th[i] = kthread_create(contend, NULL, "contend", false)));
	for (int i = 0; i < n; i++)
		kthread_join(th[i]);
	KT_EXPECT_EQ(t, counter, (u32)n * CONTENTION_LOOPS);
	kt_info(t, "%d threads, %u increments", n, counter);
}
