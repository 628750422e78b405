/*
 * ktests for arch/x86/tls.c: the GDT's TLS slots follow the running thread
 * across switches (tls_load in the scheduler), and the return-to-user
 * fixup zeroes exactly the selectors whose slot is empty. Kernel threads
 * run with %fs = %gs = 0, so changing their tls[] touches nothing but the
 * slots these tests look at. The user-visible side (set_thread_area, %gs
 * reads, a stale selector) is tests/fixtures/progs/tlstest.c.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <arch/x86/tls.h>
#include <arch/x86/gdt.h>
#include <arch/x86/trap.h>
#include <arch/x86/cpu.h>

#define TLS_DATA (SEG_P | SEG_DPL(3) | SEG_S | SEG_ACCESSED | SEG_DATA_W)
#define SEL(idx) (((idx) << 3) | 3)

static void set_own_tls(u64 d0, u64 d1, u64 d2)
{
	struct thread *me = current();

	irq_push();
	me->tls[0] = d0;
	me->tls[1] = d1;
	me->tls[2] = d2;
	tls_load(this_cpu(), me);
	irq_pop();
}

KTEST(tls_fixup_zeroes_dead_selectors)
{
	struct trapframe tf;

	set_own_tls(seg_desc(0x1000, 0xFFFFF, TLS_DATA, GRAN_4K_32), 0, 0);
	memset(&tf, 0, sizeof(tf));
	tf.cs = USER_CS;
	tf.gs = SEL(SEG_TLS_MIN);               /* live: kept */
	tf.fs = SEL(SEG_TLS_MIN + 1);           /* empty: zeroed */
	tf.es = SEL(SEG_TLS_MAX) & ~3u;         /* empty, RPL 0: zeroed */
	tf.ds = USER_DS;                        /* not a TLS slot: kept */
	tf.user_ss = USER_DS;
	irq_push();
	tls_fixup_user_segments(&tf);
	irq_pop();
	KT_EXPECT_EQ(t, tf.gs, SEL(SEG_TLS_MIN));
	KT_EXPECT_EQ(t, tf.fs, 0);
	KT_EXPECT_EQ(t, tf.es, 0);
	KT_EXPECT_EQ(t, tf.ds, USER_DS);
	KT_EXPECT_EQ(t, tf.user_ss, USER_DS);
	set_own_tls(0, 0, 0);
}

/* Threads with different descriptors, more of them than CPUs, yielding:
 * after every switch back, this CPU's slots are the thread's own. */
#define TLS_THREADS 6
#define TLS_ROUNDS 300
static volatile int tls_mismatch, tls_rounds;

static void tls_switcher(void *arg)
{
	u32 id = (u32)(uintptr_t)arg;
	u64 mine = seg_desc(0x10000 * (id + 1), 0xFFFFF, TLS_DATA, GRAN_4K_32);

	set_own_tls(0, mine, 0);
	for (int i = 0; i < TLS_ROUNDS; i++) {
		yield();
		irq_push();
		if (this_cpu()->gdt.seg[SEG_TLS_MIN + 1] != mine ||
		    this_cpu()->gdt.seg[SEG_TLS_MIN] != 0)
			__atomic_add_fetch(&tls_mismatch, 1, __ATOMIC_SEQ_CST);
		irq_pop();
		__atomic_add_fetch(&tls_rounds, 1, __ATOMIC_SEQ_CST);
	}
	set_own_tls(0, 0, 0);
}

KTEST(tls_slots_follow_thread)
{
	struct thread *th[TLS_THREADS];

	tls_mismatch = 0;
	tls_rounds = 0;
	for (int i = 0; i < TLS_THREADS; i++)
		KT_ASSERT(t, (th[i] = kthread_create(tls_switcher, (void *)(uintptr_t)i, "tlssw", false)));
	for (int i = 0; i < TLS_THREADS; i++)
		kthread_join(th[i]);
	KT_EXPECT_EQ(t, tls_rounds, TLS_THREADS * TLS_ROUNDS);
	KT_EXPECT_EQ(t, tls_mismatch, 0);
}
