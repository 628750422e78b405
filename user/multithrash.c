/*
 * multithrash: NPROC processes thrashing at once, one per CPU by default.
 * Each forked child maps its own private anonymous region and runs the
 * thrash loop on it (fill, uniformly random accesses, half reads and half
 * writes, final check: workload.h) with its own seed and its own pattern
 * salt, so a page that comes back into the wrong process is caught too.
 * The parent waits for all and checks that every child exited 0.
 *
 *   multithrash [NPROC] [MIB_EACH] [ACCESSES] [SEED]
 *
 * A child prints nothing unless it finds corruption ("multithrash[I]:
 * CORRUPT page ..." and its own "multithrash[I]: CORRUPT errors=..." line)
 * or cannot map its region; but on a terminal child 0 stands for all
 * with progress lines ("multithrash[0]: progress 41% ...", progress.h).
 * The parent prints one summary line:
 *   multithrash: OK elapsed_ms=E accesses=A pages=P mib=M nproc=N ...
 *   multithrash: CORRUPT errors=K ... corrupt_children=I,J  (K children)
 *   multithrash: FAIL ... failed=[child I pid P: killed by signal S] ...
 * pages, mib and accesses are totals over all children. Exits 0 if all
 * children were OK, 1 on corruption or a child killed by a signal, 2 on bad
 * arguments or when children could not be forked or map their region.
 */
#include "workload.h"

#define DEF_NPROC 4
#define DEF_MIB_EACH 24
#define DEF_ACCESSES 50000
#define DEF_SEED 1
#define MAX_NPROC 64

static int usage(void)
{
    fprintf(STDERR_FILENO,
            "usage: multithrash [NPROC] [MIB_EACH] [ACCESSES] [SEED]\n"
            "  NPROC     child processes, 1..%d (default %d)\n"
            "  MIB_EACH  region size of each child in MiB (default %d)\n"
            "  ACCESSES  random page accesses of each child (default %d)\n"
            "  SEED      PRNG seed; child I uses SEED+I (default %d)\n",
            MAX_NPROC, DEF_NPROC, DEF_MIB_EACH, DEF_ACCESSES, DEF_SEED);
    return WL_EXIT_USAGE;
}

/* The child's whole life: never returns. */
static void child(int idx, unsigned long mib, unsigned long n, uint32_t seed)
{
    static char name[32];
    snprintf(name, sizeof(name), "multithrash[%d]", idx);
    struct wl_region r;
    if (wl_map(&r, name, mib, 0x3a17c0deu ^ (seed * 0x9e3779b1u)))
        exit(WL_EXIT_USAGE);
    if (idx == 0)                       /* one progress line for all */
        wl_progress_start(&r, 2ull * r.npages + n);
    long t0 = wl_now_ms();
    wl_thrash(&r, n, seed);
    long t1 = wl_now_ms();
    if (r.errors) {
        char extra[48];
        snprintf(extra, sizeof(extra), " pid=%d", getpid());
        wl_summary(&r, t1 - t0, extra);
        exit(WL_EXIT_CORRUPT);
    }
    wl_unmap(&r);
    exit(WL_EXIT_OK);
}

/* Appends to a fixed buffer, silently truncating. */
static void append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

int main(int argc, char **argv)
{
    unsigned long nproc = DEF_NPROC, mib = DEF_MIB_EACH, n = DEF_ACCESSES;
    unsigned long seed = DEF_SEED;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage();
        return 0;
    }
    if (argc > 5) {
        fprintf(STDERR_FILENO, "multithrash: too many arguments\n");
        return usage();
    }
    if ((argc > 1 && wl_parse("multithrash", "NPROC", argv[1], 1, MAX_NPROC, &nproc)) ||
        (argc > 2 && wl_parse("multithrash", "MIB_EACH", argv[2], 1, 1UL << 20, &mib)) ||
        (argc > 3 && wl_parse("multithrash", "ACCESSES", argv[3], 1, 0xFFFFFFFFUL, &n)) ||
        (argc > 4 && wl_parse("multithrash", "SEED", argv[4], 0, 0xFFFFFFFFUL, &seed)))
        return usage();

    if (((unsigned long long)mib << 20) > 0xFFFFF000ull) {
        fprintf(STDERR_FILENO, "multithrash: cannot map %lu MiB per child: "
                "more than a 32-bit address space holds\n", mib);
        return WL_EXIT_USAGE;
    }

    static pid_t pids[MAX_NPROC];
    static int status[MAX_NPROC];
    int started = 0, fork_errno = 0;
    long t0 = wl_now_ms();
    for (unsigned long i = 0; i < nproc; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            fork_errno = errno;
            break;
        }
        if (pid == 0)
            child((int)i, mib, n, (uint32_t)(seed + i));
        pids[started++] = pid;
    }
    for (int left = started; left > 0;) {
        int st;
        pid_t pid = wait(&st);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            fprintf(STDERR_FILENO, "multithrash: wait: %s\n", strerror(errno));
            break;
        }
        for (int i = 0; i < started; i++)
            if (pids[i] == pid) {
                status[i] = st;
                pids[i] = -pid;         /* reaped */
                left--;
            }
    }
    long t1 = wl_now_ms();

    int corrupt = 0, failed = 0, killed = 0;
    uint64_t accesses = 0;
    uint64_t pages_each = (uint64_t)mib * 256;
    char corrupt_list[256] = "", fail_list[512] = "";
    for (int i = 0; i < started; i++) {
        int st = status[i];
        pid_t pid = -pids[i];
        if (pids[i] > 0) {
            failed++;
            append(fail_list, sizeof(fail_list), " [child %d pid %d: not reaped]",
                   i, pids[i]);
        } else if (WIFSIGNALED(st)) {
            failed++;
            killed++;
            append(fail_list, sizeof(fail_list),
                   " [child %d pid %d: killed by signal %d]", i, pid, WTERMSIG(st));
        } else if (WEXITSTATUS(st) == WL_EXIT_OK) {
            accesses += 2 * pages_each + n;
        } else if (WEXITSTATUS(st) == WL_EXIT_CORRUPT) {
            corrupt++;
            accesses += 2 * pages_each + n;
            append(corrupt_list, sizeof(corrupt_list), "%s%d",
                   corrupt_list[0] ? "," : "", i);
        } else {
            failed++;
            if (WEXITSTATUS(st) != WL_EXIT_USAGE)
                killed++;               /* not a code a child uses */
            append(fail_list, sizeof(fail_list), " [child %d pid %d: exit %d%s]",
                   i, pid, WEXITSTATUS(st),
                   WEXITSTATUS(st) == WL_EXIT_USAGE ? ", could not map" : "");
        }
    }
    if ((unsigned long)started < nproc) {
        failed++;
        append(fail_list, sizeof(fail_list), " [fork of child %d: %s]",
               started, strerror(fork_errno));
    }

    char common[160];
    snprintf(common, sizeof(common),
             "elapsed_ms=%ld accesses=%llu pages=%llu mib=%llu nproc=%lu "
             "mib_each=%lu accesses_each=%lu seed=%lu", t1 - t0, accesses,
             pages_each * nproc, (uint64_t)mib * nproc, nproc, mib, n, seed);
    if (corrupt) {
        printf("multithrash: CORRUPT errors=%d %s corrupt_children=%s%s%s\n",
               corrupt, common, corrupt_list, failed ? " failed=" : "",
               failed ? fail_list + 1 : "");
        return WL_EXIT_CORRUPT;
    }
    if (failed) {
        printf("multithrash: FAIL %s failed=%s\n", common, fail_list + 1);
        return killed ? WL_EXIT_CORRUPT : WL_EXIT_USAGE;
    }
    printf("multithrash: OK %s\n", common);
    return WL_EXIT_OK;
}
