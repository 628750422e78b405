/*
 * cowbomb: a fork bomb over a large copy-on-write buffer, until fork
 * fails.
 *
 *   cowbomb [-d DEPTH] [-b BREADTH] [-m MIB] [-p PAGES]
 *
 * The first process maps MIB MiB private and anonymous and stamps every
 * page (pagestamp.h: the original stamp). Then every process, starting
 * with the first at depth 0:
 *
 *  1. writes PAGES pages of its own, all in the stripe of its depth
 *     (pages i with i % (DEPTH + 1) == depth, a run starting at a place
 *     hashed from its path in the tree), with its own stamp; it records
 *     its stamp and run in a small table that its children inherit;
 *  2. below DEPTH, forks BREADTH children, which do the same one level
 *     down; once a fork fails (EAGAIN when the process table is full,
 *     ENOMEM; anything else is a failure) it forks no more;
 *  3. checks its pages: its own run, each ancestor's run, and a sample of
 *     other pages. Each must hold what this process should see: the
 *     stamp of the process on its line (itself or an ancestor) that wrote
 *     it before the fork that made this process, else the original. A
 *     write by a sibling, a child or a cousin must never show;
 *  4. waits for its children and exits.
 *
 * Every process of the tree lives until its subtree is done, so the bomb
 * fills the process table; every process shares the big buffer and writes
 * a little of it, so the machine is short of memory while processes come
 * and go. The default, 48 MiB, depth 4 and breadth 3 (121 processes if
 * fork never failed), is more than a 64 MiB machine holds.
 *
 * Exit status of a process: bit 7 set if a fork failed in its subtree,
 * bits 0-6 the number of processes in its subtree (at most 127), all of
 * whom were well; 0 if any of them found a mismatch, failed otherwise or
 * was lost. The first process prints
 *   cowbomb: N processes, M pages checked, K mismatches, forks failed: yes|no (ERR)
 *   cowbomb: vmstat ... (growth)
 * and "cowbomb: OK" or "cowbomb: FAIL why". A mismatch prints
 * "cowbomb[path] pid P: MISMATCH page I: ...". Exits 0 OK, 1 failure, 2
 * bad arguments or no memory. On a terminal the first process wakes from
 * its waits to print "cowbomb: progress ..." lines (progress.h): the
 * processes of its children's finished subtrees, of those planned.
 */
#include "pagestamp.h"
#include "progress.h"
#include "vmdelta.h"
#include "workload.h"

#define MAX_DEPTH 8
#define MAX_REPORTS 4
#define SAMPLE 64
#define FORK_FAILED 0x80
#define COUNT_MASK 0x7f

static const char *const counters[] = {
    "cow_fault", "cow_copy", "cow_reuse", "fork_shared", "swapcache_hit", "rmap_walks",
    "pte_chain_link", "pte_chain_unlink", "clock_freed", "pps_reenter", "pswpout", "pswpin",
    "oom_kill",
};

/* Inherited through fork (copy-on-write, like the buffer). */
static volatile uint32_t *region;
static uint32_t npages, depth_max, breadth, nwrite, orig_tag;
static uint32_t depth, path;            /* mine: depth 0 is the first process */
static uint32_t line_tag[MAX_DEPTH + 1], line_start[MAX_DEPTH + 1];
static unsigned long checked, mismatches;
static int bad_fork_err;                /* a fork error other than EAGAIN/ENOMEM */

static volatile uint32_t *page(uint32_t i)
{
    return region + (size_t)i * (PAGE_SIZE / 4);
}

static int usage(void)
{
    fprintf(STDERR_FILENO, "usage: cowbomb [-d DEPTH] [-b BREADTH] [-m MIB] [-p PAGES]\n"
            "  DEPTH    levels of children, 1..%d (default 4)\n"
            "  BREADTH  children of each process, 1..16 (default 3)\n"
            "  MIB      the buffer the first process fills (default 48)\n"
            "  PAGES    pages each process writes (default 16)\n", MAX_DEPTH);
    return WL_EXIT_USAGE;
}

static uint32_t stripe_len(uint32_t d)
{
    return (npages - d + depth_max) / (depth_max + 1);
}

/* The k-th page of the run written by the process at depth d starting
 * at start (an index in d's stripe). */
static uint32_t run_page(uint32_t d, uint32_t start, uint32_t k)
{
    return (start + k) % stripe_len(d) * (depth_max + 1) + d;
}

/* The pages of a run are at most nwrite in a stripe, all different. */
static int in_run(uint32_t i, uint32_t d)
{
    uint32_t pos = i / (depth_max + 1), len = stripe_len(d);
    uint32_t off = (pos + len - line_start[d] % len) % len;
    return off < nwrite;
}

static void expect_is(uint32_t i, uint32_t tag, uint32_t gen)
{
    checked++;
    if (ps_is(page(i), tag, i, gen))
        return;
    if (++mismatches <= MAX_REPORTS) {
        char got[96];
        printf("cowbomb[%u/%u] pid %d: MISMATCH page %u: expected tag 0x%08x gen %u, "
               "found %s\n", depth, path, getpid(), i, tag, gen,
               ps_describe(page(i), got, sizeof(got)));
    }
}

/* What this process must see on page i. */
static void expect(uint32_t i)
{
    uint32_t d = i % (depth_max + 1);
    if (d <= depth && in_run(i, d))
        expect_is(i, line_tag[d], d + 1);
    else
        expect_is(i, orig_tag, 0);
}

static uint32_t hash(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    return x ^ (x >> 16);
}

static void write_run(void)
{
    line_tag[depth] = ps_tag(PS_PROC, (uint32_t)getpid());
    line_start[depth] = hash(path * 0x9e3779b1u + depth) % stripe_len(depth);
    for (uint32_t k = 0; k < nwrite; k++) {
        uint32_t i = run_page(depth, line_start[depth], k);
        expect_is(i, orig_tag, 0);      /* nobody on my line wrote my stripe */
        ps_write(page(i), line_tag[depth], i, depth + 1);
    }
}

static void check(void)
{
    for (uint32_t d = 0; d <= depth; d++)
        for (uint32_t k = 0; k < nwrite; k++)
            expect(run_page(d, line_start[d], k));
    uint32_t rng = wl_seed(hash(path) ^ (uint32_t)getpid());
    for (uint32_t s = 0; s < SAMPLE; s++)
        expect(wl_below(&rng, npages));
}

/* Waits for child pid. The first process, when it reports progress, polls
 * instead, napping 200 ms between looks; done: processes counted so far. */
static pid_t wait_kid(pid_t pid, int *st, uint64_t done)
{
    while (depth == 0 && progress_countdown) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r != 0)
            return r;
        struct timespec nap = { 0, 200000000 };
        nanosleep(&nap, NULL);
        progress_tick(done);
    }
    return waitpid(pid, st, 0);
}

/* Steps 1-4 for this process; returns its exit status. */
static int node(void)
{
    static pid_t kids[16];
    uint32_t nkids = 0;
    int fork_failed = 0;
    write_run();
    for (uint32_t b = 0; depth < depth_max && b < breadth; b++) {
        long pid = sys_fork();
        if (pid == 0) {
            depth++;
            path = path * breadth + b + 1;
            checked = mismatches = 0;
            _exit(node());
        }
        if (pid < 0) {
            fork_failed = 1;
            if (pid != -EAGAIN && pid != -ENOMEM) {
                bad_fork_err = (int)-pid;
                printf("cowbomb[%u/%u] pid %d: fork failed with %s\n", depth, path, getpid(),
                       errname((int)-pid));
            }
            break;
        }
        kids[nkids++] = (pid_t)pid;
    }
    check();
    int count = 1, bad = mismatches || bad_fork_err;
    for (uint32_t k = 0; k < nkids; k++) {
        int st;
        if (wait_kid(kids[k], &st, (uint64_t)count - 1) != kids[k] || !WIFEXITED(st) ||
            !(WEXITSTATUS(st) & COUNT_MASK)) {
            if (WIFSIGNALED(st))
                printf("cowbomb[%u/%u] pid %d: child pid %d killed by signal %d\n", depth,
                       path, getpid(), kids[k], WTERMSIG(st));
            bad = 1;
            continue;
        }
        count += WEXITSTATUS(st) & COUNT_MASK;
        fork_failed |= !!(WEXITSTATUS(st) & FORK_FAILED);
    }
    if (bad)
        return fork_failed ? FORK_FAILED : 0;
    return (count > COUNT_MASK ? COUNT_MASK : count) | (fork_failed ? FORK_FAILED : 0);
}

static int parse(int argc, char **argv, unsigned long *v[4])
{
    static const char *const opts[4] = { "-d", "-b", "-m", "-p" };
    static const char *const what[4] = { "DEPTH", "BREADTH", "MIB", "PAGES" };
    static const unsigned long max[4] = { MAX_DEPTH, 16, 1024, 4096 };
    for (int i = 1; i < argc; i++) {
        int o = 0;
        while (o < 4 && strcmp(argv[i], opts[o]))
            o++;
        if (o == 4 || i + 1 >= argc || wl_parse("cowbomb", what[o], argv[++i], 1, max[o], v[o]))
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long d = 4, b = 3, mib = 48, p = 16;
    unsigned long *v[4] = { &d, &b, &mib, &p };
    if (parse(argc, argv, v))
        return usage();
    depth_max = (uint32_t)d;
    breadth = (uint32_t)b;
    nwrite = (uint32_t)p;
    npages = (uint32_t)(mib << 20) / PAGE_SIZE;
    if (stripe_len(depth_max) < nwrite) {
        fprintf(STDERR_FILENO, "cowbomb: %lu MiB has fewer than %u pages per depth\n", mib,
                nwrite);
        return WL_EXIT_USAGE;
    }
    long a = sys_mmap2(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (IS_ERR_VALUE(a)) {
        printf("cowbomb: mmap2 of %lu MiB failed: %s\n", mib, errname((int)-a));
        return WL_EXIT_USAGE;
    }
    region = (volatile uint32_t *)a;
    orig_tag = ps_tag(PS_ORIG, (uint32_t)getpid());
    for (uint32_t i = 0; i < npages; i++)
        ps_write(page(i), orig_tag, i, 0);

    struct vmdelta vm;
    vmdelta_start(&vm, counters, ARRAY_SIZE(counters));
    uint64_t planned = 0, level = 1;    /* the processes below the first */
    for (uint32_t k = 1; k <= depth_max; k++)
        planned += level *= breadth;
    progress_start("cowbomb", planned, "processes");
    long t0 = wl_now_ms();
    int st = node();
    /* Once more, alone: the first process's copy after everyone left. */
    unsigned long mine = mismatches;
    check();
    long t1 = wl_now_ms();
    int count = st & COUNT_MASK, ok = count > 0 && mismatches == 0;
    printf("cowbomb: %d processes, %lu pages checked here, %lu mismatches here, forks failed: "
           "%s\n", count, checked, mismatches, st & FORK_FAILED ? "yes" : "no");
    printf("cowbomb: depth=%u breadth=%u mib=%lu pages=%u write=%u elapsed_ms=%ld\n", depth_max,
           breadth, mib, npages, nwrite, t1 - t0);
    vmdelta_print(&vm, "cowbomb");
    sys_munmap((void *)region, (size_t)mib << 20);
    if (!ok) {
        printf("cowbomb: FAIL %s\n", count == 0 ? "a process in the tree failed (see above)"
               : mine ? "mismatches in the first process" : "mismatches after the tree ended");
        return WL_EXIT_CORRUPT;
    }
    printf("cowbomb: OK\n");
    return WL_EXIT_OK;
}
