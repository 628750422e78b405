/*
 * ktests for arch/x86/fpu.c: every CPU has FP/SSE on, the clean image, the
 * save/restore of both formats, fork's copy, and kernel threads that keep
 * their x87 and XMM registers across many switches and migrations.
 *
 * The kernel is built without FP code generation, so these tests move the
 * registers with inline assembly only, and a thread that loads any first
 * calls fpu_reset_current(): without fpu.user its registers are not saved
 * when it is switched out (kernel threads normally have no FP state).
 * Helper names start with fpu_kt_: tests/arch/test_fpu.py allows FP
 * instructions only in fpu_* functions.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <arch/x86/cpu.h>
#include <arch/x86/fpu.h>
#include <arch/x86/ipi.h>
#include <arch/x86/tsc.h>

/* The data registers of an FXSAVE image: ST0-7 (80 bits in 16 bytes
 * each) and XMM0-7. */
struct fpu_kt_regs {
	s32 st[8];              /* loaded with FILD, integers: exact */
	u32 xmm[8][4];
	u16 fcw;
	u32 mxcsr;
};

static void fpu_kt_values(struct fpu_kt_regs *r, u32 seed)
{
	for (int i = 0; i < 8; i++) {
		r->st[i] = (s32)(seed * 1000 + i);
		for (int j = 0; j < 4; j++)
			r->xmm[i][j] = seed << 16 | i << 8 | j;
	}
	/* Precision control 53 bits or 24, all masked; SIMD rounding modes. */
	r->fcw = (seed & 1) ? 0x027F : 0x007F;
	r->mxcsr = FPU_MXCSR_DEFAULT | ((seed & 3) << 13);
}

/* Load r into the CPU: FILD st[7] first, so st[0] ends on top (ST0). */
static void fpu_kt_load(const struct fpu_kt_regs *r)
{
	__asm__ volatile("fninit; fldcw %0" ::"m"(r->fcw));
	for (int i = 7; i >= 0; i--)
		__asm__ volatile("fildl %0" ::"m"(r->st[i]));
	if (!fpu_has_sse)
		return;
	__asm__ volatile("ldmxcsr %0" ::"m"(r->mxcsr));
	__asm__ volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
			 "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
			 "movdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
			 "movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7"
			 ::"r"(r->xmm) : "memory");
}

/* Read the CPU's registers back without changing them: XMM with MOVDQU,
 * the x87 stack by storing copies (FIST of ST(i) via FLD ST(i); FISTP). */
static void fpu_kt_read(struct fpu_kt_regs *r)
{
	__asm__ volatile("fnstcw %0" : "=m"(r->fcw));
	for (int i = 0; i < 8; i++) {
		/* The stack is full, so FLD ST(i) has no slot for its copy:
		 * FXCH ST(i) to the top, FIST it, FXCH back. */
		switch (i) {
		case 0: __asm__ volatile("fistl %0" : "=m"(r->st[0])); break;
#define FPU_KT_ST(n) \
		case n: __asm__ volatile("fxch %%st(" #n ")\n\tfistl %0\n\tfxch %%st(" #n ")" \
					 : "=m"(r->st[n])); break;
		FPU_KT_ST(1) FPU_KT_ST(2) FPU_KT_ST(3) FPU_KT_ST(4)
		FPU_KT_ST(5) FPU_KT_ST(6) FPU_KT_ST(7)
#undef FPU_KT_ST
		}
	}
	memset(r->xmm, 0, sizeof(r->xmm));
	r->mxcsr = 0;
	if (!fpu_has_sse)
		return;
	__asm__ volatile("stmxcsr %0" : "=m"(r->mxcsr));
	__asm__ volatile("movdqu %%xmm0, 0(%0)\n\tmovdqu %%xmm1, 16(%0)\n\t"
			 "movdqu %%xmm2, 32(%0)\n\tmovdqu %%xmm3, 48(%0)\n\t"
			 "movdqu %%xmm4, 64(%0)\n\tmovdqu %%xmm5, 80(%0)\n\t"
			 "movdqu %%xmm6, 96(%0)\n\tmovdqu %%xmm7, 112(%0)"
			 ::"r"(r->xmm) : "memory");
}

/* Differences between what was loaded and what is there (0: none). */
static int fpu_kt_diff(const struct fpu_kt_regs *want, const struct fpu_kt_regs *got, bool sse)
{
	int n = (want->fcw & 0x1F3F) != (got->fcw & 0x1F3F);

	for (int i = 0; i < 8; i++)
		n += want->st[i] != got->st[i];
	if (sse) {
		n += want->mxcsr != got->mxcsr;
		n += memcmp(want->xmm, got->xmm, sizeof(want->xmm)) != 0;
	}
	return n;
}

static volatile u32 fpu_kt_cpus_ok, fpu_kt_cpus_seen;

static void fpu_kt_check_cpu(void *arg)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4(), bit = 1u << this_cpu_id();
	bool ok = (cr0 & CR0_MP) && (cr0 & CR0_NE) && !(cr0 & (CR0_EM | CR0_TS));

	(void)arg;
	if (fpu_format == FPU_FXSAVE)
		ok = ok && (cr4 & CR4_OSFXSR);
	if (fpu_has_sse)
		ok = ok && (cr4 & CR4_OSXMMEXCPT);
	atomic_or(&fpu_kt_cpus_seen, bit);
	if (ok)
		atomic_or(&fpu_kt_cpus_ok, bit);
}

/* Every CPU, BSP and APs, runs with the FPU on and SSE allowed. */
KTEST(fpu_every_cpu_enabled)
{
	KT_ASSERT(t, fpu_format != FPU_NONE);
	kt_info(t, "format %s, SSE %d, SSE2 %d, MXCSR mask %#x",
		fpu_format == FPU_FXSAVE ? "FXSAVE" : "FNSAVE", fpu_has_sse, fpu_has_sse2,
		fpu_mxcsr_mask);
	fpu_kt_cpus_ok = fpu_kt_cpus_seen = 0;
	on_each_cpu(fpu_kt_check_cpu, NULL, true);
	KT_EXPECT_EQ(t, __builtin_popcount(fpu_kt_cpus_seen), ncpus_online);
	KT_EXPECT_EQ(t, fpu_kt_cpus_ok, fpu_kt_cpus_seen);
}

/* After exec's reset: all exceptions masked, default rounding, empty
 * registers, and the struct thread area aligned for FXSAVE. */
KTEST(fpu_clean_state)
{
	struct thread *me = current();
	static u8 img[FPU_AREA_SIZE] __aligned(16); /* the stack is only 4-byte aligned */

	KT_EXPECT_EQ(t, (uintptr_t)me->fpu.area % 16, 0);
	fpu_reset_current();
	KT_EXPECT(t, me->fpu.user);
	KT_EXPECT_EQ(t, fnstcw(), FPU_FCW_DEFAULT);
	KT_EXPECT_EQ(t, fnstsw(), 0);
	if (fpu_format == FPU_FXSAVE) {
		u8 zero[2 * 8 * 16] = { 0 };
		fpu_save_to(img, FPU_FXSAVE);
		KT_EXPECT_EQ(t, *(u16 *)(img + FXSAVE_FCW), FPU_FCW_DEFAULT);
		KT_EXPECT_EQ(t, img[4], 0); /* abridged tag word: all empty */
		KT_EXPECT(t, memcmp(img + FXSAVE_ST0, zero, sizeof(zero)) == 0);
		if (fpu_has_sse)
			KT_EXPECT_EQ(t, stmxcsr(), FPU_MXCSR_DEFAULT);
	}
	me->fpu.user = false;
}

/* Save A, load B, save B, restore A: A is back, exactly; in both formats
 * (FNSAVE, the fallback of CPUs without FXSR, runs on any x87). */
KTEST(fpu_save_restore_formats)
{
	static u8 area_a[FPU_AREA_SIZE] __aligned(16), area_b[FPU_AREA_SIZE] __aligned(16);
	struct fpu_kt_regs a, b, got;
	enum fpu_format fmts[2] = { FPU_FXSAVE, FPU_FNSAVE };

	fpu_reset_current(); /* our registers now survive preemption */
	fpu_kt_values(&a, 11);
	fpu_kt_values(&b, 22);
	for (int k = 0; k < 2; k++) {
		enum fpu_format f = fmts[k];
		bool sse = f == FPU_FXSAVE && fpu_has_sse;

		if (f == FPU_FXSAVE && fpu_format != FPU_FXSAVE)
			continue;
		fpu_kt_load(&a);
		fpu_save_to(area_a, f);
		fpu_kt_read(&got); /* saving left the registers as they were */
		KT_EXPECT_EQ(t, fpu_kt_diff(&a, &got, sse), 0);
		fpu_kt_load(&b);
		fpu_save_to(area_b, f);
		fpu_restore_from(area_a, f);
		fpu_kt_read(&got);
		KT_EXPECT_EQ(t, fpu_kt_diff(&a, &got, sse), 0);
		fpu_restore_from(area_b, f);
		fpu_kt_read(&got);
		KT_EXPECT_EQ(t, fpu_kt_diff(&b, &got, sse), 0);
	}
	fpu_reset_current();
	current()->fpu.user = false;
}

/* fork: the child's area is the parent's live registers; a parent with no
 * user state (a kernel thread starting a process) gives the clean image. */
KTEST(fpu_copy_to_child)
{
	static struct thread child; /* never runs: only its area is used */
	struct thread *me = current();
	struct fpu_kt_regs a, got;

	fpu_reset_current();
	fpu_kt_values(&a, 33);
	fpu_kt_load(&a);
	memset(&child, 0, sizeof(child));
	child.state = T_SLEEPING;
	fpu_copy(&child, me);
	KT_EXPECT(t, child.fpu.user);
	fpu_kt_read(&got);
	KT_EXPECT_EQ(t, fpu_kt_diff(&a, &got, fpu_has_sse), 0); /* ours unchanged */
	fpu_reset_current();
	fpu_restore_from(child.fpu.area, fpu_format);
	fpu_kt_read(&got);
	KT_EXPECT_EQ(t, fpu_kt_diff(&a, &got, fpu_has_sse), 0); /* the child's copy */

	me->fpu.user = false;
	memset(&child, 0, sizeof(child));
	child.state = T_SLEEPING;
	fpu_copy(&child, me);
	KT_EXPECT(t, child.fpu.user);
	KT_EXPECT(t, memcmp(child.fpu.area, fpu_clean_area, FPU_AREA_SIZE) == 0);
}

/* Many kernel threads, more than CPUs, each with its own values in all
 * x87 and XMM registers (and its own FCW and MXCSR), yield and spin for
 * many rounds and check their registers after each. They share CPUs, so
 * they are switched on one CPU, and they move between CPUs. */
#define FPU_KT_THREADS_PER_CPU 3
#define FPU_KT_ROUNDS 300
static volatile u32 fpu_kt_bad[3 * MAX_CPUS];
static volatile u32 fpu_kt_switches[3 * MAX_CPUS];
static volatile u32 fpu_kt_ran_on[3 * MAX_CPUS];

static void fpu_kt_worker(void *arg)
{
	int id = (int)(uintptr_t)arg;
	struct fpu_kt_regs want, got;
	u64 sw0;

	fpu_reset_current();
	fpu_kt_values(&want, 100 + id);
	fpu_kt_load(&want);
	sw0 = current()->switches;
	for (int round = 0; round < FPU_KT_ROUNDS; round++) {
		if (round & 1)
			yield();
		else
			for (volatile int spin = 0; spin < 2000; spin++) /* a tick may preempt */
				;
		fpu_kt_read(&got);
		if (fpu_kt_diff(&want, &got, fpu_has_sse)) {
			fpu_kt_bad[id]++;
			fpu_kt_load(&want); /* count each corruption once */
		}
	}
	fpu_kt_switches[id] = (u32)(current()->switches - sw0);
	fpu_kt_ran_on[id] = current()->ran_on_mask;
}

KTEST(fpu_threads_keep_registers)
{
	struct thread *th[3 * MAX_CPUS];
	int n = FPU_KT_THREADS_PER_CPU * ncpus_online;
	u32 bad = 0, switches = 0, cpus = 0;

	for (int i = 0; i < n; i++) {
		fpu_kt_bad[i] = fpu_kt_switches[i] = 0;
		KT_ASSERT(t, (th[i] = kthread_create(fpu_kt_worker, (void *)(uintptr_t)i, "fpu_kt",
						     false)));
	}
	for (int i = 0; i < n; i++) {
		kthread_join(th[i]);
		cpus |= fpu_kt_ran_on[i];
		bad += fpu_kt_bad[i];
		switches += fpu_kt_switches[i];
	}
	kt_info(t, "%d threads, %u switches in all, on cpus 0x%x, %u corrupted register sets", n,
		switches, cpus, bad);
	KT_EXPECT_EQ(t, bad, 0);
	/* yield switches only when another thread waits on the same CPU, and
	 * how the threads spread depends on the host's load (each vCPU is a
	 * host thread): ask for one switch per thread on average, enough to
	 * prove the registers survived switches, not a count a busy host
	 * cannot always give (it failed once with four vCPUs on a loaded host) */
	KT_EXPECT(t, switches >= (u32)n);
}

static void fpu_kt_yielder(void *arg)
{
	if (arg)
		fpu_reset_current();
	for (int i = 0; i < 2000; i++)
		yield();
}

/* TSC cycles per context switch of two threads that only yield, with or
 * without FP state (meaningful at -smp 1, where they alternate). */
static u64 fpu_kt_yield_cost(bool fp, u64 *nswitches)
{
	struct thread *a, *b;
	u64 t0 = rdtsc(), sw;

	a = kthread_create(fpu_kt_yielder, (void *)fp, "fpu_y", false);
	b = kthread_create(fpu_kt_yielder, (void *)fp, "fpu_y", false);
	if (!a || !b)
		return 0;
	wait_for_completion(&a->exited);
	wait_for_completion(&b->exited);
	sw = a->switches + b->switches;
	kthread_join(a);
	kthread_join(b);
	*nswitches = sw;
	return sw ? (rdtsc() - t0) / sw : 0;
}

/* What eager switching costs: an FXSAVE+FXRSTOR pair, in TSC cycles, and a
 * whole switch with and without it. */
KTEST(fpu_switch_cost)
{
	u64 plain, with_fp, n1 = 0, n2 = 0;

	static u8 area[FPU_AREA_SIZE] __aligned(16);
	const int n = 20000;
	u64 t0, t1, t2;

	fpu_reset_current();
	irq_push();
	t0 = rdtsc();
	for (int i = 0; i < n; i++) {
		fpu_save_to(area, fpu_format);
		fpu_restore_from(area, fpu_format);
	}
	t1 = rdtsc();
	for (volatile int i = 0; i < n; i++)
		memcpy(area, fpu_clean_area, 64); /* a yardstick: copy 64 bytes */
	t2 = rdtsc();
	irq_pop();
	current()->fpu.user = false;
	kt_info(t, "save+restore (%s): %llu TSC cycles (%llu ns); a 64-byte memcpy: %llu cycles",
		fpu_format == FPU_FXSAVE ? "FXSAVE/FXRSTOR" : "FNSAVE/FRSTOR", (t1 - t0) / n,
		(t1 - t0) * 1000000 / n / tsc_khz, (t2 - t1) / n);
	if (ncpus_online == 1) { /* with more CPUs the two threads need not alternate */
		plain = fpu_kt_yield_cost(false, &n1);
		with_fp = fpu_kt_yield_cost(true, &n2);
		kt_info(t, "yield ping-pong: %llu cycles per switch without FP state (%llu switches), "
			"%llu with (%llu switches)", plain, n1, with_fp, n2);
	}
	KT_EXPECT(t, t1 > t0);
}
