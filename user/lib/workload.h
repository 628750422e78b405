/*
 * workload.h: shared helpers of the memory-thrashing workloads (thrash,
 * seqscan, hotcold, phase, multithrash), which put pressure on a swap
 * system that reclaims private anonymous memory.
 *
 * A region is one private anonymous mmap2. Every page carries a pattern
 * that is checked on every access, so a page that comes back from swap
 * wrong (lost, stale, from another page or another process, partly
 * written) is caught:
 *
 *   word 0     magic: WL_MAGIC ^ the region's salt (differs per process)
 *   word 1     the page's index in the region
 *   word 2     the page's generation: bumped by every write (never 0)
 *   word 3     checksum over the other checked words
 *   8 words    one in each 512-byte sector of the page (at varied
 *              offsets, the last one in the page's last word), each a
 *              hash of salt, index, generation and position
 *
 * The generation each page should hold is kept in a separate array, so a
 * stale copy of a page (an older generation) is caught too. A page never
 * written (generation 0) must read as zeros.
 *
 * A read verifies the page; a write verifies it, bumps the generation and
 * rewrites the pattern. A mismatch counts one error, prints the first few
 * ("NAME: CORRUPT page N: expected ..., got ...") and repairs the page to
 * what it should be, so one corruption is counted once.
 *
 * Each program fills the whole region first (so all of it is resident or
 * swapped, not merely reserved), runs its access pattern, then verifies
 * every page once more. "accesses" counts all of these page accesses.
 *
 * On a terminal a program that calls wl_progress_start also prints
 * "NAME: progress ..." lines while it runs (progress.h); its result lines
 * stay as below.
 */
#ifndef USER_WORKLOAD_H
#define USER_WORKLOAD_H

/* WL_HOST: the host build of tools/replay/, whose host_ulib.h maps what
 * these files use of ulib.h onto the host's libc. */
#ifdef WL_HOST
#include "host_ulib.h"
#else
#include "ulib.h"
#endif

#define WL_MAGIC 0x50505357u            /* "PPSW" */
#define WL_MAX_REPORTS 10               /* CORRUPT lines printed per region */

/* Exit codes shared by all the workloads. */
#define WL_EXIT_OK      0
#define WL_EXIT_CORRUPT 1
#define WL_EXIT_USAGE   2               /* bad arguments, mmap failure */

struct wl_region {
    const char *name;                   /* prefix of messages: "thrash" */
    volatile uint32_t *base;            /* the region */
    uint32_t npages;
    uint32_t mib;
    uint32_t salt;                      /* mixed into every pattern word */
    uint32_t *gen;                      /* generation each page should hold */
    uint32_t gen_bytes;                 /* size of the gen mapping */
    uint64_t accesses, reads, writes;
    uint64_t errors;                    /* corrupt page accesses */
    int progress;                       /* wl_progress_start: reports */
};

/* Time since an arbitrary point, in milliseconds (CLOCK_MONOTONIC). */
long wl_now_ms(void);

/* xorshift32. A state of 0 would stick: wl_seed never returns 0. */
uint32_t wl_seed(uint32_t seed);
uint32_t wl_rand(uint32_t *state);
/* A uniform number in [0, n), n > 0. */
uint32_t wl_below(uint32_t *state, uint32_t n);

/*
 * A strict decimal argument in [min, max] (digits only, no sign, no
 * overflow). On error prints "PROG: WHAT must be ..." and returns -1.
 */
int wl_parse(const char *prog, const char *what, const char *arg,
             unsigned long min, unsigned long max, unsigned long *out);

/*
 * Maps a region of mib MiB and its generation array. On failure prints
 * why ("NAME: cannot map 100000 MiB: ...") and returns -1.
 */
int wl_map(struct wl_region *r, const char *name, unsigned long mib,
           uint32_t salt);
void wl_unmap(struct wl_region *r);

/* One access to page i: verify only, or verify and rewrite. */
void wl_read(struct wl_region *r, uint32_t i);
void wl_write(struct wl_region *r, uint32_t i);
/* Half reads, half writes, as a random bit says. */
void wl_access(struct wl_region *r, uint32_t i, uint32_t *rng);

/*
 * Progress lines on a terminal (progress.h): from now on every access
 * through r counts towards planned accesses in all ("thrash: progress 41%
 * (61440/150000 accesses), 12 s, ..."). One region per process may report
 * (the state is global); under WL_HOST a no-op, so the traces stay as
 * they are.
 */
void wl_progress_start(struct wl_region *r, uint64_t planned);

/* Writes every page in order / reads every page in order. */
void wl_fill(struct wl_region *r);
void wl_verify_all(struct wl_region *r);

/* fill, n uniformly random accesses (half reads, half writes), verify:
 * 2 * npages + n accesses. */
void wl_thrash(struct wl_region *r, unsigned long n, uint32_t seed);

/*
 * Prints the one summary line
 *   "NAME: OK elapsed_ms=E accesses=A pages=P mib=M" or
 *   "NAME: CORRUPT errors=K elapsed_ms=E accesses=A pages=P mib=M"
 * followed by extra (" key=value ...", may be NULL) and returns the exit
 * code: WL_EXIT_OK or WL_EXIT_CORRUPT.
 */
int wl_summary(const struct wl_region *r, long elapsed_ms, const char *extra);

#endif
