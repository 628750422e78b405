/*
 * napper: a few private pages that stay cold for a while, then are touched
 * again: the workload of the GDB lab (docs/gdb-walkthrough.md), where kppsd
 * is stepped by hand and one PTE is watched through the six stages.
 *
 *   napper [PAGES] [SECONDS] [ROUNDS]
 *
 * Maps PAGES (default 16) pages of private anonymous memory (one
 * VM_PURE_PRIVATE VMA), fills page i with the word 0x6e617000 + i, prints
 *   napper: pid P, 16 pages at 0x40000000-0x40010000, nap 10 s
 * and then, ROUNDS times (default 0: forever), sleeps SECONDS and reads
 * every word of every page back, printing "napper: round N ok" or
 * "napper: round N CORRUPT at ADDR" (exit 1). A page that kppsd unmapped
 * or swapped out meanwhile is rescued or read back by that touch.
 *
 * Guest time stands still while GDB holds the machine, so a long nap
 * leaves plenty of room to step kppsd between two touches.
 */
#include "ulib.h"

#define PAGE 4096u
#define MAGIC 0x6e617000u       /* "nap" */

static int usage(void)
{
    fprintf(STDERR_FILENO, "usage: napper [PAGES] [SECONDS] [ROUNDS]\n");
    return 2;
}

static int number(const char *s, unsigned long *out)
{
    char *end;
    if (!isdigit(*s))
        return -1;
    *out = strtoul(s, &end, 10);
    return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
    unsigned long pages = 16, secs = 10, rounds = 0;

    if (argc > 4 || (argc > 1 && number(argv[1], &pages)) ||
        (argc > 2 && number(argv[2], &secs)) || (argc > 3 && number(argv[3], &rounds)) ||
        pages == 0 || pages > 65536)
        return usage();
    uint32_t *mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        fprintf(STDERR_FILENO, "napper: mmap of %lu pages failed\n", pages);
        return 2;
    }
    const unsigned long words = PAGE / sizeof(uint32_t);
    for (unsigned long i = 0; i < pages; i++)
        for (unsigned long w = 0; w < words; w++)
            mem[i * words + w] = MAGIC + (uint32_t)i;
    printf("napper: pid %d, %lu pages at %p-%p, nap %lu s\n", getpid(), pages, (void *)mem,
           (void *)((char *)mem + pages * PAGE), secs);
    for (unsigned long r = 1; rounds == 0 || r <= rounds; r++) {
        struct timespec ts = { (long)secs, 0 };
        while (nanosleep(&ts, &ts) < 0)
            ;
        for (unsigned long i = 0; i < pages; i++)
            for (unsigned long w = 0; w < words; w++)
                if (mem[i * words + w] != MAGIC + (uint32_t)i) {
                    printf("napper: round %lu CORRUPT at %p\n", r, (void *)&mem[i * words + w]);
                    return 1;
                }
        printf("napper: round %lu ok\n", r);
    }
    return 0;
}
