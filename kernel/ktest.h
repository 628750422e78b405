/*
 * In-kernel unit tests, reported in KTAP (the format of Linux's KUnit).
 *
 *     KTEST(frame_alloc_free)
 *     {
 *             struct page *p = alloc_page();
 *             KT_ASSERT(t, p != NULL);          // fails and ends the test
 *             KT_EXPECT_EQ(t, p->order, 0);     // fails, goes on
 *             free_page(p);
 *     }
 *
 * Tests live under tests/, mirroring the tree they test, and are linked
 * into every kernel (section .ktests); `ktest=all` or `ktest=a,b` on the
 * command line runs them in a kernel thread after SMP boot, then QEMU exits
 * with status 1 (all passed) or 3 (some failed).
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <kernel/types.h>
#include <kernel/printk.h>
#include <kernel/percpu.h>

struct ktest {
	const char *name;
	int failures;
	const char *skip;       /* why it did not run (KTAP "# SKIP") */
};

struct ktest_case {
	const char *name;
	void (*fn)(struct ktest *t);
};

#define KTEST(n)                                                                       \
	static void ktest_##n(struct ktest *t);                                         \
	static const struct ktest_case __ktest_case_##n __section(".ktests") __used = { \
		#n, ktest_##n };                                                        \
	static void ktest_##n(struct ktest *t __unused)

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A diagnostic line ("# name: ...") in the KTAP output. */
#define kt_info(t, fmt, ...) printk("# %s: " fmt "\n", (t)->name, ##__VA_ARGS__)

#define KT_EXPECT(t, c)                                                      \
	do {                                                                 \
		if (!(c))                                                    \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #c); \
	} while (0)
#define KT_EXPECT_EQ(t, a, b)                                                               \
	do {                                                                                \
		long long __a = (long long)(a), __b = (long long)(b);                       \
		if (__a != __b)                                                             \
			ktest_fail(t, __FILE__, __LINE__, "expected %s == %s, got %lld != %lld", \
				   #a, #b, __a, __b);                                       \
	} while (0)
#define KT_ASSERT(t, c)                                                              \
	do {                                                                         \
		if (!(c)) {                                                          \
			ktest_fail(t, __FILE__, __LINE__, "assertion %s failed", #c); \
			return;                                                      \
		}                                                                    \
	} while (0)

/* A test that needs more CPUs than this boot has ends at once and is
 * reported as skipped, not passed: `ktest=all` runs at -smp 1 too. */
#define KT_REQUIRE_CPUS(t, n)                                          \
	do {                                                           \
		if (ncpus_online < (n)) {                              \
			(t)->skip = "needs " #n " CPUs";               \
			return;                                        \
		}                                                      \
	} while (0)

bool ktest_requested(void);
void ktest_run(void);       /* runs the requested tests, then exits QEMU */

#endif
