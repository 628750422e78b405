/*
 * cowthreads: fork of a multithreaded process while its threads write,
 * and copy-on-write isolation between the threads and the child.
 *
 *   cowthreads [-t THREADS] [-m MIB] [-f FORKS]
 *
 * The main thread maps MIB MiB private and anonymous and stamps every
 * page (pagestamp.h); THREADS writer threads, pinned to CPUs 1, 2, ...
 * when there are several CPUs, then write the pages of their own stripe
 * (page i is thread i % THREADS's) over and over, each write a new
 * generation, checking before each write that the page still holds the
 * thread's previous write. The main thread forks FORKS children, one
 * after another, while the writers run. Each child:
 *
 *  1. sums every page as fork left it (a writer may have been half way
 *     through a page: any content is fine), waits a little while the
 *     parent's threads go on writing, and sums them again: a page that
 *     changed was written through by the parent after fork (a writable
 *     TLB entry left on another CPU, a frame the parent kept writing
 *     after the child got it): a mismatch;
 *  2. stamps every page with its own stamp, waits, and checks them all
 *     (twice): nothing of the parent's may show, and the parent's
 *     writers must never see the child's stamps (their own checks).
 *
 * At the end the main thread stops the writers, checks every page holds
 * its writer's last write, and prints
 *   cowthreads: N processes, M pages checked, K mismatches
 *   cowthreads: threads=.. forks=.. mib=.. writes=.. elapsed_ms=..
 *   cowthreads: vmstat ... (growth)
 * and "cowthreads: OK" or "cowthreads: FAIL why". Mismatches print
 * "cowthreads[WHO]: MISMATCH ...". On a terminal the main thread prints
 * "cowthreads: progress ..." lines as the forks end (progress.h). A
 * child's exit status is its mismatch count (at most 100). Exits 0 OK, 1 on a mismatch or a lost child, 2 on
 * bad arguments, no memory or no threads.
 */
#include "pagestamp.h"
#include "progress.h"
#include "thread.h"
#include "vmdelta.h"
#include "workload.h"

#define MAX_THREADS 16
#define MAX_REPORTS 8
#define CHILD_MAX_CODE 100
#define CHILD_WAIT_MS 30

static const char *const counters[] = {
    "cow_fault", "cow_copy", "cow_reuse", "fork_shared", "tlb_ipi", "pps_reenter",
    "swapcache_hit", "pswpout", "pswpin", "oom_kill",
};

struct writer {
    int idx;
    uint32_t tag;
    volatile unsigned long writes, mismatches, checked;
    int pin_err;
};

static volatile uint32_t *region;
static uint32_t npages, nthreads, orig_tag;
static struct writer writers[MAX_THREADS];
static struct thread *threads[MAX_THREADS];
static volatile int stop;
static int ncpus;                               /* before main pinned itself */
static struct thread_barrier started;
static unsigned long checked, mismatches;       /* the main thread's, or a child's */

static volatile uint32_t *page(uint32_t i)
{
    return region + (size_t)i * (PAGE_SIZE / 4);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    sys_nanosleep(&ts, NULL);
}

static int usage(void)
{
    fprintf(STDERR_FILENO, "usage: cowthreads [-t THREADS] [-m MIB] [-f FORKS]\n"
            "  THREADS  writer threads, 1..%d (default 3)\n"
            "  MIB      the private region they write (default 4)\n"
            "  FORKS    children forked while they write (default 8)\n", MAX_THREADS);
    return WL_EXIT_USAGE;
}

static void report(const char *who, uint32_t i, const char *what, uint32_t tag, uint32_t gen)
{
    char got[96];
    printf("cowthreads[%s] pid %d: MISMATCH page %u: %s tag 0x%08x gen %u, found %s\n", who,
           getpid(), i, what, tag, gen, ps_describe(page(i), got, sizeof(got)));
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    w->pin_err = ncpus > 1 ? thread_pin(1 + w->idx % (ncpus - 1)) : -1;
    char who[16];
    snprintf(who, sizeof(who), "thread %d", w->idx);
    thread_barrier_wait(&started);
    uint32_t gen = 0;
    while (!stop) {
        for (uint32_t i = (uint32_t)w->idx; i < npages && !stop; i += nthreads) {
            uint32_t tag = gen ? w->tag : orig_tag, want = gen ? gen : 0;
            w->checked++;
            if (!ps_is(page(i), tag, i, want) && ++w->mismatches <= MAX_REPORTS)
                report(who, i, "expected", tag, want);
            ps_write(page(i), w->tag, i, gen + 1);
            w->writes++;
        }
        if (!stop)
            gen++;
        else
            break;
    }
    return w;
}

/* The last generation thread w wrote on page i: the writer stops at any
 * page, so its pages before that hold one generation more. The main
 * thread reads what is there and checks it is w's and plausible. */
static void check_final(uint32_t i)
{
    struct writer *w = &writers[i % nthreads];
    struct stamp st;
    checked++;
    if (ps_read(page(i), &st) && st.index == i &&
        ((st.tag == w->tag && st.gen >= 1) || (st.tag == orig_tag && st.gen == 0)))
        return;
    if (++mismatches <= MAX_REPORTS)
        report("main", i, "expected its writer's", w->tag, 0);
}

static void child_main(int n)
{
    char who[16];
    snprintf(who, sizeof(who), "child %d", n);
    static uint32_t sums[65536];
    uint32_t nsum = npages < ARRAY_SIZE(sums) ? npages : ARRAY_SIZE(sums);
    for (uint32_t i = 0; i < nsum; i++)
        sums[i] = ps_sum(page(i));
    sleep_ms(CHILD_WAIT_MS);
    for (uint32_t i = 0; i < nsum; i++) {
        checked++;
        if (ps_sum(page(i)) != sums[i] && ++mismatches <= MAX_REPORTS)
            printf("cowthreads[%s] pid %d: MISMATCH page %u changed after fork, and not by "
                   "us (the parent wrote it?)\n", who, getpid(), i);
    }
    uint32_t tag = ps_tag(PS_PROC, (uint32_t)getpid());
    for (uint32_t i = 0; i < npages; i++)
        ps_write(page(i), tag, i, 1);
    for (int pass = 0; pass < 2; pass++) {
        sleep_ms(CHILD_WAIT_MS);
        for (uint32_t i = 0; i < npages; i++) {
            checked++;
            if (!ps_is(page(i), tag, i, 1) && ++mismatches <= MAX_REPORTS)
                report(who, i, "expected my own", tag, 1);
        }
    }
    _exit(mismatches > CHILD_MAX_CODE ? CHILD_MAX_CODE : (int)mismatches);
}

static int parse(int argc, char **argv, unsigned long *v[3])
{
    static const char *const opts[3] = { "-t", "-m", "-f" };
    static const char *const what[3] = { "THREADS", "MIB", "FORKS" };
    static const unsigned long max[3] = { MAX_THREADS, 256, 10000 };
    for (int i = 1; i < argc; i++) {
        int o = 0;
        while (o < 3 && strcmp(argv[i], opts[o]))
            o++;
        if (o == 3 || i + 1 >= argc ||
            wl_parse("cowthreads", what[o], argv[++i], o == 2 ? 0 : 1, max[o], v[o]))
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long t = 3, mib = 4, forks = 8;
    unsigned long *v[3] = { &t, &mib, &forks };
    if (parse(argc, argv, v))
        return usage();
    nthreads = (uint32_t)t;
    npages = (uint32_t)(mib << 20) / PAGE_SIZE;
    long a = sys_mmap2(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (IS_ERR_VALUE(a)) {
        printf("cowthreads: mmap2 of %lu MiB failed: %s\n", mib, errname((int)-a));
        return WL_EXIT_USAGE;
    }
    region = (volatile uint32_t *)a;
    orig_tag = ps_tag(PS_ORIG, (uint32_t)getpid());
    for (uint32_t i = 0; i < npages; i++)
        ps_write(page(i), orig_tag, i, 0);
    ncpus = thread_ncpus();
    if (ncpus > 1)
        thread_pin(0);

    struct vmdelta vm;
    vmdelta_start(&vm, counters, ARRAY_SIZE(counters));
    long t0 = wl_now_ms();
    thread_barrier_init(&started, nthreads + 1);
    for (uint32_t k = 0; k < nthreads; k++) {
        writers[k].idx = (int)k;
        writers[k].tag = ps_tag(PS_THREAD, (uint32_t)getpid() << 4 | k);
        threads[k] = thread_create(writer_main, &writers[k]);
        if (!threads[k]) {
            printf("cowthreads: FAIL cannot create thread %u: %s\n", k, errname(errno));
            exit(WL_EXIT_USAGE);        /* exit_group ends the started ones */
        }
    }
    thread_barrier_wait(&started);

    unsigned long lost = 0, child_mismatches = 0, child_checked = 0;
    uint32_t forked = 0;
    char failmsg[128] = "";
    progress_start("cowthreads", forks, "forks");
    for (uint32_t f = 0; f < forks; f++) {
        progress_tick(f);
        sleep_ms(5);                    /* let the writers get going again */
        long pid = sys_fork();
        if (pid == 0)
            child_main((int)f);
        if (pid < 0) {
            snprintf(failmsg, sizeof(failmsg), "fork %u: %s", f, errname((int)-pid));
            break;
        }
        forked++;
        int st;
        if (waitpid((pid_t)pid, &st, 0) != pid || !WIFEXITED(st) ||
            WEXITSTATUS(st) > CHILD_MAX_CODE) {
            printf("cowthreads: child %u (pid %ld) %s %d\n", f, pid,
                   WIFEXITED(st) ? "exited with" : "was killed by signal",
                   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            lost++;
            continue;
        }
        child_mismatches += WEXITSTATUS(st);
        uint32_t nsum = npages < 65536 ? npages : 65536;
        child_checked += nsum + 2ul * npages;
    }
    stop = 1;
    unsigned long writes = 0, thread_mismatches = 0, thread_checked = 0;
    unsigned pinned = 0;
    for (uint32_t k = 0; k < nthreads; k++) {
        void *ret;
        if (thread_join(threads[k], &ret) || ret != &writers[k]) {
            snprintf(failmsg, sizeof(failmsg), "join of thread %u failed", k);
            continue;
        }
        writes += writers[k].writes;
        thread_mismatches += writers[k].mismatches;
        thread_checked += writers[k].checked;
        pinned += writers[k].pin_err == 0;
    }
    for (uint32_t i = 0; i < npages; i++)
        check_final(i);
    long t1 = wl_now_ms();
    unsigned long total = mismatches + thread_mismatches + child_mismatches;
    printf("cowthreads: %u processes, %lu pages checked, %lu mismatches\n", forked + 1,
           checked + thread_checked + child_checked, total);
    printf("cowthreads: threads=%u pinned=%u forks=%u mib=%lu writes=%lu elapsed_ms=%ld "
           "lost=%lu\n", nthreads, pinned, forked, mib, writes, t1 - t0, lost);
    vmdelta_print(&vm, "cowthreads");
    if (!failmsg[0] && lost)
        snprintf(failmsg, sizeof(failmsg), "%lu children lost", lost);
    if (!failmsg[0] && total)
        snprintf(failmsg, sizeof(failmsg), "%lu mismatches", total);
    if (!failmsg[0] && writes < (unsigned long)npages)
        snprintf(failmsg, sizeof(failmsg), "the writers made only %lu writes", writes);
    if (failmsg[0]) {
        printf("cowthreads: FAIL %s\n", failmsg);
        return WL_EXIT_CORRUPT;
    }
    printf("cowthreads: OK\n");
    return WL_EXIT_OK;
}
