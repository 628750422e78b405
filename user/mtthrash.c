/*
 * mtthrash: thrash with threads. One process, one private anonymous
 * region, THREADS threads that share it, so kppsd reclaims pages of an mm
 * that runs on several CPUs at once: every PTE it clears may be cached in
 * the TLB of a CPU where another thread of the mm runs.
 *
 *   mtthrash [THREADS] [MIB] [ACCESSES] [SEED]
 *
 * The pages are interleaved: thread i owns pages i, i+T, i+2T, ... Each
 * thread, pinned to CPU i % ncpu when the kernel lets it, fills its pages,
 * makes ACCESSES uniformly random accesses to them (half reads, half
 * writes) and verifies them all once more; every access checks the page's
 * pattern (workload.h: a page that comes back lost, stale, or another
 * page's is caught). Neighbouring pages belong to different threads on
 * different CPUs, so a stale TLB entry on one CPU shows as a wrong page
 * read by that CPU's thread. Each thread keeps its own counters (a copy
 * of the region's struct wl_region); the pages and the generation array
 * are shared, but no two threads ever touch the same page or word.
 *
 * While the threads run nothing is unmapped or protected: the TLB flushes
 * in that window are reclaim's alone. mtthrash reads /proc/vmstat just
 * before the threads start and just after the last one finishes (between
 * two barriers) and prints the growth of the counters that exist there:
 * on ppsos tlb_ipi should stay 0 (dftlb flushes in the timer tick) but
 * for dftlb_forced drains; on Linux most of them are absent.
 *
 * One summary line: "mtthrash: OK elapsed_ms=E accesses=A pages=P mib=M
 * threads=T cpus=C pinned=K" plus " name=growth" for each counter found,
 * or "mtthrash: CORRUPT errors=K ..." (after "mtthrash[i]: CORRUPT page N
 * ..." lines naming the bad pages), or "mtthrash: FAIL ..." when a thread
 * cannot be created or did not do its share. Exits 0 OK, 1 CORRUPT or
 * FAIL, 2 bad arguments or no memory.
 */
#include "thread.h"
#include "workload.h"

#define DEF_THREADS 4
#define DEF_MIB 40
#define DEF_ACCESSES 20000
#define DEF_SEED 1
#define MAX_THREADS 32

static const char *const counters[] = {
    "tlb_ipi", "dftlb_forced", "dftlb_tasks", "pswpout", "pswpin", "pgmajfault",
    "pps_stage5", "pps_rescue",
};
#define NCOUNTERS ARRAY_SIZE(counters)

struct worker {
    struct wl_region r;                 /* own counters, shared pages */
    int idx;
    uint32_t seed;
    unsigned long n;
    int pin_err;                        /* thread_pin's result, -1 not tried */
    uint64_t planned;
    char name[24];
};

static struct wl_region region;
static struct worker workers[MAX_THREADS];
static struct thread *threads[MAX_THREADS];
static struct thread_barrier start, done;
static unsigned nthreads;
static int ncpus;
static char vmtext[8192];

static int usage(void)
{
    fprintf(STDERR_FILENO,
            "usage: mtthrash [THREADS] [MIB] [ACCESSES] [SEED]\n"
            "  THREADS   threads sharing the region, 1..%d (default %d)\n"
            "  MIB       region size in MiB (default %d)\n"
            "  ACCESSES  random page accesses of each thread (default %d)\n"
            "  SEED      PRNG seed; thread I uses SEED+I (default %d)\n",
            MAX_THREADS, DEF_THREADS, DEF_MIB, DEF_ACCESSES, DEF_SEED);
    return WL_EXIT_USAGE;
}

/* Page k of thread w: the k-th of its interleaved pages. */
static uint32_t page_of(const struct worker *w, uint32_t k)
{
    return (uint32_t)w->idx + k * nthreads;
}

static uint32_t pages_of(const struct worker *w)
{
    return (region.npages - (uint32_t)w->idx + nthreads - 1) / nthreads;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->pin_err = ncpus > 1 ? thread_pin(w->idx % ncpus) : -1;
    uint32_t own = pages_of(w);
    uint32_t rng = wl_seed(w->seed);
    thread_barrier_wait(&start);
    for (uint32_t k = 0; k < own; k++)
        wl_write(&w->r, page_of(w, k));
    for (unsigned long a = 0; a < w->n; a++)
        wl_access(&w->r, page_of(w, wl_below(&rng, own)), &rng);
    for (uint32_t k = 0; k < own; k++)
        wl_read(&w->r, page_of(w, k));
    thread_barrier_wait(&done);
    return w;
}

/* The counters of /proc/vmstat, -1 for those it lacks (all on failure). */
static void vmstat(long out[NCOUNTERS])
{
    long n = read_file("/proc/vmstat", vmtext, sizeof(vmtext));
    for (unsigned i = 0; i < NCOUNTERS; i++)
        out[i] = n > 0 ? text_field(vmtext, counters[i], ' ') : -1;
}

int main(int argc, char **argv)
{
    unsigned long nt = DEF_THREADS, mib = DEF_MIB, n = DEF_ACCESSES, seed = DEF_SEED;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
        return usage();
    if (argc > 5 ||
        (argc > 1 && wl_parse("mtthrash", "THREADS", argv[1], 1, MAX_THREADS, &nt)) ||
        (argc > 2 && wl_parse("mtthrash", "MIB", argv[2], 1, 3072, &mib)) ||
        (argc > 3 && wl_parse("mtthrash", "ACCESSES", argv[3], 0, 1000000000, &n)) ||
        (argc > 4 && wl_parse("mtthrash", "SEED", argv[4], 0, 0xffffffffu, &seed)))
        return usage();
    nthreads = (unsigned)nt;
    if (wl_map(&region, "mtthrash", mib, 0x7d1e5eedu ^ ((uint32_t)seed * 0x9e3779b1u)))
        return WL_EXIT_USAGE;
    if (region.npages < nthreads) {
        fprintf(STDERR_FILENO, "mtthrash: %u pages for %u threads\n", region.npages, nthreads);
        return WL_EXIT_USAGE;
    }
    ncpus = thread_ncpus();
    thread_barrier_init(&start, nthreads + 1);
    thread_barrier_init(&done, nthreads + 1);

    unsigned started = 0;
    for (unsigned i = 0; i < nthreads; i++) {
        struct worker *w = &workers[i];
        w->r = region;                  /* the same pages, its own counters */
        w->r.accesses = w->r.reads = w->r.writes = w->r.errors = 0;
        snprintf(w->name, sizeof(w->name), "mtthrash[%u]", i);
        w->r.name = w->name;
        w->idx = (int)i;
        w->seed = (uint32_t)seed + i;
        w->n = n;
        w->planned = 2ull * pages_of(w) + n;
        threads[i] = thread_create(worker_main, w);
        if (!threads[i]) {
            printf("mtthrash: FAIL cannot create thread %u of %u: %s (%s)\n", i, nthreads,
                   errname(errno), strerror(errno));
            /* The started threads wait at the start barrier forever:
             * exit_group ends them. */
            exit(WL_EXIT_CORRUPT);
        }
        started++;
    }

    /* Thread 0 stands for all in the progress lines (progress.h). */
    wl_progress_start(&workers[0].r, workers[0].planned);
    long before[NCOUNTERS], after[NCOUNTERS];
    vmstat(before);
    long t0 = wl_now_ms();
    thread_barrier_wait(&start);
    thread_barrier_wait(&done);
    long t1 = wl_now_ms();
    vmstat(after);

    struct wl_region total = region;
    total.accesses = total.reads = total.writes = total.errors = 0;
    unsigned pinned = 0, short_threads = 0;
    for (unsigned i = 0; i < started; i++) {
        void *ret = NULL;
        int e = thread_join(threads[i], &ret);
        struct worker *w = &workers[i];
        if (e || ret != w) {
            printf("mtthrash: FAIL join of thread %u: %s, returned %p\n", i,
                   e ? errname(e) : "ok", ret);
            short_threads++;
            continue;
        }
        if (w->r.accesses != w->planned) {
            printf("mtthrash: FAIL thread %u made %llu accesses, planned %llu\n", i,
                   w->r.accesses, w->planned);
            short_threads++;
        }
        pinned += w->pin_err == 0;
        total.accesses += w->r.accesses;
        total.reads += w->r.reads;
        total.writes += w->r.writes;
        total.errors += w->r.errors;
    }

    char extra[256];
    int len = snprintf(extra, sizeof(extra), " threads=%u cpus=%d pinned=%u", nthreads, ncpus,
                       pinned);
    for (unsigned i = 0; i < NCOUNTERS; i++)
        if (before[i] >= 0 && after[i] >= 0 && len < (int)sizeof(extra))
            len += snprintf(extra + len, sizeof(extra) - len, " %s=%ld", counters[i],
                            after[i] - before[i]);
    if (short_threads && !total.errors) {
        printf("mtthrash: FAIL %u threads did not do their share elapsed_ms=%ld%s\n",
               short_threads, t1 - t0, extra);
        return WL_EXIT_CORRUPT;
    }
    int rc = wl_summary(&total, t1 - t0, extra);
    wl_unmap(&region);
    return rc;
}
