/* usertests: mmap, munmap, mprotect, mlock, mlockall, madvise, brk. */
#include "usertests.h"

/* ---------------------------------------------------------------------- */
/* mmap, munmap, mprotect                                                 */

int t_mmap_errors(void)
{
    int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
    EXPECT_ERR(sys_mmap2(NULL, 0, rw, anon, -1, 0), EINVAL);
    EXPECT_ERR(sys_mmap2(NULL, 0xF0000000, rw, anon, -1, 0), ENOMEM);
    EXPECT_ERR(sys_mmap2(NULL, 0xFFFFF000, rw, anon, -1, 0), ENOMEM);
    EXPECT_ERR(sys_mmap2((void *)0x40000123, PG, rw, anon | MAP_FIXED, -1, 0), EINVAL);
    /* MAP_FIXED into kernel space */
    long r = sys_mmap2(KERNEL_ADDR, PG, rw, anon | MAP_FIXED, -1, 0);
    if (on_ppsos)
        CHECK(r == -ENOMEM || r == -EINVAL, "MAP_FIXED at 0xC0000000 = %s", rstr(r));
    else if (!IS_ERR_VALUE(r))
        sys_munmap(KERNEL_ADDR, PG);  /* compat tasks on x86_64 own it */
    return PASS;
}

int t_munmap_errors(void)
{
    char *p = map_pages(2);
    CHECK(p, "mmap failed");
    EXPECT_ERR(sys_munmap(p + 1, PG), EINVAL);
    EXPECT_ERR(sys_munmap(p, 0), EINVAL);
    EXPECT_ERR(sys_mprotect(p + 1, PG, PROT_READ), EINVAL);
    if (on_ppsos)               /* user space on x86_64 Linux, for us */
        EXPECT_ERR(sys_munmap(KERNEL_ADDR, PG), EINVAL);
    void *h = hole();
    EXPECT_EQ(sys_munmap(h, PG), 0);                /* nothing there: fine */
    EXPECT_ERR(sys_mprotect(h, PG, PROT_READ), ENOMEM);
    EXPECT_EQ(sys_munmap(p, 2 * PG), 0);
    EXPECT_EQ(sys_munmap(p, 2 * PG), 0);            /* twice: still fine */
    return PASS;
}

int t_mmap_fixed_overlap(void)
{
    uint32_t *p = map_pages(4);
    CHECK(p, "mmap failed");
    for (int i = 0; i < 4; i++)
        for (unsigned j = 0; j < PG / 4; j++)
            p[i * PG / 4 + j] = 0x1000 * i + j;
    char *q = (char *)p + PG;
    long r = sys_mmap2(q, 2 * PG, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(r == (long)q, "MAP_FIXED over pages 1-2 = %s, want %p", rstr(r), q);
    for (int i = 0; i < 4; i++)
        for (unsigned j = 0; j < PG / 4; j++) {
            uint32_t want = (i == 1 || i == 2) ? 0 : 0x1000 * i + j;
            uint32_t got = p[i * PG / 4 + j];
            CHECK(got == want, "page %d word %u = %#x, want %#x", i, j, got, want);
        }
    EXPECT_EQ(sys_munmap(p, 4 * PG), 0);
    return PASS;
}

int t_munmap_split(void)
{
    char *p = map_pages(3);
    CHECK(p, "mmap failed");
    memset(p, 'a', PG);
    memset(p + PG, 'b', PG);
    memset(p + 2 * PG, 'c', PG);
    EXPECT_EQ(sys_munmap(p + PG, PG), 0);
    CHECK(p[0] == 'a' && p[PG - 1] == 'a', "first part lost its data");
    CHECK(p[2 * PG] == 'c' && p[3 * PG - 1] == 'c', "last part lost its data");
    p[10] = 'x';                    /* both halves still writable */
    p[2 * PG + 10] = 'y';
    TRY(expect_fault(p + PG, 0, "read of the unmapped middle"));
    TRY(expect_fault(p + 2 * PG - 1, 1, "write of the unmapped middle"));
    EXPECT_EQ(sys_munmap(p, 3 * PG), 0);
    return PASS;
}

int t_mprotect(void)
{
    char *p = map_pages(2);
    CHECK(p, "mmap failed");
    memset(p, 'z', 2 * PG);
    EXPECT_EQ(sys_mprotect(p, 2 * PG, PROT_READ), 0);
    CHECK(p[0] == 'z' && p[2 * PG - 1] == 'z', "data changed by mprotect");
    TRY(expect_fault(p, 1, "write to PROT_READ"));
    TRY(expect_fault(p + PG + 5, 1, "write to PROT_READ, second page"));
    EXPECT_EQ(sys_mprotect(p + PG, PG, PROT_NONE), 0);
    TRY(expect_fault(p + PG, 0, "read of PROT_NONE"));
    EXPECT_EQ(sys_mprotect(p, 2 * PG, PROT_READ | PROT_WRITE), 0);
    p[0] = 'y';
    p[2 * PG - 1] = 'y';
    CHECK(p[0] == 'y' && p[PG] == 'z' && p[2 * PG - 1] == 'y', "bad data after RW");
    EXPECT_EQ(sys_munmap(p, 2 * PG), 0);
    return PASS;
}

int t_mmap_many_pages(void)
{
    const unsigned n = 1000;
    uint32_t *p = map_pages(n);
    CHECK(p, "mmap of %u pages failed", n);
    for (unsigned i = 0; i < n; i++) {
        p[i * PG / 4] = i * 2654435761u;
        p[i * PG / 4 + PG / 4 - 1] = ~i;
    }
    for (unsigned i = 0; i < n; i++) {
        CHECK(p[i * PG / 4] == i * 2654435761u && p[i * PG / 4 + PG / 4 - 1] == ~i,
              "page %u lost its data", i);
        CHECK(p[i * PG / 4 + 7] == 0, "page %u not zero-filled", i);
    }
    EXPECT_EQ(sys_munmap(p, n * PG), 0);
    return PASS;
}

int t_mlock(void)
{
    char *p = map_pages(4);
    CHECK(p, "mmap failed");
    p[0] = 1;
    EXPECT_EQ(sys_mlock(p, 4 * PG), 0);
    p[3 * PG] = 2;
    EXPECT_EQ(sys_munlock(p, 4 * PG), 0);
    CHECK(p[0] == 1 && p[3 * PG] == 2, "data lost");
    void *h = hole();
    EXPECT_ERR(sys_mlock(h, PG), ENOMEM);
    EXPECT_ERR(sys_munlock(h, PG), ENOMEM);
    EXPECT_EQ(sys_munmap(p, 4 * PG), 0);
    return PASS;
}

/* VmLck of /proc/self/status in kB, or -1. */
static long self_vmlck(void)
{
    static char text[4096];
    if (read_file("/proc/self/status", text, sizeof(text)) <= 0)
        return -1;
    return text_field(text, "VmLck", ':');
}

/* mlock(2): "Memory locks are not inherited by a child created via
 * fork(2)": the child's copies are ordinary pages, so reclaim may take
 * them. */
int t_mlock_fork(void)
{
    char *p = map_pages(4);
    CHECK(p, "mmap failed");
    long before = self_vmlck();
    CHECK(before >= 0, "no VmLck in /proc/self/status");
    memset(p, 0x33, 4 * PG);
    EXPECT_EQ(sys_mlock(p, 4 * PG), 0);
    EXPECT_EQ(self_vmlck(), before + 16);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(self_vmlck() == 0 && p[4 * PG - 1] == 0x33 ? 0 : 1);
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child: %s (its VmLck must be 0 and its copy intact)", describe(st));
    EXPECT_EQ(self_vmlck(), before + 16);
    EXPECT_EQ(sys_munmap(p, 4 * PG), 0);
    EXPECT_EQ(self_vmlck(), before);
    return PASS;
}

/* mlockall(2): MCL_CURRENT locks what is mapped, MCL_FUTURE what will be;
 * munlockall undoes both; a child inherits neither. */
int t_mlockall(void)
{
    static char text[4096];
    EXPECT_ERR(sys_mlockall(0), EINVAL);
    EXPECT_ERR(sys_mlockall(8), EINVAL);
    EXPECT_ERR(sys_mlockall(MCL_ONFAULT), EINVAL);
    EXPECT_EQ(sys_mlockall(MCL_CURRENT), 0);
    CHECK(read_file("/proc/self/status", text, sizeof(text)) > 0, "no /proc/self/status");
    long size = text_field(text, "VmSize", ':'), lck = text_field(text, "VmLck", ':');
    long rss = text_field(text, "VmRSS", ':');
    /* Linux leaves out the vdso, which cannot be locked: exact on ppsos */
    if (on_ppsos) {
        CHECK(lck == size, "after MCL_CURRENT VmLck %ld kB, VmSize %ld kB", lck, size);
        CHECK(rss == size, "after MCL_CURRENT VmRSS %ld kB, VmSize %ld kB: not all "
              "faulted in", rss, size);
    }
    char *p = map_pages(4);         /* MCL_FUTURE not set: not locked */
    CHECK(p, "mmap failed");
    EXPECT_EQ(self_vmlck(), lck);
    EXPECT_EQ(sys_munlockall(), 0);
    EXPECT_EQ(self_vmlck(), 0);
    EXPECT_EQ(sys_mlockall(MCL_FUTURE), 0);
    EXPECT_EQ(self_vmlck(), 0);
    char *q = map_pages(4);         /* now it is */
    CHECK(q, "mmap failed");
    EXPECT_EQ(self_vmlck(), 16);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        char *r = map_pages(1);
        _exit(r && self_vmlck() == 0 ? 0 : 1);
    }
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s (it must inherit no lock)",
          describe(st));
    EXPECT_EQ(sys_munlockall(), 0);
    char *r = map_pages(1);
    CHECK(r, "mmap failed");
    EXPECT_EQ(self_vmlck(), 0);
    EXPECT_EQ(sys_munmap(p, 4 * PG), 0);
    EXPECT_EQ(sys_munmap(q, 4 * PG), 0);
    EXPECT_EQ(sys_munmap(r, PG), 0);
    return PASS;
}

int t_madvise_dontneed(void)
{
    char *p = map_pages(4);
    CHECK(p, "mmap failed");
    memset(p, 0x5a, 4 * PG);
    EXPECT_EQ(sys_madvise(p, 4 * PG, MADV_DONTNEED), 0);
    for (unsigned i = 0; i < 4 * PG; i++)
        CHECK(p[i] == 0, "byte %u = %#x after MADV_DONTNEED, want 0", i, p[i]);
    p[0] = 1;                       /* still mapped and writable */
    EXPECT_EQ(sys_munmap(p, 4 * PG), 0);
    return PASS;
}

/* The reclaim hints must keep the data (it may come back from swap). */
int t_madvise_pageout(void)
{
    const unsigned n = 64;
    uint32_t *p = map_pages(n);
    CHECK(p, "mmap failed");
    for (unsigned i = 0; i < n * PG / 4; i++)
        p[i] = i ^ 0xdeadbeef;
    EXPECT_EQ(sys_madvise(p, n * PG, MADV_COLD), 0);
    EXPECT_EQ(sys_madvise(p, n * PG, MADV_PAGEOUT), 0);
    EXPECT_EQ(sys_madvise(p, n * PG, MADV_WILLNEED), 0);
    EXPECT_EQ(sys_madvise(p, n * PG, MADV_NORMAL), 0);
    for (unsigned i = 0; i < n * PG / 4; i++)
        CHECK(p[i] == (i ^ 0xdeadbeef), "word %u lost after MADV_PAGEOUT", i);
    EXPECT_EQ(sys_munmap(p, n * PG), 0);
    return PASS;
}

/* System calls whose arguments live in paged-out memory: the kernel's own
 * copies must bring the pages back (on ppsos: rescue or swap-in). */
int t_pageout_syscall_args(void)
{
    char *p = map_pages(4);
    CHECK(p, "mmap failed");
    strcpy(p, "/proc/meminfo");                         /* page 0: a path */
    struct timespec *ts = (struct timespec *)(p + PG);  /* page 1: a timespec */
    ts->tv_sec = 0;
    ts->tv_nsec = 1000000;
    memset(p + 2 * PG, 0x77, 2 * PG);                   /* pages 2-3: buffers */
    EXPECT_EQ(sys_madvise(p, 4 * PG, MADV_PAGEOUT), 0);
    long fd = sys_open(p, O_RDONLY, 0);                 /* copy_from_user: path */
    CHECK(fd >= 0, "open of a paged-out path: %s", rstr(fd));
    long n = sys_read(fd, p + 2 * PG, 64);              /* copy_to_user */
    CHECK(n == 64 && !memcmp(p + 2 * PG, "MemTotal:", 9), "read into a paged-out buffer: %s", rstr(n));
    sys_close(fd);
    EXPECT_EQ(sys_nanosleep(ts, NULL), 0);              /* copy_from_user: struct */
    EXPECT_EQ(sys_madvise(p, 4 * PG, MADV_PAGEOUT), 0);
    EXPECT_EQ(sys_uname((struct utsname *)(p + 3 * PG)), 0);
    CHECK(p[3 * PG] != 0x77, "uname did not write into the paged-out page");
    EXPECT_EQ(sys_munmap(p, 4 * PG), 0);
    return PASS;
}

/* fork copies every page, paged-out ones included; each side keeps its own. */
int t_pageout_fork(void)
{
    const unsigned n = 32;
    uint32_t *p = map_pages(n);
    CHECK(p, "mmap failed");
    for (unsigned i = 0; i < n * PG / 4; i++)
        p[i] = i * 2654435761u;
    EXPECT_EQ(sys_madvise(p, n * PG / 2, MADV_PAGEOUT), 0);  /* half on disk */
    EXPECT_EQ(sys_madvise(p + n * PG / 8, n * PG / 4, MADV_COLD), 0);
    long pid = sys_fork();
    CHECK(pid >= 0, "fork: %s", rstr(pid));
    if (pid == 0) {
        for (unsigned i = 0; i < n * PG / 4; i++)
            if (p[i] != i * 2654435761u)
                sys_exit(10);
        for (unsigned i = 0; i < n * PG / 4; i++)
            p[i] = ~i;                                  /* the child's own copy */
        sys_madvise(p, n * PG, MADV_PAGEOUT);
        for (unsigned i = 0; i < n * PG / 4; i++)
            if (p[i] != ~i)
                sys_exit(11);
        sys_exit(0);
    }
    int st = 0;
    EXPECT_EQ(sys_waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child saw wrong data (status %#x)", st);
    for (unsigned i = 0; i < n * PG / 4; i++)
        CHECK(p[i] == i * 2654435761u, "parent word %u changed by the child", i);
    EXPECT_EQ(sys_munmap(p, n * PG), 0);
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* brk (each case runs in its own child, so moving the break is safe)     */

static unsigned long page_up(unsigned long a)
{
    return (a + PG - 1) & ~(unsigned long)(PG - 1);
}

int t_brk_grow(void)
{
    unsigned long cur = sys_brk(0);
    CHECK(cur && !IS_ERR_VALUE(cur), "brk(0) = %s", rstr(cur));
    EXPECT_EQ(sys_brk(0), cur);
    unsigned long want = cur + 8 * PG;
    EXPECT_EQ(sys_brk((void *)want), want);
    EXPECT_EQ(sys_brk(0), want);
    for (char *p = (char *)cur; p < (char *)want; p += 512)
        CHECK(*p == 0, "new heap at %p not zero", p);
    memset((void *)cur, 0x77, want - cur);
    for (char *p = (char *)cur; p < (char *)want; p += 512)
        CHECK(*p == 0x77, "heap at %p lost its data", p);
    return PASS;
}

int t_brk_shrink(void)
{
    unsigned long cur = sys_brk(0);
    unsigned long top = page_up(cur) + 4 * PG;
    EXPECT_EQ(sys_brk((void *)top), top);
    memset((void *)cur, 0x33, top - cur);
    EXPECT_EQ(sys_brk((void *)cur), cur);
    /* the pages above the old break are gone */
    TRY(expect_fault((void *)page_up(cur), 0, "read above the shrunk break"));
    TRY(expect_fault((void *)(top - 1), 1, "write above the shrunk break"));
    EXPECT_EQ(sys_brk((void *)top), top);
    for (unsigned long a = page_up(cur); a < top; a += 256)
        CHECK(*(char *)a == 0, "regrown heap at %#lx = %#x, want 0", a, *(char *)a);
    return PASS;
}

int t_brk_absurd(void)
{
    unsigned long cur = sys_brk(0);
    int local;
    EXPECT_EQ(sys_brk(&local), cur);                    /* into the stack */
    EXPECT_EQ(sys_brk((void *)0xFFFFF000), cur);
    EXPECT_EQ(sys_brk((void *)0x1000), cur);            /* below the heap */
    EXPECT_EQ(sys_brk((void *)self_path), cur);         /* into the program */
    if (on_ppsos)
        EXPECT_EQ(sys_brk(KERNEL_ADDR), cur);           /* kernel space */
    /* huge but not absurd on Linux: overcommit may allow it, so restore */
    long r = sys_brk((void *)0xA0000000);
    CHECK(r == (long)cur || r == (long)0xA0000000, "brk(0xA0000000) = %s", rstr(r));
    EXPECT_EQ(sys_brk((void *)cur), cur);
    EXPECT_EQ(sys_brk(0), cur);
    return PASS;
}
