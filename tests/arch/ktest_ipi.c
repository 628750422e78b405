/* ktests for arch/x86/ipi.c: on_each_cpu. */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <arch/x86/ipi.h>
#include <arch/x86/cpu.h>
#include <mm/kmalloc.h>

static volatile u32 reached;
static volatile u32 hits[MAX_CPUS];

static void mark(void *arg)
{
	(void)arg;
	KT_EXPECT((struct ktest *)arg, !irqs_enabled());
	atomic_or(&reached, 1u << this_cpu_id());
	atomic_inc(&hits[this_cpu_id()]);
}

static u32 online_mask(void)
{
	struct cpu *c;
	u32 m = 0;

	for_each_online_cpu(c)
		m |= 1u << c->id;
	return m;
}

KTEST(on_each_cpu_all)
{
	reached = 0;
	on_each_cpu(mark, t, true);
	kt_info(t, "reached %d of %d cpus (mask 0x%x)", __builtin_popcount(reached), ncpus_online,
		reached);
	KT_EXPECT_EQ(t, reached, online_mask());
}

KTEST(on_each_cpu_nowait)
{
	size_t heap = kmalloc_bytes_in_use();
	u64 deadline = jiffies + 10 * hz;

	reached = 0;
	on_each_cpu(mark, t, false);
	while ((reached != online_mask() || kmalloc_bytes_in_use() != heap) && jiffies < deadline)
		sleep_ticks(1);
	KT_EXPECT_EQ(t, reached, online_mask());
	KT_EXPECT_EQ(t, kmalloc_bytes_in_use(), heap);
}

#define CALLS 40
static void broadcaster(void *arg)
{
	for (int i = 0; i < CALLS; i++)
		on_each_cpu(mark, arg, true);
}

/* Every CPU broadcasting at once: waiting senders must keep serving each
 * other's requests, or this deadlocks. */
KTEST(on_each_cpu_concurrent)
{
	struct thread *th[MAX_CPUS];
	int n = ncpus_online;
	struct cpu *c;

	for (int i = 0; i < MAX_CPUS; i++)
		hits[i] = 0;
	for (int i = 0; i < n; i++)
		KT_ASSERT(t, (th[i] = kthread_create(broadcaster, t, "bcast", false)));
	for (int i = 0; i < n; i++)
		kthread_join(th[i]);
	for_each_online_cpu(c)
		KT_EXPECT_EQ(t, hits[c->id], (u32)n * CALLS);
}
