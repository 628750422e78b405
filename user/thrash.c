/*
 * thrash: uniformly random page accesses over a private anonymous region,
 * half reads and half writes, every page checked on every access
 * (workload.h). With a region larger than RAM, most accesses fault pages
 * in from swap and push others out.
 *
 *   thrash [MIB] [ACCESSES] [SEED]
 *
 * Prints one summary line "thrash: OK elapsed_ms=E accesses=A pages=P
 * mib=M" (accesses include the initial fill and the final check of every
 * page). Exits 0 if every page held its pattern, 1 on corruption, 2 on bad
 * arguments or a failed mmap.
 */
#include "workload.h"

#define DEF_MIB 80
#define DEF_ACCESSES 100000
#define DEF_SEED 1

static int usage(void)
{
    fprintf(STDERR_FILENO,
            "usage: thrash [MIB] [ACCESSES] [SEED]\n"
            "  MIB       region size in MiB (default %d)\n"
            "  ACCESSES  random page accesses, half reads, half writes "
            "(default %d)\n"
            "  SEED      PRNG seed (default %d)\n",
            DEF_MIB, DEF_ACCESSES, DEF_SEED);
    return WL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    unsigned long mib = DEF_MIB, n = DEF_ACCESSES, seed = DEF_SEED;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage();
        return 0;
    }
    if (argc > 4) {
        fprintf(STDERR_FILENO, "thrash: too many arguments\n");
        return usage();
    }
    if ((argc > 1 && wl_parse("thrash", "MIB", argv[1], 1, 1UL << 20, &mib)) ||
        (argc > 2 && wl_parse("thrash", "ACCESSES", argv[2], 1, 0xFFFFFFFFUL, &n)) ||
        (argc > 3 && wl_parse("thrash", "SEED", argv[3], 0, 0xFFFFFFFFUL, &seed)))
        return usage();

    struct wl_region r;
    if (wl_map(&r, "thrash", mib, (uint32_t)seed))
        return WL_EXIT_USAGE;
    wl_progress_start(&r, 2ull * r.npages + n);
    long t0 = wl_now_ms();
    wl_thrash(&r, n, (uint32_t)seed);
    long t1 = wl_now_ms();
    char extra[64];
    snprintf(extra, sizeof(extra), " seed=%lu", seed);
    int rc = wl_summary(&r, t1 - t0, extra);
    wl_unmap(&r);
    return rc;
}
