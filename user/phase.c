/*
 * phase: a working set that moves. The region is private anonymous
 * memory; in each phase, random accesses (half reads, half writes, every
 * page checked on every access: workload.h) stay inside a window of a
 * quarter of the region, and the window moves on by half its size from
 * one phase to the next (wrapping around the region's end). A reclaimer
 * must notice that the old window went cold and the new one is hot.
 *
 *   phase [MIB] [PHASES] [ACCESSES_PER_PHASE] [SEED]
 *
 * Prints one summary line "phase: OK elapsed_ms=E accesses=A pages=P
 * mib=M window_pages=W ..." (accesses include the initial fill and the
 * final check of every page). Exits 0 if every page held its pattern, 1 on
 * corruption, 2 on bad arguments or a failed mmap.
 */
#include "workload.h"

#define DEF_MIB 80
#define DEF_PHASES 8
#define DEF_PER_PHASE 25000
#define DEF_SEED 3

static int usage(void)
{
    fprintf(STDERR_FILENO,
            "usage: phase [MIB] [PHASES] [ACCESSES_PER_PHASE] [SEED]\n"
            "  MIB                 region size in MiB (default %d)\n"
            "  PHASES              number of phases; the window (1/4 of the "
            "region) moves\n"
            "                      by half its size each phase (default %d)\n"
            "  ACCESSES_PER_PHASE  random page accesses inside the window "
            "(default %d)\n"
            "  SEED                PRNG seed (default %d)\n",
            DEF_MIB, DEF_PHASES, DEF_PER_PHASE, DEF_SEED);
    return WL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    unsigned long mib = DEF_MIB, phases = DEF_PHASES, n = DEF_PER_PHASE;
    unsigned long seed = DEF_SEED;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage();
        return 0;
    }
    if (argc > 5) {
        fprintf(STDERR_FILENO, "phase: too many arguments\n");
        return usage();
    }
    if ((argc > 1 && wl_parse("phase", "MIB", argv[1], 1, 1UL << 20, &mib)) ||
        (argc > 2 && wl_parse("phase", "PHASES", argv[2], 1, 1000000, &phases)) ||
        (argc > 3 && wl_parse("phase", "ACCESSES_PER_PHASE", argv[3], 1,
                              0xFFFFFFFFUL, &n)) ||
        (argc > 4 && wl_parse("phase", "SEED", argv[4], 0, 0xFFFFFFFFUL, &seed)))
        return usage();

    struct wl_region r;
    if (wl_map(&r, "phase", mib, 0x9a5e9a5eu ^ (uint32_t)seed))
        return WL_EXIT_USAGE;
    uint32_t window = r.npages / 4;     /* 64 pages or more */
    uint32_t step = window / 2;
    uint32_t rng = wl_seed((uint32_t)seed);

    wl_progress_start(&r, 2ull * r.npages + (uint64_t)phases * n);
    long t0 = wl_now_ms();
    wl_fill(&r);
    uint32_t start = 0;
    for (unsigned long p = 0; p < phases; p++) {
        for (unsigned long k = 0; k < n; k++) {
            uint32_t i = start + wl_below(&rng, window);
            if (i >= r.npages)
                i -= r.npages;
            wl_access(&r, i, &rng);
        }
        start += step;
        if (start >= r.npages)
            start -= r.npages;
    }
    wl_verify_all(&r);
    long t1 = wl_now_ms();
    char extra[128];
    snprintf(extra, sizeof(extra), " window_pages=%u phases=%lu "
             "accesses_per_phase=%lu seed=%lu", window, phases, n, seed);
    int rc = wl_summary(&r, t1 - t0, extra);
    wl_unmap(&r);
    return rc;
}
