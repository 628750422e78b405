/*
 * seqscan: sequential passes over a private anonymous region. The first
 * pass writes every page; each later pass checks every page (what the
 * previous pass wrote) and rewrites it; a last pass only checks. With a
 * region larger than RAM this is the worst case for LRU: every page has
 * gone to swap by the time the next pass comes back to it.
 *
 *   seqscan [MIB] [PASSES]
 *
 * Prints one summary line "seqscan: OK elapsed_ms=E accesses=A pages=P
 * mib=M passes=N" (accesses include the final check pass). Exits 0 if
 * every page held its pattern, 1 on corruption, 2 on bad arguments or a
 * failed mmap.
 */
#include "workload.h"

#define DEF_MIB 80
#define DEF_PASSES 4

static int usage(void)
{
    fprintf(STDERR_FILENO,
            "usage: seqscan [MIB] [PASSES]\n"
            "  MIB     region size in MiB (default %d)\n"
            "  PASSES  write passes over the region; each checks the previous "
            "one (default %d)\n",
            DEF_MIB, DEF_PASSES);
    return WL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    unsigned long mib = DEF_MIB, passes = DEF_PASSES;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage();
        return 0;
    }
    if (argc > 3) {
        fprintf(STDERR_FILENO, "seqscan: too many arguments\n");
        return usage();
    }
    if ((argc > 1 && wl_parse("seqscan", "MIB", argv[1], 1, 1UL << 20, &mib)) ||
        (argc > 2 && wl_parse("seqscan", "PASSES", argv[2], 1, 1000000, &passes)))
        return usage();

    struct wl_region r;
    if (wl_map(&r, "seqscan", mib, 0x5ec5ca11u))
        return WL_EXIT_USAGE;
    wl_progress_start(&r, (passes + 1ull) * r.npages);
    long t0 = wl_now_ms();
    for (unsigned long p = 0; p < passes; p++)
        for (uint32_t i = 0; i < r.npages; i++)
            wl_write(&r, i);            /* checks the last pass's pattern */
    wl_verify_all(&r);
    long t1 = wl_now_ms();
    char extra[64];
    snprintf(extra, sizeof(extra), " passes=%lu", passes);
    int rc = wl_summary(&r, t1 - t0, extra);
    wl_unmap(&r);
    return rc;
}
