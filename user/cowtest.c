/*
 * cowtest: copy-on-write isolation between forked processes, under memory
 * pressure.
 *
 *   cowtest [-c CHILDREN] [-m MIB] [-r ROUNDS]
 *
 * The parent maps MIB MiB of private anonymous memory and stamps every
 * page with the original stamp (pagestamp.h: tag "orig" and its pid, the
 * page's index, generation 0), then forks CHILDREN children. The pages are
 * dealt out in stripes: page i belongs to process i % (CHILDREN + 1),
 * the parent being process 0. For ROUNDS rounds every process walks the
 * whole region (each starting at its own offset, so that they meet in
 * different places): it writes each page of its own stripe with its own
 * stamp (its pid, generation = the round) and reads every other page.
 * Each read must find exactly what that process should see: the original
 * on another process's stripe, on its own stripe the original before its
 * first write and then its own last write, never a page another process
 * wrote (COW isolation) nor a stale or torn one. At the end each process
 * checks the whole region once more; the parent does so after its
 * children have exited, so its copy is checked with nobody sharing it.
 *
 * Every process ends up with a copy of its stripe while the originals stay
 * shared, so the memory used is about 2 x MIB: the default, 4 children and
 * 40 MiB, is 80 MiB, more than a 64 MiB machine holds, and pages swap out
 * and back in, some of them while shared.
 *
 * A mismatch prints "cowtest[K] pid P: MISMATCH page I: expected ...,
 * found ..." (the first few per process). The parent prints
 *   cowtest: N processes, M pages checked, K mismatches
 *   cowtest: vmstat cow_fault=... cow_copy=... pswpout=... (growth)
 * and "cowtest: OK" or "cowtest: FAIL why". On a terminal the parent also
 * prints "cowtest: progress ..." lines over its own rounds (progress.h). A child's exit status is its
 * mismatch count (at most 100); a child that dies or exits otherwise is a
 * failure. Exits 0 if all is well, 1 on a mismatch or a lost child, 2 on
 * bad arguments or no memory.
 */
#include "pagestamp.h"
#include "progress.h"
#include "vmdelta.h"
#include "workload.h"

#define MAX_CHILDREN 60
#define MAX_REPORTS 8
#define CHILD_MAX_CODE 100

static const char *const counters[] = {
    "cow_fault", "cow_copy", "cow_reuse", "fork_shared", "swapcache_hit", "swapcache_add",
    "rmap_walks", "rmap_walk_steps", "pte_chain_link", "pte_chain_unlink", "clock_scanned",
    "clock_referenced", "clock_unmapped", "clock_freed", "clock_written",
    "pps_reenter", "pswpout", "pswpin", "pgmajfault", "pps_stage5", "oom_kill",
};

static volatile uint32_t *region;
static uint32_t npages, nproc, orig_tag;
static uint32_t me, my_tag;                 /* process index, its tag */
static unsigned long checked, mismatches;

static volatile uint32_t *page(uint32_t i)
{
    return region + (size_t)i * (PAGE_SIZE / 4);
}

static int usage(void)
{
    fprintf(STDERR_FILENO, "usage: cowtest [-c CHILDREN] [-m MIB] [-r ROUNDS]\n"
            "  CHILDREN  forked children, 1..%d (default 4)\n"
            "  MIB       private region the parent fills before fork (default 40)\n"
            "  ROUNDS    passes in which each process writes its stripe (default 3)\n",
            MAX_CHILDREN);
    return WL_EXIT_USAGE;
}

/* Page i must hold tag/gen; count and report it otherwise. */
static void expect(uint32_t i, uint32_t tag, uint32_t gen)
{
    checked++;
    if (ps_is(page(i), tag, i, gen))
        return;
    if (++mismatches <= MAX_REPORTS) {
        char got[96];
        printf("cowtest[%u] pid %d: MISMATCH page %u: expected tag 0x%08x gen %u, found %s\n", me,
               getpid(), i, tag, gen, ps_describe(page(i), got, sizeof(got)));
    }
}

/* What process `me` must see on page i after `writes` writes of its own. */
static void expect_seen(uint32_t i, uint32_t writes)
{
    if (i % nproc == me && writes > 0)
        expect(i, my_tag, writes);
    else
        expect(i, orig_tag, 0);
}

static void run_rounds(uint32_t rounds)
{
    uint32_t start = (uint32_t)(((uint64_t)npages * me) / nproc);
    for (uint32_t r = 0; r < rounds; r++)
        for (uint32_t k = 0; k < npages; k++) {
            uint32_t i = (start + k) % npages;
            expect_seen(i, r);
            if (i % nproc == me)
                ps_write(page(i), my_tag, i, r + 1);
            if (me == 0)                /* the parent speaks for all */
                progress_tick((uint64_t)r * npages + k + 1);
        }
}

static void check_all(uint32_t writes)
{
    for (uint32_t i = 0; i < npages; i++)
        expect_seen(i, writes);
}

static int parse(int argc, char **argv, unsigned long *c, unsigned long *mib,
                 unsigned long *rounds)
{
    for (int i = 1; i < argc; i++) {
        unsigned long *out, max;
        const char *what;
        if (!strcmp(argv[i], "-c"))
            out = c, max = MAX_CHILDREN, what = "CHILDREN";
        else if (!strcmp(argv[i], "-m"))
            out = mib, max = 1024, what = "MIB";
        else if (!strcmp(argv[i], "-r"))
            out = rounds, max = 1000, what = "ROUNDS";
        else
            return -1;
        if (i + 1 >= argc || wl_parse("cowtest", what, argv[++i], 1, max, out))
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long nchildren = 4, mib = 40, rounds = 3;
    if (parse(argc, argv, &nchildren, &mib, &rounds))
        return usage();
    nproc = (uint32_t)nchildren + 1;
    npages = (uint32_t)(mib << 20) / PAGE_SIZE;
    long a = sys_mmap2(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (IS_ERR_VALUE(a)) {
        printf("cowtest: mmap2 of %lu MiB failed: %s\n", mib, errname((int)-a));
        return WL_EXIT_USAGE;
    }
    region = (volatile uint32_t *)a;
    orig_tag = ps_tag(PS_ORIG, (uint32_t)getpid());
    for (uint32_t i = 0; i < npages; i++)
        ps_write(page(i), orig_tag, i, 0);

    struct vmdelta vm;
    vmdelta_start(&vm, counters, ARRAY_SIZE(counters));
    long t0 = wl_now_ms();
    static pid_t pids[MAX_CHILDREN];
    uint32_t forked = 0;
    char failmsg[128] = "";
    for (uint32_t k = 1; k < nproc; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            me = k;
            my_tag = ps_tag(PS_PROC, (uint32_t)getpid());
            run_rounds((uint32_t)rounds);
            check_all((uint32_t)rounds);
            _exit(mismatches > CHILD_MAX_CODE ? CHILD_MAX_CODE : (int)mismatches);
        }
        if (pid < 0) {
            snprintf(failmsg, sizeof(failmsg), "fork of child %u: %s", k, errname(errno));
            break;
        }
        pids[forked++] = pid;
    }
    me = 0;
    my_tag = ps_tag(PS_PROC, (uint32_t)getpid());
    progress_start("cowtest", (uint64_t)rounds * npages, "pages walked");
    run_rounds((uint32_t)rounds);

    /* The children's checks: each did its whole plan unless it died. */
    uint64_t per_proc = (uint64_t)(rounds + 1) * npages;
    uint64_t total_checked = 0;
    unsigned long child_mismatches = 0, lost = 0;
    for (uint32_t k = 0; k < forked; k++) {
        int st;
        if (waitpid(pids[k], &st, 0) != pids[k]) {
            lost++;
            continue;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) <= CHILD_MAX_CODE) {
            total_checked += per_proc;
            child_mismatches += WEXITSTATUS(st);
        } else {
            printf("cowtest: child %u (pid %d) %s %d\n", k + 1, pids[k],
                   WIFEXITED(st) ? "exited with" : "was killed by signal",
                   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            lost++;
        }
    }
    check_all((uint32_t)rounds);             /* nobody shares the parent's copy now */
    long t1 = wl_now_ms();
    total_checked += checked;
    unsigned long total_mismatches = mismatches + child_mismatches;
    printf("cowtest: %u processes, %llu pages checked, %lu mismatches\n", forked + 1,
           (unsigned long long)total_checked, total_mismatches);
    printf("cowtest: children=%u mib=%lu pages=%u rounds=%lu elapsed_ms=%ld lost=%lu\n", forked,
           mib, npages, rounds, t1 - t0, lost);
    vmdelta_print(&vm, "cowtest");
    sys_munmap((void *)region, (size_t)mib << 20);
    if (!failmsg[0] && lost)
        snprintf(failmsg, sizeof(failmsg), "%lu children lost", lost);
    if (!failmsg[0] && total_mismatches)
        snprintf(failmsg, sizeof(failmsg), "%lu mismatches", total_mismatches);
    if (failmsg[0]) {
        printf("cowtest: FAIL %s\n", failmsg);
        return WL_EXIT_CORRUPT;
    }
    printf("cowtest: OK\n");
    return WL_EXIT_OK;
}
