/* usertests: sched_setaffinity and sched_getaffinity (Linux's i386 ABI), /proc/stat. */
#include "usertests.h"

/* The online CPUs, as getaffinity reports them for a fresh process. */
static int get_mask(pid_t pid, unsigned long *m)
{
    long r = sys_sched_getaffinity(pid, sizeof(*m), m);
    return r == (long)sizeof(*m) ? PASS : FAIL_;
}

/* The ABI's errors, with Linux as the reference: a mask is one long here
 * (at most 32 CPUs), getaffinity returns the bytes it wrote. */
int t_sched_affinity_errors(void)
{
    unsigned long m = 0, zero = 0, big[2] = { 0, 0 };

    EXPECT_EQ(sys_sched_getaffinity(0, sizeof(m), &m), sizeof(m));
    CHECK(m != 0, "getaffinity: empty mask");
    /* The kernel's mask size: one long on ppsos (and on an i386 Linux
     * built for at most 32 CPUs); a 64-bit Linux writes 8 bytes. */
    long r = sys_sched_getaffinity(0, sizeof(big), big);
    if (on_ppsos)
        EXPECT_EQ(r, sizeof(long));
    else
        CHECK(r == 4 || r == 8, "getaffinity(len 8) = %s, want 4 or 8", rstr(r));
    EXPECT_EQ(big[0], m);
    EXPECT_ERR(sys_sched_getaffinity(0, 0, &m), EINVAL);        /* too small for any CPU */
    EXPECT_ERR(sys_sched_getaffinity(0, 3, &m), EINVAL);        /* not a multiple of a long */
    EXPECT_ERR(sys_sched_getaffinity(0, sizeof(m), NULL), EFAULT);
    EXPECT_ERR(sys_sched_getaffinity(0, sizeof(m), KERNEL_ADDR), EFAULT);
    EXPECT_ERR(sys_sched_setaffinity(0, sizeof(m), NULL), EFAULT);
    EXPECT_ERR(sys_sched_setaffinity(0, sizeof(m), KERNEL_ADDR), EFAULT);
    EXPECT_ERR(sys_sched_setaffinity(0, sizeof(zero), &zero), EINVAL); /* no CPU */
    EXPECT_ERR(sys_sched_setaffinity(0, 0, &m), EINVAL);               /* no byte: no CPU */
    EXPECT_ERR(sys_sched_setaffinity(99999, sizeof(m), &m), ESRCH);
    EXPECT_ERR(sys_sched_getaffinity(99999, sizeof(m), &m), ESRCH);
    EXPECT_ERR(sys_sched_getaffinity(-1, sizeof(m), &m), ESRCH);
    return PASS;
}

/* Pinning: the mask reads back (only online CPUs count), a forked child
 * inherits it, the parent can change the child's, pid 0 is the caller. */
int t_sched_affinity(void)
{
    unsigned long all, one, m, offline;
    int status;

    TRY(get_mask(0, &all));
    one = all & -all;                   /* the lowest online CPU */
    EXPECT_EQ(sys_sched_setaffinity(0, sizeof(one), &one), 0);
    TRY(get_mask(0, &m));
    EXPECT_EQ(m, one);
    EXPECT_EQ(sys_sched_setaffinity(getpid(), sizeof(all), &all), 0);
    TRY(get_mask(getpid(), &m));
    EXPECT_EQ(m, all);
    /* a CPU that is not there is left out, as long as one is */
    offline = one | 0x80000000ul;
    if (all & 0x80000000ul)
        SKIPPED("32 CPUs online");
    EXPECT_EQ(sys_sched_setaffinity(0, sizeof(offline), &offline), 0);
    TRY(get_mask(0, &m));
    EXPECT_EQ(m, one);
    /* the library's wrapper: 0 and the rest of a larger buffer cleared */
    unsigned long buf[2] = { ~0ul, ~0ul };
    EXPECT_EQ(sched_getaffinity(0, sizeof(buf), buf), 0);
    CHECK(buf[0] == one && buf[1] == 0, "sched_getaffinity: %lx %lx, want %lx 0", buf[0],
          buf[1], one);

    /* inherited by fork */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        unsigned long c;
        _exit(get_mask(0, &c) == PASS && c == one ? 0 : 1);
    }
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child did not inherit mask %lx", one);

    /* set by the parent for a child, which waits to see it */
    pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        unsigned long c;
        for (int i = 0; i < 100000; i++) {
            if (get_mask(0, &c) != PASS)
                _exit(2);
            if (c == all)
                _exit(0);
            sched_yield();
        }
        _exit(3);
    }
    EXPECT_EQ(sys_sched_setaffinity(pid, sizeof(all), &all), 0);
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "child: status 0x%x (3: never saw the mask its parent set)", status);
    EXPECT_EQ(sys_sched_setaffinity(0, sizeof(all), &all), 0);
    return PASS;
}

/* /proc/stat: Linux's "ctxt N" (context switches since boot) grows when
 * another process runs; ppsos adds "migrations N". */
int t_proc_stat(void)
{
    static char text[65536];    /* Linux's intr line alone can be kilobytes long */
    long r = read_file("/proc/stat", text, sizeof(text));
    CHECK(r > 0, "read /proc/stat: %s", rstr(r));
    long ctxt = text_field(text, "ctxt", ' ');
    CHECK(ctxt > 0, "no 'ctxt N' line in /proc/stat");
    if (on_ppsos)
        CHECK(text_field(text, "migrations", ' ') >= 0, "no 'migrations N' line in /proc/stat");
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(0);
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    r = read_file("/proc/stat", text, sizeof(text));
    CHECK(r > 0, "read /proc/stat: %s", rstr(r));
    long ctxt2 = text_field(text, "ctxt", ' ');
    CHECK(ctxt2 > ctxt, "ctxt %ld -> %ld across a fork, exit and wait", ctxt, ctxt2);
    return PASS;
}
