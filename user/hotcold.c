/*
 * hotcold: random page accesses over a private anonymous region, 90% of
 * them to a hot part (the first HOT_PERCENT of the region) and the rest to
 * the cold part, half reads and half writes, every page checked on every
 * access (workload.h). A reclaimer that tracks recency keeps the hot part
 * resident and swaps the cold part out.
 *
 *   hotcold [MIB] [ACCESSES] [HOT_PERCENT] [SEED]
 *
 * Prints one summary line "hotcold: OK elapsed_ms=E accesses=A pages=P
 * mib=M hot_pages=H ..." (accesses include the initial fill and the final
 * check of every page). Exits 0 if every page held its pattern, 1 on
 * corruption, 2 on bad arguments or a failed mmap.
 */
#include "workload.h"

#define DEF_MIB 80
#define DEF_ACCESSES 200000
#define DEF_HOT_PERCENT 10
#define HOT_SHARE 90                    /* percent of accesses that are hot */
#define DEF_SEED 2

static int usage(void)
{
    fprintf(STDERR_FILENO,
            "usage: hotcold [MIB] [ACCESSES] [HOT_PERCENT] [SEED]\n"
            "  MIB          region size in MiB (default %d)\n"
            "  ACCESSES     random page accesses, %d%% of them to the hot part "
            "(default %d)\n"
            "  HOT_PERCENT  size of the hot part, percent of the region, "
            "1..99 (default %d)\n"
            "  SEED         PRNG seed (default %d)\n",
            DEF_MIB, HOT_SHARE, DEF_ACCESSES, DEF_HOT_PERCENT, DEF_SEED);
    return WL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    unsigned long mib = DEF_MIB, n = DEF_ACCESSES, hot = DEF_HOT_PERCENT;
    unsigned long seed = DEF_SEED;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage();
        return 0;
    }
    if (argc > 5) {
        fprintf(STDERR_FILENO, "hotcold: too many arguments\n");
        return usage();
    }
    if ((argc > 1 && wl_parse("hotcold", "MIB", argv[1], 1, 1UL << 20, &mib)) ||
        (argc > 2 && wl_parse("hotcold", "ACCESSES", argv[2], 1, 0xFFFFFFFFUL, &n)) ||
        (argc > 3 && wl_parse("hotcold", "HOT_PERCENT", argv[3], 1, 99, &hot)) ||
        (argc > 4 && wl_parse("hotcold", "SEED", argv[4], 0, 0xFFFFFFFFUL, &seed)))
        return usage();

    struct wl_region r;
    if (wl_map(&r, "hotcold", mib, 0x407c01d0u ^ (uint32_t)seed))
        return WL_EXIT_USAGE;
    /* At least one page in each part: a region has 256 pages or more. */
    uint32_t hot_pages = (uint32_t)((uint64_t)r.npages * hot / 100);
    if (hot_pages == 0)
        hot_pages = 1;
    uint32_t cold_pages = r.npages - hot_pages;
    uint32_t rng = wl_seed((uint32_t)seed);
    unsigned long hot_n = 0;

    wl_progress_start(&r, 2ull * r.npages + n);
    long t0 = wl_now_ms();
    wl_fill(&r);
    for (unsigned long k = 0; k < n; k++) {
        uint32_t i;
        if (wl_below(&rng, 100) < HOT_SHARE) {
            i = wl_below(&rng, hot_pages);
            hot_n++;
        } else {
            i = hot_pages + wl_below(&rng, cold_pages);
        }
        wl_access(&r, i, &rng);
    }
    wl_verify_all(&r);
    long t1 = wl_now_ms();
    char extra[128];
    snprintf(extra, sizeof(extra), " hot_pages=%u hot_accesses=%lu "
             "cold_accesses=%lu seed=%lu", hot_pages, hot_n, n - hot_n, seed);
    int rc = wl_summary(&r, t1 - t0, extra);
    wl_unmap(&r);
    return rc;
}
