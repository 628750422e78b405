/*
 * usertests: copy-on-write fork and MAP_SHARED|MAP_ANONYMOUS memory (the
 * legacy page system, issue 12): what each process sees after fork,
 * munmap and mprotect of ranges that fork left shared, pages swapped out
 * before fork, shared mappings across fork, and a forked range going
 * back to PPS once the child has exec'd.
 *
 * The processes of a case wait for each other without shared memory
 * (which is under test): a process announces a step by renaming itself
 * (/proc/self/comm) and the other polls /proc/PID/comm; each wait has a
 * timeout. On ppsos, a kernel without MAP_SHARED (mmap2 says EINVAL) or
 * without the PPS/legacy word in /proc/PID/pps_maps skips the cases that
 * need it, and fork_exec_pps skips under reclaim=clock (no PPS VMA at
 * all); anything else that goes wrong fails.
 */
#include "usertests.h"

#define WAIT_MS 5000
#define NPAGES 16

/* ---- helpers ---- */

static int set_comm(const char *name)
{
    long fd = sys_open("/proc/self/comm", O_WRONLY, 0);
    if (fd < 0)
        return (int)fd;
    long r = sys_write((int)fd, name, strlen(name));
    sys_close((int)fd);
    return r < 0 ? (int)r : 0;
}

/* Waits until process pid calls itself name; 0, or -1 after WAIT_MS. */
static int wait_comm(pid_t pid, const char *name)
{
    char path[48], text[64];
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    long t0 = now_ms();
    while (now_ms() - t0 < WAIT_MS) {
        long n = read_file(path, text, sizeof(text));
        if (n > 0 && text[n - 1] == '\n')
            text[n - 1] = 0;
        if (n > 0 && !strcmp(text, name))
            return 0;
        sleep_ms(2);
    }
    return -1;
}

/* Word w of page i of a buffer holds val(tag, i, w). */
static uint32_t val(uint32_t tag, unsigned i, unsigned w)
{
    return tag * 0x9e3779b1u ^ (i * 1024 + w) * 0x85ebca6bu;
}

static void fill(uint32_t *p, unsigned first, unsigned n, uint32_t tag)
{
    for (unsigned i = first; i < first + n; i++)
        for (unsigned w = 0; w < PG / 4; w += 61)
            p[i * PG / 4 + w] = val(tag, i, w);
}

/* Index of the first page in [first, first + n) not holding tag's
 * values, or -1. */
static int bad_page(const uint32_t *p, unsigned first, unsigned n, uint32_t tag)
{
    for (unsigned i = first; i < first + n; i++)
        for (unsigned w = 0; w < PG / 4; w += 61)
            if (p[i * PG / 4 + w] != val(tag, i, w))
                return (int)i;
    return -1;
}

static uint32_t *map_shared(size_t n, long *err)
{
    long r = sys_mmap2(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *err = IS_ERR_VALUE(r) ? r : 0;
    return IS_ERR_VALUE(r) ? NULL : (uint32_t *)r;
}

/* A child exits with 0 when all was well, else with the line of its
 * first failed check, which the parent reports. */
#define CHILD_CHECK(cond) do { if (!(cond)) _exit(__LINE__ & 0xff ? __LINE__ & 0xff : 1); } while (0)

static int child_ok(pid_t pid, const char *what)
{
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "%s: child %s (an exit status is the low byte of cow.c's failing line)", what,
          describe(st));
    return PASS;
}

/* ---- private memory after fork ---- */

/* Parent and child write different pages of a buffer fork left shared,
 * and one page both: each sees its own writes and the original of the
 * rest, whatever the other did. */
int t_cow_fork_write(void)
{
    uint32_t *p = map_pages(NPAGES);
    CHECK(p, "mmap failed");
    fill(p, 0, NPAGES, 1);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(bad_page(p, 0, NPAGES, 1) < 0);
        for (unsigned i = 0; i < NPAGES; i += 2)
            fill(p, i, 1, 2);
        fill(p, 1, 1, 2);                       /* page 1: written by both */
        sleep_ms(20);                           /* let the parent write too */
        for (unsigned i = 0; i < NPAGES; i++)
            CHILD_CHECK(bad_page(p, i, 1, i % 2 == 0 || i == 1 ? 2 : 1) < 0);
        _exit(0);
    }
    for (unsigned i = 1; i < NPAGES; i += 2)
        fill(p, i, 1, 3);
    TRY(child_ok(pid, "child writes"));
    for (unsigned i = 0; i < NPAGES; i++) {
        int b = bad_page(p, i, 1, i % 2 ? 3 : 1);
        CHECK(b < 0, "parent's page %u: not its own value after the child wrote", i);
    }
    EXPECT_EQ(sys_munmap(p, NPAGES * PG), 0);
    return PASS;
}

/* munmap of a COW range: in the child (part of it: the parent keeps all
 * its data; the child faults there and keeps the rest), then in the
 * parent while the child waits (the child's copy stays whole). */
int t_cow_munmap(void)
{
    uint32_t *p = map_pages(NPAGES);
    CHECK(p, "mmap failed");
    fill(p, 0, NPAGES, 4);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(sys_munmap(p + 4 * PG / 4, 8 * PG) == 0);
        CHILD_CHECK(expect_fault(p + 4 * PG / 4, 0, "child: read of its unmapped pages") == PASS);
        CHILD_CHECK(expect_fault(p + 11 * PG / 4, 1, "child: write of its unmapped pages") == PASS);
        CHILD_CHECK(bad_page(p, 0, 4, 4) < 0 && bad_page(p, 12, 4, 4) < 0);
        fill(p, 0, 1, 5);
        CHILD_CHECK(bad_page(p, 0, 1, 5) < 0);
        _exit(0);
    }
    TRY(child_ok(pid, "munmap in the child"));
    int b = bad_page(p, 0, NPAGES, 4);
    CHECK(b < 0, "parent's page %d changed after the child's munmap", b);
    fill(p, 4, 1, 6);
    CHECK(bad_page(p, 4, 1, 6) < 0, "parent cannot write page 4 back");

    pid_t me = getpid();
    pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(wait_comm(me, "cow-unmapped") == 0);
        CHILD_CHECK(bad_page(p, 0, 4, 4) < 0 && bad_page(p, 4, 1, 6) < 0 &&
                    bad_page(p, 5, NPAGES - 5, 4) < 0);
        fill(p, 8, 1, 7);
        CHILD_CHECK(bad_page(p, 8, 1, 7) < 0);
        _exit(0);
    }
    EXPECT_EQ(sys_munmap(p, NPAGES * PG), 0);
    EXPECT_EQ(set_comm("cow-unmapped"), 0);
    TRY(child_ok(pid, "munmap in the parent"));
    TRY(expect_fault(p, 0, "read of the parent's unmapped range"));
    return PASS;
}

/* mprotect of COW pages: the child makes them read-only (same data; a
 * write faults), then writable again and writes: the parent's copy never
 * changes. Then the parent does the same while a child waits, and the
 * child's copy never changes. */
int t_cow_mprotect(void)
{
    uint32_t *p = map_pages(NPAGES);
    CHECK(p, "mmap failed");
    fill(p, 0, NPAGES, 8);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(sys_mprotect(p, NPAGES * PG, PROT_READ) == 0);
        CHILD_CHECK(bad_page(p, 0, NPAGES, 8) < 0);
        CHILD_CHECK(expect_fault(p + 3 * PG / 4, 1, "child: write to PROT_READ") == PASS);
        CHILD_CHECK(sys_mprotect(p, NPAGES * PG, PROT_READ | PROT_WRITE) == 0);
        fill(p, 0, NPAGES / 2, 9);
        CHILD_CHECK(bad_page(p, 0, NPAGES / 2, 9) < 0 && bad_page(p, NPAGES / 2, NPAGES / 2, 8) < 0);
        _exit(0);
    }
    TRY(child_ok(pid, "mprotect in the child"));
    int b = bad_page(p, 0, NPAGES, 8);
    CHECK(b < 0, "parent's page %d changed by the child's writes after mprotect", b);

    pid_t me = getpid();
    pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(wait_comm(me, "cow-written") == 0);
        CHILD_CHECK(bad_page(p, 0, NPAGES, 8) < 0);
        _exit(0);
    }
    EXPECT_EQ(sys_mprotect(p, NPAGES * PG, PROT_READ), 0);
    TRY(expect_fault(p, 1, "parent: write to PROT_READ"));
    EXPECT_EQ(sys_mprotect(p, NPAGES * PG, PROT_READ | PROT_WRITE), 0);
    fill(p, 0, NPAGES, 10);
    EXPECT_EQ(set_comm("cow-written"), 0);
    TRY(child_ok(pid, "mprotect in the parent"));
    CHECK(bad_page(p, 0, NPAGES, 10) < 0, "parent lost its writes");
    EXPECT_EQ(sys_munmap(p, NPAGES * PG), 0);
    return PASS;
}

/* Pages swapped out before fork (MADV_PAGEOUT): both processes read
 * them back (one slot, two swapped PTEs), then write: each sees its own
 * writes and the original of the rest. */
int t_cow_swapped(void)
{
    uint32_t *p = map_pages(NPAGES);
    CHECK(p, "mmap failed");
    fill(p, 0, NPAGES, 11);
    long r = sys_madvise(p, NPAGES * PG, MADV_PAGEOUT);
    CHECK(r == 0, "madvise(MADV_PAGEOUT) = %s", rstr(r));
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(bad_page(p, 0, NPAGES, 11) < 0);
        fill(p, 0, NPAGES / 2, 12);
        CHILD_CHECK(sys_madvise(p, NPAGES * PG, MADV_PAGEOUT) == 0);
        sleep_ms(20);
        CHILD_CHECK(bad_page(p, 0, NPAGES / 2, 12) < 0 &&
                    bad_page(p, NPAGES / 2, NPAGES / 2, 11) < 0);
        _exit(0);
    }
    int b = bad_page(p, 0, NPAGES, 11);
    CHECK(b < 0, "parent's page %d wrong after the swap-in", b);
    fill(p, NPAGES / 2, NPAGES / 2, 13);
    TRY(child_ok(pid, "child of a swapped-out buffer"));
    CHECK(bad_page(p, 0, NPAGES / 2, 11) < 0 && bad_page(p, NPAGES / 2, NPAGES / 2, 13) < 0,
          "parent's pages changed by the child's writes");
    EXPECT_EQ(sys_munmap(p, NPAGES * PG), 0);
    return PASS;
}

/* ---- MAP_SHARED|MAP_ANONYMOUS across fork ---- */

#define SHARED_OR_SKIP(p, n) do {                                               \
        long err_;                                                              \
        p = map_shared(n, &err_);                                               \
        if (!p && on_ppsos && err_ == -EINVAL)                                  \
            SKIPPED("MAP_SHARED|MAP_ANONYMOUS is -EINVAL: no shared memory");   \
        CHECK(p, "mmap2(MAP_SHARED|MAP_ANONYMOUS) = %s", rstr(err_));           \
    } while (0)

/* Polls word *w until it is v; 0, or -1 after WAIT_MS. */
static int wait_word(volatile uint32_t *w, uint32_t v)
{
    long t0 = now_ms();
    while (*w != v)
        if (now_ms() - t0 > WAIT_MS)
            return -1;
        else
            sys_sched_yield();
    return 0;
}

/* The line of /proc/self/FILE (maps, pps_maps) for the mapping at addr
 * ("" if none). */
static const char *maps_line(const char *file, void *addr)
{
    static char text[16384], line[256], path[32];
    line[0] = 0;
    snprintf(path, sizeof(path), "/proc/self/%s", file);
    if (read_file(path, text, sizeof(text)) <= 0)
        return line;
    for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
        char *e;
        unsigned long lo = strtoul(p, &e, 16);
        unsigned long hi = *e == '-' ? strtoul(e + 1, &e, 16) : 0;
        if ((unsigned long)(uintptr_t)addr >= lo && (unsigned long)(uintptr_t)addr < hi) {
            char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            if (n >= sizeof(line))
                n = sizeof(line) - 1;
            memcpy(line, p, n);
            line[n] = 0;
            break;
        }
    }
    return line;
}

/* What the parent writes before fork the child sees; what the child
 * writes the parent sees while the child is still there, and after. The
 * mapping says 's' (shared) in /proc/PID/maps. */
int t_shm_fork(void)
{
    uint32_t *p;
    SHARED_OR_SKIP(p, 4);
    const char *l = maps_line("maps", p);
    CHECK(strlen(l) > 21 && l[21] == 's', "maps line of the shared mapping: '%s', want rw-s", l);
    fill(p, 0, 3, 14);
    volatile uint32_t *flag = p + 3 * PG / 4;
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(bad_page(p, 0, 3, 14) < 0);
        fill(p, 1, 2, 15);
        flag[0] = 1;
        CHILD_CHECK(wait_word(&flag[1], 2) == 0);    /* the parent saw it */
        CHILD_CHECK(bad_page(p, 0, 1, 16) < 0);      /* and wrote page 0 */
        _exit(0);
    }
    CHECK(wait_word(&flag[0], 1) == 0, "the child's flag never showed");
    CHECK(bad_page(p, 1, 2, 15) < 0, "the child's writes are not visible in the parent");
    fill(p, 0, 1, 16);
    flag[1] = 2;
    TRY(child_ok(pid, "shared mapping"));
    CHECK(bad_page(p, 0, 1, 16) < 0 && bad_page(p, 1, 2, 15) < 0,
          "shared pages wrong after the child exited");
    EXPECT_EQ(sys_munmap(p, 4 * PG), 0);
    return PASS;
}

/* mprotect of a shared mapping is per process: the child's read-only
 * view faults on write but still sees the parent's writes; made writable
 * again, its writes reach the parent. */
int t_shm_mprotect(void)
{
    uint32_t *p;
    SHARED_OR_SKIP(p, 2);
    volatile uint32_t *w = p;
    w[0] = w[1] = 0;
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(sys_mprotect(p, 2 * PG, PROT_READ) == 0);
        CHILD_CHECK(expect_fault(p + PG / 4, 1, "child: write to its PROT_READ view") == PASS);
        w[2] = 1;                       /* cannot: PROT_READ; never reached */
        _exit(99);
    }
    /* That child must die of the write above (SIGSEGV), not exit 99. */
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
          "write to a PROT_READ shared view: child %s, want SIGSEGV", describe(st));
    CHECK(w[2] == 0, "a write through a PROT_READ view reached the shared page");

    pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        CHILD_CHECK(sys_mprotect(p, 2 * PG, PROT_READ) == 0);
        CHILD_CHECK(wait_word(&w[0], 7) == 0);       /* the parent's write shows */
        CHILD_CHECK(sys_mprotect(p, 2 * PG, PROT_READ | PROT_WRITE) == 0);
        w[PG / 4] = 8;
        _exit(0);
    }
    EXPECT_EQ(sys_mprotect(p, 2 * PG, PROT_READ), 0);  /* our own view: read-only too */
    EXPECT_EQ(sys_mprotect(p, 2 * PG, PROT_READ | PROT_WRITE), 0);
    w[0] = 7;
    CHECK(wait_word(&w[PG / 4], 8) == 0, "the child's write after mprotect(RW) never showed");
    TRY(child_ok(pid, "shared mapping and mprotect"));
    EXPECT_EQ(sys_munmap(p, 2 * PG), 0);
    return PASS;
}

/* ---- back to PPS after fork + exec ---- */

/* 'P' if /proc/self/pps_maps says the mapping is in PPS, 'L' legacy,
 * '?' if it says neither, 0 if there is no line. The kernel's words at
 * the end of the line: "pps", "legacy anon:ID vmas:N", "own"
 * (tests/mm/test_cow.py's maps_state() reads them the same way). */
#define PPS_MAPS "pps_maps"

static char vma_state(void *addr)
{
    const char *l = maps_line(PPS_MAPS, addr);
    if (!*l)
        return 0;
    for (const char *s = l; *s; s++) {
        int start = s == l || s[-1] == ' ' || s[-1] == '\t' || s[-1] == '[';
        if (start && !strncmp(s, "legacy", 6))
            return 'L';
        if (start && !strncmp(s, "pps", 3) && (s[3] == 0 || s[3] == ' ' || s[3] == ']'))
            return 'P';
    }
    return '?';
}

/* A private range of ours leaves PPS when we fork (the child shares its
 * pages) and comes back once the child has exec'd and exited (kppsd may
 * take a pass or two: polled for up to 2.5 s). */
int t_fork_exec_pps(void)
{
    uint32_t *p = map_pages(NPAGES);
    CHECK(p, "mmap failed");
    fill(p, 0, NPAGES, 17);
    if (!on_ppsos)
        SKIPPED("ppsos only: /proc/PID/pps_maps");
    char s = vma_state(p);
    if (s == '?')
        SKIPPED("no pps/legacy word in /proc/self/pps_maps: '%s'", maps_line(PPS_MAPS, p));
    /* With reclaim=clock every VMA is legacy, a fresh one too: nothing to
     * come back to. (Under reclaim=pps, the default, this must not
     * happen: tests/mm/test_cow.py fails a skip of this case there.) */
    if (s == 'L')
        SKIPPED("a fresh private mapping is legacy (reclaim=clock?): '%s'",
                maps_line(PPS_MAPS, p));
    CHECK(s == 'P', "a fresh private mapping is not in PPS: '%s'", maps_line(PPS_MAPS, p));
    pid_t me = getpid();
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", errname(errno));
    if (pid == 0) {
        if (wait_comm(me, "cow-exec") != 0)
            _exit(1);
        char *argv[] = { "usertests", "--exec-guard", NULL };
        sys_execve(self_path, argv, argv + 2);
        _exit(2);
    }
    char during = vma_state(p);
    EXPECT_EQ(set_comm("cow-exec"), 0);
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 200, "child: %s, want exit 200 from the exec'd "
          "program", describe(st));
    CHECK(during == 'L', "with the child sharing its pages the mapping is not legacy: '%s'",
          maps_line(PPS_MAPS, p));
    long t0 = now_ms();
    while (vma_state(p) != 'P' && now_ms() - t0 < 2500)
        sleep_ms(50);
    CHECK(vma_state(p) == 'P', "%ld ms after the child exec'd and exited, still '%s'",
          now_ms() - t0, maps_line(PPS_MAPS, p));
    CHECK(bad_page(p, 0, NPAGES, 17) < 0, "data changed on the way back to PPS");
    EXPECT_EQ(sys_munmap(p, NPAGES * PG), 0);
    return PASS;
}
