/*
 * malloc.c: a small first-fit allocator. Requests under 64 KiB come from
 * the brk heap, kept as an address-sorted free list whose neighbours merge
 * on free; bigger ones get their own anonymous mmap and go straight back
 * to the kernel on free. Not thread-safe (there are no threads).
 */
#include "ulib.h"

#define ALIGN       16u
#define BIG         (64u * 1024)        /* from here on: mmap */
#define GROW_MIN    (32u * 1024)        /* brk grows at least this much */
#define MAGIC_HEAP  0x48454150u         /* "HEAP" */
#define MAGIC_MMAP  0x4d4d4150u         /* "MMAP" */

/* 16 bytes, so payloads stay 16-byte aligned. */
struct hdr {
    size_t size;                /* whole block, header included */
    unsigned int magic;         /* catches frees of garbage */
    struct hdr *next;           /* free list link (free blocks only) */
    unsigned int pad;
};

static struct hdr *free_list;   /* sorted by address */

static size_t round_up(size_t n, size_t a)
{
    return (n + a - 1) & ~(a - 1);
}

/* Put a block on the free list, merging it with adjacent free blocks. */
static void insert_free(struct hdr *b)
{
    struct hdr *prev = NULL, *cur = free_list;
    while (cur && cur < b)
        prev = cur, cur = cur->next;
    b->next = cur;
    if (cur && (char *)b + b->size == (char *)cur) {
        b->size += cur->size;
        b->next = cur->next;
    }
    if (prev && (char *)prev + prev->size == (char *)b) {
        prev->size += b->size;
        prev->next = b->next;
    } else if (prev) {
        prev->next = b;
    } else {
        free_list = b;
    }
}

/* Extend the heap by at least need bytes and free the new space. */
static int grow_heap(size_t need)
{
    size_t incr = round_up(need > GROW_MIN ? need : GROW_MIN, PAGE_SIZE);
    char *old = sbrk(0);
    if (old == (void *)-1)
        return -1;
    size_t skew = round_up((uintptr_t)old, ALIGN) - (uintptr_t)old;
    if (sbrk(incr + skew) == (void *)-1)
        return -1;
    struct hdr *b = (struct hdr *)(old + skew);
    b->size = incr;
    b->magic = MAGIC_HEAP;
    insert_free(b);
    return 0;
}

static void *big_alloc(size_t n)
{
    size_t len = round_up(n + sizeof(struct hdr), PAGE_SIZE);
    struct hdr *b = mmap(NULL, len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED)
        return NULL;
    b->size = len;
    b->magic = MAGIC_MMAP;
    return b + 1;
}

void *malloc(size_t n)
{
    if (n == 0)
        n = 1;
    if (n >= BIG)
        return big_alloc(n);
    size_t need = round_up(n + sizeof(struct hdr), ALIGN);
    for (int tries = 0; tries < 2; tries++) {
        struct hdr *prev = NULL;
        for (struct hdr *b = free_list; b; prev = b, b = b->next) {
            if (b->size < need)
                continue;
            if (b->size - need >= 2 * sizeof(struct hdr)) {
                /* split: the tail stays free in b's place */
                struct hdr *rest = (struct hdr *)((char *)b + need);
                rest->size = b->size - need;
                rest->magic = MAGIC_HEAP;
                rest->next = b->next;
                b->size = need;
                b->next = rest;
            }
            if (prev)
                prev->next = b->next;
            else
                free_list = b->next;
            b->magic = MAGIC_HEAP;
            b->next = NULL;
            return b + 1;
        }
        if (grow_heap(need) < 0)
            break;
    }
    errno = ENOMEM;
    return NULL;
}

void free(void *p)
{
    if (!p)
        return;
    struct hdr *b = (struct hdr *)p - 1;
    if (b->magic == MAGIC_MMAP) {
        munmap(b, b->size);
    } else if (b->magic == MAGIC_HEAP) {
        insert_free(b);
    } else {
        fprintf(STDERR_FILENO, "free: bad pointer %p\n", p);
        abort();
    }
}

void *calloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    struct hdr *b = (struct hdr *)p - 1;
    size_t have = b->size - sizeof(struct hdr);
    if (have >= n)
        return p;
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, have);
        free(p);
    }
    return q;
}
