/*
 * replay.c: exact LRU and OPT (Belady) replay of a workload's page trace,
 * the yardstick of the reclaim comparison: how many page faults would the
 * best possible replacement (OPT), and plain LRU, have taken with the same
 * number of frames as a real run.
 *
 *   replay -f FRAMES[,FRAMES...] [-f ...] [-p opt|lru|both] TRACE...
 *
 * A trace file (wl_trace.c) holds one little-endian uint32 per page
 * access: the page's index in its process's region. Several files are
 * several processes with disjoint pages (multithrash's children); their
 * accesses are interleaved round robin, one access of each in turn, a
 * process dropping out when its trace ends. That approximates processes
 * time-sliced on one CPU (or running side by side at the same speed); the
 * real interleaving is coarser and depends on the scheduler and on who
 * waits for the disk, so for several processes the figures are an
 * estimate, not a bound.
 *
 * For each frame count F (the frames the traced pages may occupy) and
 * policy it simulates demand paging: an access to a page that is not
 * resident is a miss and brings the page in, evicting one when F are
 * resident:
 *   lru  evicts the least recently used page (a doubly linked list);
 *   opt  evicts the page whose next use is farthest away, never-again
 *        first (Belady's MIN, optimal for the number of misses): next-use
 *        positions are precomputed and the resident pages sit in a max-heap
 *        keyed by next use, stale entries skipped when popped, so a replay
 *        is O(N log N).
 * A miss on a page never seen before is its first touch: a zero-filled
 * page, no disk read. Every other miss is a major fault that reads the
 * page back from swap (one page: no read-ahead), so pages_read = major.
 *
 * Output, one line per (F, policy), F in the order given, opt first:
 *   policy=opt frames=F accesses=N distinct=D misses=M major=J
 * misses = D + J. Exit status 0, or 2 with a message on stderr for a bad
 * argument or trace file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES_ARGS 1024
#define MAX_PAGE_INDEX (1u << 20)       /* pages of a 4 GiB region */
#define NONE UINT32_MAX

static const char *prog = "replay";

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: replay -f FRAMES[,FRAMES...] [-f ...] [-p opt|lru|both] TRACE...\n"
            "  -f  frame counts to simulate (positive integers)\n"
            "  -p  policies (default both)\n"
            "  TRACE  page trace files (little-endian uint32 page indices);\n"
            "         several = several processes, interleaved round robin\n");
    exit(status);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "%s: out of memory (%zu bytes)\n", prog, n);
        exit(2);
    }
    return p;
}

/* ---- input ---- */

struct trace {
    const char *path;
    uint32_t *rec;
    size_t n;
    uint32_t npages;                    /* highest index + 1 */
};

static void read_trace(struct trace *t, const char *path)
{
    t->path = path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open trace %s: %s\n", prog, path, strerror(errno));
        exit(2);
    }
    if (fseek(f, 0, SEEK_END) || ftell(f) < 0) {
        fprintf(stderr, "%s: cannot seek in trace %s: %s\n", prog, path, strerror(errno));
        exit(2);
    }
    long size = ftell(f);
    rewind(f);
    if (size == 0 || size % 4) {
        fprintf(stderr, "%s: %s is not a page trace: %ld bytes, not a positive "
                "multiple of 4\n", prog, path, size);
        exit(2);
    }
    t->n = (size_t)size / 4;
    t->rec = xmalloc((size_t)size);
    unsigned char *b = (unsigned char *)t->rec;
    if (fread(b, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: cannot read trace %s: %s\n", prog, path,
                ferror(f) ? strerror(errno) : "short read");
        exit(2);
    }
    fclose(f);
    t->npages = 0;
    for (size_t k = 0; k < t->n; k++) {
        const unsigned char *p = b + 4 * k;
        uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (v >= MAX_PAGE_INDEX) {
            fprintf(stderr, "%s: %s is not a page trace: record %zu is page %u, "
                    "beyond a 4 GiB region\n", prog, path, k, v);
            exit(2);
        }
        t->rec[k] = v;
        if (v + 1 > t->npages)
            t->npages = v + 1;
    }
}

/*
 * The accesses of all traces as one sequence of dense page ids
 * (0..distinct-1, in order of first touch): round robin over the traces,
 * process i's page v being its own page, distinct from every other
 * process's.
 */
static uint32_t *merge(struct trace *t, int nt, size_t *n_out, uint32_t *distinct)
{
    size_t n = 0, total_pages = 0;
    for (int i = 0; i < nt; i++) {
        n += t[i].n;
        total_pages += t[i].npages;
    }
    if (n >= NONE) {
        fprintf(stderr, "%s: more than %u accesses\n", prog, NONE - 1);
        exit(2);
    }
    uint32_t *dense = xmalloc(total_pages * sizeof(uint32_t));
    for (size_t k = 0; k < total_pages; k++)
        dense[k] = NONE;
    size_t *pos = calloc((size_t)nt, sizeof(size_t));
    size_t *base = calloc((size_t)nt, sizeof(size_t));
    if (!pos || !base) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exit(2);
    }
    for (int i = 1; i < nt; i++)
        base[i] = base[i - 1] + t[i - 1].npages;
    uint32_t *seq = xmalloc(n * sizeof(uint32_t));
    uint32_t d = 0;
    size_t k = 0;
    while (k < n)
        for (int i = 0; i < nt; i++) {
            if (pos[i] == t[i].n)
                continue;
            size_t g = base[i] + t[i].rec[pos[i]++];
            if (dense[g] == NONE)
                dense[g] = d++;
            seq[k++] = dense[g];
        }
    free(dense);
    free(pos);
    free(base);
    *n_out = n;
    *distinct = d;
    return seq;
}

/* ---- the policies ---- */

struct result {
    uint64_t misses, major;
};

static struct result run_lru(const uint32_t *seq, size_t n, uint32_t d, uint32_t frames)
{
    // LAB 7 BEGIN: LRU: evict the least recently used page
    uint32_t *prev = xmalloc(d * sizeof(uint32_t));
    uint32_t *next = xmalloc(d * sizeof(uint32_t));
    unsigned char *state = calloc(d, 1);   /* 0 never seen, 1 out, 2 resident */
    if (!state) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exit(2);
    }
    uint32_t head = NONE, tail = NONE, resident = 0;   /* head: most recent */
    struct result r = { 0, 0 };
    for (size_t k = 0; k < n; k++) {
        uint32_t p = seq[k];
        if (state[p] == 2) {
            if (p == head)
                continue;
            /* unlink */
            next[prev[p]] = next[p];
            if (next[p] != NONE)
                prev[next[p]] = prev[p];
            else
                tail = prev[p];
        } else {
            r.misses++;
            if (state[p] == 1)
                r.major++;
            if (resident == frames) {
                uint32_t v = tail;
                tail = prev[v];
                if (tail != NONE)
                    next[tail] = NONE;
                else
                    head = NONE;
                state[v] = 1;
                resident--;
            }
            state[p] = 2;
            resident++;
        }
        /* push at head */
        prev[p] = NONE;
        next[p] = head;
        if (head != NONE)
            prev[head] = p;
        head = p;
        if (tail == NONE)
            tail = p;
    }
    free(prev);
    free(next);
    free(state);
    return r;
    // LAB 7 STUB
    //    (void)seq; (void)n; (void)d; (void)frames;
    //    fprintf(stderr, "%s: LAB 7: run_lru() not implemented "
    //            "(docs/labs/07-comparing-reclaimers.md)\n", prog);
    //    exit(2);
    // LAB 7 END
}

/* A max-heap of (next use << 32 | page). */
struct heap {
    uint64_t *a;
    size_t n;
};

/* inline: unused in lab 7's student tree until run_opt is written */
static inline void heap_push(struct heap *h, uint64_t v)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (h->a[up] >= v)
            break;
        h->a[i] = h->a[up];
        i = up;
    }
    h->a[i] = v;
}

static inline uint64_t heap_pop(struct heap *h)
{
    uint64_t top = h->a[0], v = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->a[c + 1] > h->a[c])
            c++;
        if (v >= h->a[c])
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n)
        h->a[i] = v;
    return top;
}

/*
 * Belady. nextuse[k]: the position of the next access to seq[k]'s page, n
 * if none. A page's heap entries other than the one of its latest access
 * are stale; the latest is recognised by cur[page], since a position is
 * the next use of exactly one earlier access.
 */
static struct result run_opt(const uint32_t *seq, const uint32_t *nextuse, size_t n,
                             uint32_t d, uint32_t frames)
{
    // LAB 7 BEGIN: OPT (Belady): evict the page used again farthest in the future
    uint32_t *cur = xmalloc(d * sizeof(uint32_t));
    unsigned char *state = calloc(d, 1);   /* 0 never seen, 1 out, 2 resident */
    struct heap h = { xmalloc(n * sizeof(uint64_t)), 0 };
    if (!state) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exit(2);
    }
    uint32_t resident = 0;
    struct result r = { 0, 0 };
    for (size_t k = 0; k < n; k++) {
        uint32_t p = seq[k];
        if (state[p] != 2) {
            r.misses++;
            if (state[p] == 1)
                r.major++;
            if (resident == frames) {
                for (;;) {
                    uint64_t e = heap_pop(&h);
                    uint32_t v = (uint32_t)e, nu = (uint32_t)(e >> 32);
                    if (state[v] == 2 && cur[v] == nu) {
                        state[v] = 1;
                        resident--;
                        break;
                    }
                }
            }
            state[p] = 2;
            resident++;
        }
        cur[p] = nextuse[k];
        heap_push(&h, (uint64_t)nextuse[k] << 32 | p);
    }
    free(cur);
    free(state);
    free(h.a);
    return r;
    // LAB 7 STUB
    //    (void)seq; (void)nextuse; (void)n; (void)d; (void)frames;
    //    fprintf(stderr, "%s: LAB 7: run_opt() not implemented "
    //            "(docs/labs/07-comparing-reclaimers.md)\n", prog);
    //    exit(2);
    // LAB 7 END
}

/* ---- arguments ---- */

static uint32_t parse_frames(const char *s, uint32_t *out, int max)
{
    int n = 0;
    const char *p = s;
    for (;;) {
        unsigned long long v = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (unsigned)(*p - '0');
            if (v > 0x7fffffffull)
                break;
            p++;
        }
        if (p == start || v == 0 || v > 0x7fffffffull || (*p && *p != ',')) {
            fprintf(stderr, "%s: -f takes positive frame counts separated by "
                    "commas, not '%s'\n", prog, s);
            exit(2);
        }
        if (n == max) {
            fprintf(stderr, "%s: more than %d frame counts\n", prog, max);
            exit(2);
        }
        out[n++] = (uint32_t)v;
        if (!*p)
            return (uint32_t)n;
        p++;
    }
}

int main(int argc, char **argv)
{
    uint32_t frames[MAX_FRAMES_ARGS];
    int nf = 0, do_opt = 1, do_lru = 1, nt = 0;
    struct trace *t = xmalloc((size_t)argc * sizeof(*t));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(0);
        } else if (!strcmp(a, "-f") || !strcmp(a, "-p")) {
            if (i + 1 == argc) {
                fprintf(stderr, "%s: %s needs a value\n", prog, a);
                usage(2);
            }
            const char *v = argv[++i];
            if (a[1] == 'f') {
                nf += (int)parse_frames(v, frames + nf, MAX_FRAMES_ARGS - nf);
            } else if (!strcmp(v, "opt") || !strcmp(v, "lru") || !strcmp(v, "both")) {
                do_opt = strcmp(v, "lru") != 0;
                do_lru = strcmp(v, "opt") != 0;
            } else {
                fprintf(stderr, "%s: -p takes opt, lru or both, not '%s'\n", prog, v);
                exit(2);
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
            usage(2);
        } else {
            read_trace(&t[nt++], a);
        }
    }
    if (!nf) {
        fprintf(stderr, "%s: no frame count (-f)\n", prog);
        usage(2);
    }
    if (!nt) {
        fprintf(stderr, "%s: no trace file\n", prog);
        usage(2);
    }

    size_t n;
    uint32_t d;
    uint32_t *seq = merge(t, nt, &n, &d);
    for (int i = 0; i < nt; i++)
        free(t[i].rec);
    free(t);

    uint32_t *nextuse = NULL;
    if (do_opt) {
        nextuse = xmalloc(n * sizeof(uint32_t));
        uint32_t *last = xmalloc(d * sizeof(uint32_t));
        for (uint32_t p = 0; p < d; p++)
            last[p] = (uint32_t)n;
        for (size_t k = n; k-- > 0;) {
            nextuse[k] = last[seq[k]];
            last[seq[k]] = (uint32_t)k;
        }
        free(last);
    }
    for (int i = 0; i < nf; i++) {
        struct result r;
        if (do_opt) {
            r = run_opt(seq, nextuse, n, d, frames[i]);
            printf("policy=opt frames=%u accesses=%zu distinct=%u misses=%llu major=%llu\n",
                   frames[i], n, d, (unsigned long long)r.misses,
                   (unsigned long long)r.major);
        }
        if (do_lru) {
            r = run_lru(seq, n, d, frames[i]);
            printf("policy=lru frames=%u accesses=%zu distinct=%u misses=%llu major=%llu\n",
                   frames[i], n, d, (unsigned long long)r.misses,
                   (unsigned long long)r.major);
        }
    }
    free(seq);
    free(nextuse);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write the results: %s\n", prog, strerror(errno));
        return 2;
    }
    return 0;
}
