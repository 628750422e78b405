/*
 * workload.c: the page pattern, its checks, the PRNG, argument parsing
 * and the summary line of the memory-thrashing workloads (workload.h).
 */
#include "workload.h"

/* WL_TRACE: the host build of tools/replay/ records every page access
 * (wl_trace.h); under ppsos these are no-ops. */
#ifdef WL_TRACE
#include "wl_trace.h"
#else
#define wl_trace_open(r) ((void)0)
#define wl_trace_page(r, i) ((void)0)
#define wl_trace_close(r) ((void)0)
#endif

/* Progress lines (progress.h): not in the host build, which has no
 * terminal to show them and must trace exactly the same accesses. */
#ifdef WL_HOST
#define wl_progress_tick(r) ((void)0)
void wl_progress_start(struct wl_region *r, uint64_t planned)
{
    (void)r;
    (void)planned;
}
#else
#include "progress.h"
#define wl_progress_tick(r) do { if ((r)->progress) progress_tick((r)->accesses); } while (0)
void wl_progress_start(struct wl_region *r, uint64_t planned)
{
    progress_start(r->name, planned, "accesses");
    r->progress = 1;
}
#endif

#define WORDS_PER_PAGE (PAGE_SIZE / 4)
#define NSECT 8                         /* 512-byte sectors in a page */
#define NCHECK (4 + NSECT)              /* checked words per page */

/* Word offsets in a page: the 4 header words, then one word in each
 * sector at a varied offset; the last one is the page's last word. */
static const uint16_t check_pos[NCHECK] = {
    0, 1, 2, 3,
    0 * 128 + 4 + (0 * 37) % 120,
    1 * 128 + 4 + (1 * 37) % 120,
    2 * 128 + 4 + (2 * 37) % 120,
    3 * 128 + 4 + (3 * 37) % 120,
    4 * 128 + 4 + (4 * 37) % 120,
    5 * 128 + 4 + (5 * 37) % 120,
    6 * 128 + 4 + (6 * 37) % 120,
    WORDS_PER_PAGE - 1,
};

/* ---- time, PRNG, arguments ---- */

long wl_now_ms(void)
{
    struct timespec ts = { 0, 0 };
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* murmur3's finalizer: a good 32-bit mixer. */
static uint32_t fmix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint32_t wl_seed(uint32_t seed)
{
    uint32_t s = fmix(seed ^ 0x2545f491u);
    return s ? s : 0x9e3779b9u;
}

uint32_t wl_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

uint32_t wl_below(uint32_t *state, uint32_t n)
{
    return (uint32_t)(((uint64_t)wl_rand(state) * n) >> 32);
}

int wl_parse(const char *prog, const char *what, const char *arg,
             unsigned long min, unsigned long max, unsigned long *out)
{
    unsigned long long v = 0;
    const char *p = arg;
    if (!*p)
        goto bad;
    for (; *p; p++) {
        if (!isdigit(*p))
            goto bad;
        v = v * 10 + (unsigned)(*p - '0');
        if (v > max)
            goto bad;
    }
    if (v < min)
        goto bad;
    *out = (unsigned long)v;
    return 0;
bad:
    fprintf(STDERR_FILENO, "%s: %s must be a number from %lu to %lu, not '%s'\n",
            prog, what, min, max, arg);
    return -1;
}

/* ---- the region ---- */

int wl_map(struct wl_region *r, const char *name, unsigned long mib,
           uint32_t salt)
{
    memset(r, 0, sizeof(*r));
    r->name = name;
    unsigned long long len = (unsigned long long)mib << 20;
    if (mib == 0 || len > 0xFFFFF000ull) {
        fprintf(STDERR_FILENO, "%s: cannot map %lu MiB: more than a 32-bit "
                "address space holds\n", name, mib);
        return -1;
    }
    long a = sys_mmap2(NULL, (size_t)len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (IS_ERR_VALUE(a)) {
        fprintf(STDERR_FILENO, "%s: mmap2 of %lu MiB failed: %s (%s)\n",
                name, mib, errname((int)-a), strerror((int)-a));
        return -1;
    }
    r->base = (volatile uint32_t *)a;
    r->mib = mib;
    r->npages = (uint32_t)(len / PAGE_SIZE);
    r->salt = fmix(salt ^ 0x5bd1e995u);
    /* The generation array: also private anonymous memory. */
    r->gen_bytes = (r->npages * 4 + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    long g = sys_mmap2(NULL, r->gen_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (IS_ERR_VALUE(g)) {
        fprintf(STDERR_FILENO, "%s: mmap2 of the %u-byte generation array "
                "failed: %s (%s)\n", name, r->gen_bytes, errname((int)-g),
                strerror((int)-g));
        sys_munmap((void *)r->base, (size_t)len);
        r->base = NULL;
        return -1;
    }
    r->gen = (uint32_t *)g;
    wl_trace_open(r);
    return 0;
}

void wl_unmap(struct wl_region *r)
{
    wl_trace_close(r);
    if (r->base)
        sys_munmap((void *)r->base, (size_t)r->npages * PAGE_SIZE);
    if (r->gen)
        sys_munmap(r->gen, r->gen_bytes);
    r->base = NULL;
    r->gen = NULL;
}

/* The words page i holds at generation gen (all zero for generation 0). */
static void pattern(const struct wl_region *r, uint32_t i, uint32_t gen,
                    uint32_t w[NCHECK])
{
    if (gen == 0) {
        for (int k = 0; k < NCHECK; k++)
            w[k] = 0;
        return;
    }
    uint32_t h = fmix(fmix(r->salt ^ (i * 0x9e3779b1u)) ^ (gen * 0x85ebca77u));
    w[0] = WL_MAGIC ^ r->salt;
    w[1] = i;
    w[2] = gen;
    uint32_t sum = w[0];
    sum = sum * 31 + i;
    sum = sum * 31 + gen;
    for (int k = 4; k < NCHECK; k++) {
        w[k] = fmix(h ^ ((uint32_t)k * 0xc2b2ae3du));
        sum = sum * 31 + w[k];
    }
    w[3] = fmix(sum);
}

static void store(struct wl_region *r, uint32_t i, const uint32_t w[NCHECK])
{
    volatile uint32_t *p = r->base + (size_t)i * WORDS_PER_PAGE;
    for (int k = NCHECK - 1; k >= 0; k--)   /* body first, header last */
        p[check_pos[k]] = w[k];
}

/* Checks page i against the generation it should hold; on a mismatch
 * counts, reports and repairs it. */
static void verify(struct wl_region *r, uint32_t i, int writing)
{
    volatile uint32_t *p = r->base + (size_t)i * WORDS_PER_PAGE;
    uint32_t want[NCHECK], got[NCHECK];
    uint32_t gen = r->gen[i];
    for (int k = 0; k < NCHECK; k++)
        got[k] = p[check_pos[k]];
    pattern(r, i, gen, want);
    int bad = 0, first = -1;
    for (int k = 0; k < NCHECK; k++)
        if (got[k] != want[k]) {
            bad++;
            if (first < 0)
                first = k;
        }
    if (!bad)
        return;
    r->errors++;
    if (r->errors <= WL_MAX_REPORTS) {
        unsigned w = check_pos[first];
        printf("%s: CORRUPT page %u (%s, addr %p): expected index=%u gen=%u "
               "word[%u]=0x%08x, got index=%u gen=%u word[%u]=0x%08x "
               "(%d of %d checked words wrong)\n", r->name, i,
               writing ? "write" : "read", (void *)p, gen ? i : 0, gen, w,
               want[first], got[1], got[2], w, got[first], bad, NCHECK);
        if (r->errors == WL_MAX_REPORTS)
            printf("%s: (further CORRUPT lines suppressed)\n", r->name);
    }
    store(r, i, want);
}

void wl_read(struct wl_region *r, uint32_t i)
{
    verify(r, i, 0);
    wl_trace_page(r, i);
    r->accesses++;
    r->reads++;
    wl_progress_tick(r);
}

void wl_write(struct wl_region *r, uint32_t i)
{
    uint32_t w[NCHECK];
    verify(r, i, 1);
    uint32_t gen = r->gen[i] + 1;
    if (gen == 0)
        gen = 1;
    pattern(r, i, gen, w);
    store(r, i, w);
    r->gen[i] = gen;
    wl_trace_page(r, i);
    r->accesses++;
    r->writes++;
    wl_progress_tick(r);
}

void wl_access(struct wl_region *r, uint32_t i, uint32_t *rng)
{
    if (wl_rand(rng) >> 31)
        wl_write(r, i);
    else
        wl_read(r, i);
}

void wl_fill(struct wl_region *r)
{
    for (uint32_t i = 0; i < r->npages; i++)
        wl_write(r, i);
}

void wl_verify_all(struct wl_region *r)
{
    for (uint32_t i = 0; i < r->npages; i++)
        wl_read(r, i);
}

void wl_thrash(struct wl_region *r, unsigned long n, uint32_t seed)
{
    uint32_t rng = wl_seed(seed);
    wl_fill(r);
    for (unsigned long k = 0; k < n; k++)
        wl_access(r, wl_below(&rng, r->npages), &rng);
    wl_verify_all(r);
}

int wl_summary(const struct wl_region *r, long elapsed_ms, const char *extra)
{
    if (!extra)
        extra = "";
    if (r->errors) {
        printf("%s: CORRUPT errors=%llu elapsed_ms=%ld accesses=%llu "
               "pages=%u mib=%u%s\n", r->name, r->errors, elapsed_ms,
               r->accesses, r->npages, r->mib, extra);
        return WL_EXIT_CORRUPT;
    }
    printf("%s: OK elapsed_ms=%ld accesses=%llu pages=%u mib=%u%s\n",
           r->name, elapsed_ms, r->accesses, r->npages, r->mib, extra);
    return WL_EXIT_OK;
}
