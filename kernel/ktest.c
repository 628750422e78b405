/*
 * The ktest runner (see ktest.h). Runs in one kernel thread, tests one
 * after another; a test may start threads of its own and must wait for
 * them before returning.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/cmdline.h>
#include <kernel/string.h>
#include <mm/frame.h>
#include <mm/deferred_free.h>
#include <mm/kmalloc.h>
#include <mm/swapfile.h>
#include <mm/swap_slots.h>
#include <drivers/qemu_exit.h>

extern const struct ktest_case __ktests_start[], __ktests_end[];

static char ktest_filter[256];
CMDLINE_PARAM_STRING(ktest, ktest_filter, "run in-kernel tests: all, or a comma list of names");

bool ktest_requested(void)
{
	return ktest_filter[0] != 0;
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("# %s: FAIL at %s:%d: %s\n", t->name, file, line, msg);
	t->failures++;
}

static bool selected(const char *name)
{
	const char *p = ktest_filter;
	size_t n = strlen(name);

	if (!strcmp(ktest_filter, "all"))
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

/* Names in the filter that match no test are an error, not a silent pass. */
/* Free swap slots, and those a failed write retired (a test of write
 * errors marks one bad on purpose: that is not a leak). */
static u32 swap_slots_unlost(void)
{
	return swap_free_pages() + swap_area_main.nbad_later;
}

static int unknown_names(void)
{
	const char *p = ktest_filter;
	int bad = 0;

	if (!strcmp(ktest_filter, "all"))
		return 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool found = false;
		for (const struct ktest_case *c = __ktests_start; c < __ktests_end; c++)
			if (strlen(c->name) == len && !strncmp(c->name, p, len))
				found = true;
		if (!found && len) {
			printk("# ktest: no test named '%.*s'\n", (int)len, p);
			bad++;
		}
		p += len + (end ? 1 : 0);
	}
	return bad;
}

void ktest_run(void)
{
	int total = 0, passed = 0, failed, num = 0;
	int bad = unknown_names();

	for (const struct ktest_case *c = __ktests_start; c < __ktests_end; c++)
		if (selected(c->name))
			total++;
	/* kinit started us and exits right after: its kernel stack (four
	 * frames) is freed at its CPU's next switch, which must not land in
	 * the first test's leak check. A few ticks are plenty. */
	sleep_ticks(5);
	printk("KTAP version 1\n");
	printk("1..%d\n", total);
	for (const struct ktest_case *c = __ktests_start; c < __ktests_end; c++) {
		if (!selected(c->name))
			continue;
		struct ktest t = { c->name, 0, NULL };
		deferred_free_drain_all(); /* frames freed but not yet given back */
		u32 frames = nr_free_pages(), slots = swap_slots_unlost();
		size_t heap = kmalloc_bytes_in_use();
		c->fn(&t);
		/* Every test must give back what it took: frames, kmalloc memory
		 * and swap slots. A kernel thread the test joined gives its stack
		 * back at its CPU's next switch, which may come a tick later: a
		 * leak must still be there after a few ticks. */
		deferred_free_drain_all();
		for (int wait = 0; wait < 10 && (nr_free_pages() != frames ||
		     kmalloc_bytes_in_use() != heap || swap_slots_unlost() != slots); wait++) {
			sleep_ticks(2);
			deferred_free_drain_all();
		}
		if (nr_free_pages() != frames || kmalloc_bytes_in_use() != heap ||
		    swap_slots_unlost() != slots)
			ktest_fail(&t, __FILE__, __LINE__,
				   "leak: free frames %u -> %u, kmalloc bytes %u -> %u, free swap slots %u -> %u",
				   frames, nr_free_pages(), (u32)heap, (u32)kmalloc_bytes_in_use(),
				   slots, swap_slots_unlost());
		num++;
		if (t.failures == 0) {
			passed++;
			if (t.skip)
				printk("ok %d %s # SKIP %s\n", num, c->name, t.skip);
			else
				printk("ok %d %s\n", num, c->name);
		} else {
			printk("not ok %d %s\n", num, c->name);
		}
	}
	failed = total - passed + bad;
	printk("# ktest: %d passed, %d failed\n", passed, failed);
	qemu_exit(failed ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
}
