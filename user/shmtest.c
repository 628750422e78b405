/*
 * shmtest: MAP_SHARED|MAP_ANONYMOUS memory shared by forked processes,
 * larger than memory, so that it swaps while they use it.
 *
 *   shmtest [-c CHILDREN] [-m MIB] [-r ROUNDS] [-p PINGS]
 *
 * The parent maps MIB MiB shared and anonymous, stamps every data page
 * (pagestamp.h: its own tag, the page's index, generation 0) and forks
 * CHILDREN children. Page 0 is the control page (below), page 1 the
 * ping-pong page, the rest data pages, dealt out: data page i belongs to
 * child (i - 2) % CHILDREN. Each round r = 1..ROUNDS has two phases, which
 * the parent opens through the control page:
 *
 *  write: each child checks every page of its own that it holds its
 *         write of round r - 1 (the parent's stamp in round 1), stamps it
 *         with round r and adds one to its own counter slot per page;
 *  read:  once every child is done, the parent checks that every data page
 *         holds its owner's round-r stamp and every counter the number of
 *         pages written so far (the children's writes are visible to it),
 *         while each child checks the same of every data page (the other
 *         children's writes are visible to it too).
 *
 * Nobody writes a data page in a read phase, so no read can find a page
 * half written. Then the ping-pong: the parent and child 0 take PINGS
 * turns on page 1, each filling the whole page with the turn's values and
 * waiting for the other's, which it checks word by word.
 *
 * With the default 80 MiB the region is larger than a 64 MiB machine's
 * free memory: its pages go to swap and come back in every pass, read by
 * one process and found in the swap cache by the others.
 *
 * Output: "shmtest[K] pid P: MISMATCH ..." for the first few bad pages of
 * each process, then
 *   shmtest: N processes, M pages checked, K mismatches
 *   shmtest: children=.. mib=.. pages=.. rounds=.. pings=.. elapsed_ms=..
 *   shmtest: vmstat shm_swapin=... swapcache_hit=... pswpout=... (growth)
 * and "shmtest: OK" or "shmtest: FAIL why". If the shared mmap fails it
 * prints "shmtest: mmap2 failed: ERRNO" and exits 2. Exits 0 OK, 1 on a
 * mismatch or a lost child, 2 on bad arguments or no shared memory. On a
 * terminal the parent prints "shmtest: progress ..." lines between
 * rounds (progress.h).
 *
 * The control page (written by one process per word, polled by others):
 * go (the phase the parent opened: 2r - 1 write, 2r read of round r),
 * done[k] (the last phase child k finished), count[k] (its page writes),
 * pid[k] (its pid, written by itself: its tag is ps_tag(PS_PROC, pid)).
 */
#include "pagestamp.h"
#include "progress.h"
#include "vmdelta.h"
#include "workload.h"

#define MAX_CHILDREN 16
#define MAX_REPORTS 8
#define CHILD_MAX_CODE 100
#define FIRST_DATA 2
#define PING_WORDS (PAGE_SIZE / 4)

struct ctl {
    volatile uint32_t go;
    volatile uint32_t done[MAX_CHILDREN];
    volatile uint32_t count[MAX_CHILDREN];
    volatile uint32_t pid[MAX_CHILDREN];
};

static const char *const counters[] = {
    "shm_swapin", "swapcache_hit", "swapcache_add", "rmap_walks", "rmap_walk_steps",
    "pte_chain_link", "pte_chain_unlink", "clock_scanned", "clock_referenced",
    "clock_unmapped", "clock_freed", "clock_written", "pswpout", "pswpin", "pgmajfault",
    "oom_kill",
};

static volatile uint32_t *region;
static struct ctl *ctl;
static uint32_t npages, nchildren, parent_tag;
static int me = -1;                     /* child index; -1 in the parent */
static unsigned long checked, mismatches;

static volatile uint32_t *page(uint32_t i)
{
    return region + (size_t)i * (PAGE_SIZE / 4);
}

static int usage(void)
{
    fprintf(STDERR_FILENO, "usage: shmtest [-c CHILDREN] [-m MIB] [-r ROUNDS] [-p PINGS]\n"
            "  CHILDREN  forked children, 1..%d (default 3)\n"
            "  MIB       the shared region (default 80)\n"
            "  ROUNDS    write and read rounds (default 3)\n"
            "  PINGS     ping-pong turns between the parent and child 0 (default 200)\n",
            MAX_CHILDREN);
    return WL_EXIT_USAGE;
}

static uint32_t owner(uint32_t i) { return (i - FIRST_DATA) % nchildren; }

static uint32_t child_tag(uint32_t k) { return ps_tag(PS_PROC, ctl->pid[k]); }

static void mismatch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mismatch(const char *fmt, ...)
{
    if (++mismatches > MAX_REPORTS)
        return;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (me < 0)
        printf("shmtest[parent] pid %d: MISMATCH %s\n", getpid(), msg);
    else
        printf("shmtest[%d] pid %d: MISMATCH %s\n", me, getpid(), msg);
}

static void expect(uint32_t i, uint32_t tag, uint32_t gen)
{
    checked++;
    if (!ps_is(page(i), tag, i, gen)) {
        char got[96];
        mismatch("page %u (child %u's): expected tag 0x%08x gen %u, found %s", i, owner(i), tag,
                 gen, ps_describe(page(i), got, sizeof(got)));
    }
}

/* What every data page holds once round r's writes are done. */
static void expect_round(uint32_t i, uint32_t r)
{
    if (r == 0)
        expect(i, parent_tag, 0);
    else
        expect(i, child_tag(owner(i)), r);
}

/* A short nap for pollers: yield a few times, then sleep a millisecond. */
static void nap(unsigned *spins)
{
    if (++*spins < 64) {
        sys_sched_yield();
    } else {
        struct timespec ts = { 0, 1000000 };
        sys_nanosleep(&ts, NULL);
    }
}

/* ---- a child ---- */

static void child_wait_go(uint32_t phase, pid_t parent)
{
    unsigned spins = 0;
    while (ctl->go < phase) {
        if (getppid() != parent)
            _exit(CHILD_MAX_CODE + 1);          /* the parent is gone */
        nap(&spins);
    }
}

static void child_pingpong(uint32_t pings, pid_t parent);

static void child_main(uint32_t rounds, uint32_t pings, pid_t parent)
{
    uint32_t tag = ps_tag(PS_PROC, (uint32_t)getpid());
    ctl->pid[me] = (uint32_t)getpid();
    for (uint32_t r = 1; r <= rounds; r++) {
        child_wait_go(2 * r - 1, parent);
        for (uint32_t i = FIRST_DATA; i < npages; i++) {
            if (owner(i) != (uint32_t)me)
                continue;
            if (r == 1)
                expect(i, parent_tag, 0);
            else
                expect(i, tag, r - 1);
            ps_write(page(i), tag, i, r);
            ctl->count[me]++;
        }
        ctl->done[me] = 2 * r - 1;
        child_wait_go(2 * r, parent);
        uint32_t start = FIRST_DATA + (npages - FIRST_DATA) / nchildren * (uint32_t)me;
        for (uint32_t k = 0; k < npages - FIRST_DATA; k++)
            expect_round(FIRST_DATA + (start - FIRST_DATA + k) % (npages - FIRST_DATA), r);
        ctl->done[me] = 2 * r;
    }
    if (me == 0)
        child_pingpong(pings, parent);
    _exit(mismatches > CHILD_MAX_CODE ? CHILD_MAX_CODE : (int)mismatches);
}

/* ---- the ping-pong page: word 0 the turn, the others its values ---- */

static uint32_t ping_value(uint32_t turn, uint32_t w)
{
    return (turn * 0x9e3779b1u) ^ (w * 0x85ebca6bu) ^ 0x50494e47u;
}

static void ping_fill(uint32_t turn)
{
    volatile uint32_t *p = page(1);
    for (uint32_t w = 1; w < PING_WORDS; w++)
        p[w] = ping_value(turn, w);
    p[0] = turn;                        /* last: x86 keeps stores in order */
}

/* Waits for the other side's turn, then checks its values. 0, or -1 if
 * the other side went away (checked by gone()). */
static int ping_wait(uint32_t turn, int (*gone)(void))
{
    volatile uint32_t *p = page(1);
    unsigned spins = 0;
    while (p[0] != turn) {
        if (gone())
            return -1;
        nap(&spins);
    }
    checked++;
    for (uint32_t w = 1; w < PING_WORDS; w++)
        if (p[w] != ping_value(turn, w)) {
            mismatch("ping-pong turn %u word %u: 0x%08x, expected 0x%08x", turn, w, p[w],
                     ping_value(turn, w));
            break;
        }
    return 0;
}

static pid_t the_parent;

static int parent_gone(void) { return getppid() != the_parent; }

static void child_pingpong(uint32_t pings, pid_t parent)
{
    the_parent = parent;
    for (uint32_t t = 1; t <= 2 * pings; t += 2) {
        if (ping_wait(t, parent_gone))
            _exit(CHILD_MAX_CODE + 1);
        ping_fill(t + 1);
    }
}

/* ---- the parent ---- */

static pid_t pids[MAX_CHILDREN];
static int statuses[MAX_CHILDREN], reaped[MAX_CHILDREN];
static char failmsg[160];

/* Reaps a child that has ended, if any: its index, or -1. */
static int reap_nohang(void)
{
    int st;
    long pid = sys_waitpid(-1, &st, WNOHANG);
    for (uint32_t k = 0; pid > 0 && k < nchildren; k++)
        if (pids[k] == pid) {
            statuses[k] = st;
            reaped[k] = 1;
            return (int)k;
        }
    return -1;
}

/* Waits until every child finished phase; 0, or -1 if one ended first. */
static int parent_wait_done(uint32_t phase)
{
    unsigned spins = 0;
    for (;;) {
        uint32_t k = 0;
        while (k < nchildren && ctl->done[k] >= phase)
            k++;
        if (k == nchildren)
            return 0;
        int e = reap_nohang();
        if (e >= 0 && ctl->done[e] < phase) {
            int st = statuses[e];
            snprintf(failmsg, sizeof(failmsg), "child %d (pid %d) %s %d before phase %u", e,
                     pids[e], WIFEXITED(st) ? "exited with" : "killed by signal",
                     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), phase);
            return -1;
        }
        nap(&spins);
    }
}

static int child0_gone(void)
{
    reap_nohang();
    return reaped[0];
}

static int parse(int argc, char **argv, unsigned long *v[4])
{
    static const char *const opts[4] = { "-c", "-m", "-r", "-p" };
    static const char *const what[4] = { "CHILDREN", "MIB", "ROUNDS", "PINGS" };
    static const unsigned long max[4] = { MAX_CHILDREN, 1024, 1000, 1000000 };
    for (int i = 1; i < argc; i++) {
        int o = 0;
        while (o < 4 && strcmp(argv[i], opts[o]))
            o++;
        if (o == 4 || i + 1 >= argc ||
            wl_parse("shmtest", what[o], argv[++i], o == 3 ? 0 : 1, max[o], v[o]))
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long c = 3, mib = 80, rounds = 3, pings = 200;
    unsigned long *v[4] = { &c, &mib, &rounds, &pings };
    if (parse(argc, argv, v))
        return usage();
    nchildren = (uint32_t)c;
    npages = (uint32_t)(mib << 20) / PAGE_SIZE;
    if (npages < FIRST_DATA + nchildren) {
        fprintf(STDERR_FILENO, "shmtest: %lu MiB is too small for %u children\n", mib, nchildren);
        return WL_EXIT_USAGE;
    }
    long a = sys_mmap2(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (IS_ERR_VALUE(a)) {
        printf("shmtest: mmap2 failed: %s\n", errname((int)-a));
        return WL_EXIT_USAGE;
    }
    region = (volatile uint32_t *)a;
    ctl = (struct ctl *)a;
    parent_tag = ps_tag(PS_ORIG, (uint32_t)getpid());
    for (uint32_t i = FIRST_DATA; i < npages; i++)
        ps_write(page(i), parent_tag, i, 0);

    struct vmdelta vm;
    vmdelta_start(&vm, counters, ARRAY_SIZE(counters));
    long t0 = wl_now_ms();
    pid_t parent = getpid();
    uint32_t forked = 0;
    for (uint32_t k = 0; k < nchildren; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            me = (int)k;
            child_main((uint32_t)rounds, (uint32_t)pings, parent);
        }
        if (pid < 0) {
            snprintf(failmsg, sizeof(failmsg), "fork of child %u: %s", k, errname(errno));
            break;
        }
        pids[forked++] = pid;
    }

    uint32_t r = 1, pinged = 0;
    progress_start("shmtest", rounds, "rounds");
    for (; !failmsg[0] && r <= rounds; r++) {
        ctl->go = 2 * r - 1;
        if (parent_wait_done(2 * r - 1))
            break;
        for (uint32_t k = 0; k < nchildren; k++) {
            uint32_t own = 0;
            for (uint32_t i = FIRST_DATA; i < npages; i++)
                own += owner(i) == k;
            checked++;
            if (ctl->pid[k] != (uint32_t)pids[k])
                mismatch("child %u's pid slot holds %u, fork returned %d", k, ctl->pid[k],
                         pids[k]);
            else if (ctl->count[k] != own * r)
                mismatch("child %u's counter is %u after round %u, expected %u", k,
                         ctl->count[k], r, own * r);
        }
        ctl->go = 2 * r;
        for (uint32_t i = FIRST_DATA; i < npages; i++)
            expect_round(i, r);
        if (parent_wait_done(2 * r))
            break;
        progress_tick(r);
    }
    if (!failmsg[0]) {
        for (uint32_t t = 1; t <= 2 * pings; t += 2) {
            ping_fill(t);
            if (ping_wait(t + 1, child0_gone)) {
                snprintf(failmsg, sizeof(failmsg), "child 0 ended during the ping-pong");
                break;
            }
            pinged++;
        }
    }

    uint64_t total_checked = checked;
    unsigned long child_mismatches = 0, lost = 0;
    for (uint32_t k = 0; k < forked; k++) {
        int st = statuses[k];
        if (!reaped[k] && waitpid(pids[k], &st, 0) != pids[k]) {
            lost++;
            continue;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) <= CHILD_MAX_CODE) {
            child_mismatches += WEXITSTATUS(st);
        } else {
            printf("shmtest: child %u (pid %d) %s %d\n", k, pids[k],
                   WIFEXITED(st) ? "exited with" : "was killed by signal",
                   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            lost++;
        }
    }
    /* The children's checks, as planned (a child that did less is lost). */
    uint64_t data = npages - FIRST_DATA;
    total_checked += (uint64_t)rounds * data * nchildren + (uint64_t)rounds * data + pings;
    long t1 = wl_now_ms();
    unsigned long total_mismatches = mismatches + child_mismatches;
    printf("shmtest: %u processes, %llu pages checked, %lu mismatches\n", forked + 1,
           (unsigned long long)total_checked, total_mismatches);
    printf("shmtest: children=%u mib=%lu pages=%u rounds=%lu pings=%u elapsed_ms=%ld lost=%lu\n",
           forked, mib, npages, rounds, pinged, t1 - t0, lost);
    vmdelta_print(&vm, "shmtest");
    sys_munmap((void *)region, (size_t)mib << 20);
    if (!failmsg[0] && lost)
        snprintf(failmsg, sizeof(failmsg), "%lu children lost", lost);
    if (!failmsg[0] && total_mismatches)
        snprintf(failmsg, sizeof(failmsg), "%lu mismatches", total_mismatches);
    if (failmsg[0]) {
        printf("shmtest: FAIL %s\n", failmsg);
        return WL_EXIT_CORRUPT;
    }
    printf("shmtest: OK\n");
    return WL_EXIT_OK;
}
