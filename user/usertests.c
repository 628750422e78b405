/*
 * usertests: checks the system-call ABI from user space, Linux being the
 * reference: every case passes on Linux (or says why it is skipped there),
 * and must pass on ppsos too.
 *
 *   usertests            run every case
 *   usertests NAME...    run only those
 *
 * Each case runs in its own forked child, so a crash or a hang (there is a
 * timeout) fails that case only. Cases that expect a crash provoke it in a
 * grandchild and check the signal. Bad pointers go through the raw sys_*
 * calls, which return -errno, so the exact error is checked.
 *
 * Before the first case and after the last, MemFree and Slab are read from
 * /proc/meminfo: on ppsos no memory may be missing at the end (leak_check).
 */
#include "ulib.h"

#define PG PAGE_SIZE
#define KERNEL_ADDR ((void *)0xC0000000)    /* first byte of kernel space */
#define WRAP_ADDR ((void *)0xFFFFFFF0)      /* range wraps past 4 GiB */
#define CASE_TIMEOUT_MS 180000

/* ---------------------------------------------------------------------- */
/* harness                                                                */

enum { PASS = 0, FAIL_ = 1, SKIP = 2 };

static char reason[512];
static int on_ppsos;            /* uname says "ppsos"; else assume Linux */
static const char *self_path;   /* this program, for reading and exec */
static const char *argv0_dir;   /* to find user/data from a build tree */

#define FAIL(...) do { snprintf(reason, sizeof(reason), __VA_ARGS__); \
                       return FAIL_; } while (0)
#define SKIPPED(...) do { snprintf(reason, sizeof(reason), __VA_ARGS__); \
                          return SKIP; } while (0)
#define CHECK(cond, ...) do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)
/* A sub-check returning PASS/FAIL_/SKIP: pass failures up. */
#define TRY(x) do { int r_ = (x); if (r_ != PASS) return r_; } while (0)

/* A raw result for messages: "-EFAULT", or the number. */
static const char *rstr(long r)
{
    static char bufs[4][32];
    static int i;
    char *b = bufs[i++ & 3];
    if (IS_ERR_VALUE(r))
        snprintf(b, 32, "-%s", errname(-r));
    else
        snprintf(b, 32, "%ld", r);
    return b;
}

/* The call must fail with exactly -err. */
#define EXPECT_ERR(call, err) do {                                        \
        long r_ = (long)(call);                                           \
        if (r_ != -(err))                                                 \
            FAIL("%s = %s, want -%s", #call, rstr(r_), errname(err));     \
    } while (0)
/* The call must return exactly v. */
#define EXPECT_EQ(call, v) do {                                           \
        long r_ = (long)(call), v_ = (long)(v);                           \
        if (r_ != v_)                                                     \
            FAIL("%s = %s, want %ld", #call, rstr(r_), v_);               \
    } while (0)

static long now_ms(void)
{
    struct timespec ts = { 0, 0 };
    sys_clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    sys_nanosleep(&ts, NULL);
}

static void *map_pages(size_t n)
{
    void *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* An address with nothing mapped at it (use it before the next mmap). */
static void *hole(void)
{
    void *p = map_pages(1);
    if (p)
        munmap(p, PG);
    return p ? p : (void *)0x10000;
}

/* A fixture from user/data: /data/NAME in the initrd, or the source tree
 * when run on the host (from the repository, or found from argv[0]). */
static const char *data_path(const char *name)
{
    static char path[256];
    const char *dirs[] = { "/data", "user/data", NULL };
    for (int i = 0; dirs[i]; i++) {
        snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
        long fd = sys_open(path, O_RDONLY, 0);
        if (fd >= 0) {
            sys_close(fd);
            return path;
        }
    }
    /* build/user/bin/usertests -> ../../../user/data */
    snprintf(path, sizeof(path), "%s/../../../user/data/%s", argv0_dir, name);
    return path;
}

/* Run fn in a child and wait: returns the wait status, or -1. */
static int in_child(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

static const char *describe(int st)
{
    static char buf[64];
    if (st == -1)
        return "fork/wait failed";
    if (WIFSIGNALED(st))
        snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(st));
    else
        snprintf(buf, sizeof(buf), "exited with %d", WEXITSTATUS(st));
    return buf;
}

/* fn, run in a child, must die of signal sig. */
static int expect_signal(void (*fn)(void), int sig, const char *what)
{
    int st = in_child(fn);
    CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig,
          "%s: child %s, want signal %d", what, describe(st), sig);
    return PASS;
}

/* Touch one byte of fault_addr in a child: it must die of SIGSEGV. */
static volatile char *fault_addr;
static void do_read(void) { (void)*fault_addr; }
static void do_write(void) { *fault_addr = 1; }

static int expect_fault(void *addr, int write, const char *what)
{
    fault_addr = addr;
    return expect_signal(write ? do_write : do_read, SIGSEGV, what);
}

/* A child that sleeps until it is killed. */
static pid_t sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            sleep_ms(1000);
    }
    return pid;
}

/* ---------------------------------------------------------------------- */
/* bad user pointers: -EFAULT, and the process goes on                    */

static int t_read_badptr(void)
{
    long fd = sys_open(self_path, O_RDONLY, 0);
    CHECK(fd >= 0, "open %s: %s", self_path, rstr(fd));
    EXPECT_ERR(sys_read(fd, NULL, 100), EFAULT);
    EXPECT_ERR(sys_read(fd, KERNEL_ADDR, 100), EFAULT);
    EXPECT_ERR(sys_read(fd, (void *)0xC0100000, PG), EFAULT);
    EXPECT_ERR(sys_read(fd, WRAP_ADDR, 100), EFAULT);
    EXPECT_ERR(sys_read(fd, hole(), 100), EFAULT);
    /* Starts mapped, runs into unmapped memory: Linux copies what fits and
     * returns the short count; an all-or-nothing kernel says -EFAULT. */
    char *p = map_pages(2);
    CHECK(p, "mmap failed");
    munmap(p + PG, PG);
    sys_lseek(fd, 0, SEEK_SET);
    long r = sys_read(fd, p + PG - 16, 64);
    CHECK(r == -EFAULT || (r >= 0 && r <= 16),
          "read across the end of a mapping = %s, want -EFAULT or <= 16", rstr(r));
    /* and a good read still works */
    sys_lseek(fd, 0, SEEK_SET);
    EXPECT_EQ(sys_read(fd, p, 4), 4);
    CHECK(!memcmp(p, "\177ELF", 4), "read back wrong bytes");
    munmap(p, PG);
    sys_close(fd);
    return PASS;
}

static int t_write_badptr(void)
{
    /* Somewhere that reads the buffer (/dev/null would not even look):
     * the console, or whatever stdout is. Nothing is written, as every
     * buffer is bad (but for one byte, see below). */
    long fd = sys_open("/dev/console", O_WRONLY | O_NOCTTY, 0);
    if (fd < 0)
        fd = sys_dup(STDOUT_FILENO);
    CHECK(fd >= 0, "open /dev/console, dup(1): %s", rstr(fd));
    EXPECT_ERR(sys_write(fd, NULL, 100), EFAULT);
    EXPECT_ERR(sys_write(fd, KERNEL_ADDR, 100), EFAULT);
    EXPECT_ERR(sys_write(fd, WRAP_ADDR, 100), EFAULT);
    EXPECT_ERR(sys_write(fd, hole(), 100), EFAULT);
    /* Only the first byte is mapped; Linux writes that one (a carriage
     * return, harmless at the start of a line), an all-or-nothing kernel
     * says -EFAULT. */
    char *p = map_pages(2);
    CHECK(p, "mmap failed");
    munmap(p + PG, PG);
    p[PG - 1] = '\r';
    long r = sys_write(fd, p + PG - 1, 64);
    CHECK(r == -EFAULT || r == 0 || r == 1,
          "write across the end of a mapping = %s, want -EFAULT or <= 1", rstr(r));
    munmap(p, PG);
    sys_close(fd);
    return PASS;
}

static int t_open_badptr(void)
{
    EXPECT_ERR(sys_open(NULL, O_RDONLY, 0), EFAULT);
    EXPECT_ERR(sys_open(KERNEL_ADDR, O_RDONLY, 0), EFAULT);
    EXPECT_ERR(sys_open(WRAP_ADDR, O_RDONLY, 0), EFAULT);
    EXPECT_ERR(sys_open(hole(), O_RDONLY, 0), EFAULT);
    /* a name that never ends: it runs into the unmapped page after it */
    char *p = map_pages(2);
    CHECK(p, "mmap failed");
    munmap(p + PG, PG);
    memset(p, 'a', PG);
    EXPECT_ERR(sys_open(p + PG - 64, O_RDONLY, 0), EFAULT);
    munmap(p, PG);
    return PASS;
}

/* exec in a child; returns the child's verdict as PASS/FAIL. The child
 * exits with the errno it got; an exec that succeeds runs usertests with
 * --exec-guard (or USERTESTS_GUARD set), which exits 200. */
static int exec_expect(const char *path, char *const argv[], char *const envp[],
                       int err1, int err2, const char *what)
{
    pid_t pid = fork();
    if (pid < 0)
        FAIL("fork: %s", errname(errno));
    if (pid == 0) {
        long r = sys_execve(path, argv, envp);
        _exit(IS_ERR_VALUE(r) ? (int)-r : 255);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid, "waitpid failed");
    CHECK(WIFEXITED(st), "%s: child %s", what, describe(st));
    int e = WEXITSTATUS(st);
    CHECK(e != 200, "%s: execve succeeded, want -%s", what, errname(err1));
    CHECK(e == err1 || e == err2, "%s: execve = -%s, want -%s%s%s", what,
          errname(e), errname(err1), err2 ? " or -" : "", err2 ? errname(err2) : "");
    return PASS;
}

static int t_execve_badptr(void)
{
    char *good_argv[] = { "usertests", "--exec-guard", NULL };
    char *good_envp[] = { "USERTESTS_GUARD=1", NULL };
    char *bad_arg[] = { "usertests", KERNEL_ADDR, NULL };
    char *bad_env[] = { (char *)1, NULL };
    TRY(exec_expect(NULL, good_argv, good_envp, EFAULT, 0, "path NULL"));
    TRY(exec_expect(KERNEL_ADDR, good_argv, good_envp, EFAULT, 0, "path kernel"));
    TRY(exec_expect(self_path, KERNEL_ADDR, good_envp, EFAULT, 0, "argv kernel"));
    TRY(exec_expect(self_path, hole(), good_envp, EFAULT, 0, "argv unmapped"));
    TRY(exec_expect(self_path, bad_arg, good_envp, EFAULT, 0, "argv[1] kernel"));
    TRY(exec_expect(self_path, good_argv, KERNEL_ADDR, EFAULT, 0, "envp kernel"));
    TRY(exec_expect(self_path, good_argv, bad_env, EFAULT, 0, "envp[0] = 1"));
    return PASS;
}

static int t_waitpid_badptr(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(5);
    CHECK(pid > 0, "fork failed");
    EXPECT_ERR(sys_waitpid(pid, KERNEL_ADDR, 0), EFAULT);
    /* Linux reaps the child before it fails to store the status; a kernel
     * that checks the pointer first leaves it to be reaped now. */
    int st;
    long r = sys_waitpid(pid, &st, 0);
    CHECK(r == pid || r == -ECHILD, "second waitpid = %s", rstr(r));
    if (r == pid)
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "child %s", describe(st));
    return PASS;
}

static int t_time_badptr(void)
{
    EXPECT_ERR(sys_nanosleep(NULL, NULL), EFAULT);
    EXPECT_ERR(sys_nanosleep(KERNEL_ADDR, NULL), EFAULT);
    EXPECT_ERR(sys_nanosleep(hole(), NULL), EFAULT);
    EXPECT_ERR(sys_clock_gettime(CLOCK_MONOTONIC, NULL), EFAULT);
    EXPECT_ERR(sys_clock_gettime(CLOCK_REALTIME, KERNEL_ADDR), EFAULT);
    EXPECT_ERR(sys_clock_gettime(CLOCK_MONOTONIC, WRAP_ADDR), EFAULT);
    return PASS;
}

static int t_uname_badptr(void)
{
    EXPECT_ERR(sys_uname(NULL), EFAULT);
    EXPECT_ERR(sys_uname(KERNEL_ADDR), EFAULT);
    EXPECT_ERR(sys_uname(WRAP_ADDR), EFAULT);
    /* a struct utsname that does not fit before an unmapped page */
    char *p = map_pages(2);
    CHECK(p, "mmap failed");
    munmap(p + PG, PG);
    EXPECT_ERR(sys_uname((struct utsname *)(p + PG - 100)), EFAULT);
    munmap(p, PG);
    return PASS;
}

static int t_getdents_badptr(void)
{
    long fd = sys_open("/proc", O_RDONLY | O_DIRECTORY, 0);
    CHECK(fd >= 0, "open /proc: %s", rstr(fd));
    EXPECT_ERR(sys_getdents64(fd, NULL, 4096), EFAULT);
    EXPECT_ERR(sys_getdents64(fd, KERNEL_ADDR, 4096), EFAULT);
    EXPECT_ERR(sys_getdents64(fd, hole(), 4096), EFAULT);
    /* and it still works */
    char buf[1024];
    long n = sys_getdents64(fd, buf, sizeof(buf));
    CHECK(n > 0, "getdents64 after the faults = %s", rstr(n));
    sys_close(fd);
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* bad fds, flags, numbers                                                */

static int t_bad_fds(void)
{
    char c;
    int fds[] = { -1, 999, 0 };
    long fd = sys_open(self_path, O_RDONLY, 0);
    CHECK(fd >= 0, "open: %s", rstr(fd));
    EXPECT_EQ(sys_close(fd), 0);
    fds[2] = fd;                    /* now closed */
    for (int i = 0; i < 3; i++) {
        EXPECT_ERR(sys_read(fds[i], &c, 1), EBADF);
        EXPECT_ERR(sys_write(fds[i], "x", 1), EBADF);
        EXPECT_ERR(sys_lseek(fds[i], 0, SEEK_SET), EBADF);
        EXPECT_ERR(sys_close(fds[i]), EBADF);
        EXPECT_ERR(sys_dup(fds[i]), EBADF);
        EXPECT_ERR(sys_getdents64(fds[i], &c, 1), EBADF);
    }
    /* a file opened read-only cannot be written */
    fd = sys_open(self_path, O_RDONLY, 0);
    EXPECT_ERR(sys_write(fd, "x", 1), EBADF);
    sys_close(fd);
    return PASS;
}

static int t_dup(void)
{
    long fd = sys_open(self_path, O_RDONLY, 0);
    CHECK(fd >= 0, "open: %s", rstr(fd));
    long d = sys_dup(fd);
    CHECK(d > fd, "dup = %s", rstr(d));
    EXPECT_EQ(sys_dup2(fd, 20), 20);
    EXPECT_EQ(sys_dup2(fd, fd), fd);
    EXPECT_ERR(sys_dup2(999, 21), EBADF);
    EXPECT_ERR(sys_dup2(fd, -1), EBADF);
    /* duplicates share one open file, so one offset */
    EXPECT_EQ(sys_lseek(fd, 1, SEEK_SET), 1);
    EXPECT_EQ(sys_lseek(20, 0, SEEK_CUR), 1);
    char buf[3];
    EXPECT_EQ(sys_read(d, buf, 3), 3);
    CHECK(!memcmp(buf, "ELF", 3), "read through dup: wrong bytes");
    EXPECT_EQ(sys_close(fd), 0);
    EXPECT_EQ(sys_lseek(20, 0, SEEK_CUR), 4);   /* still open via the others */
    EXPECT_EQ(sys_dup(d), fd);                  /* lowest free fd again */
    sys_close(fd);
    sys_close(d);
    sys_close(20);
    return PASS;
}

static int t_open_errors(void)
{
    EXPECT_ERR(sys_open("/no/such/file", O_RDONLY, 0), ENOENT);
    EXPECT_ERR(sys_open("/bin/no-such-program", O_RDONLY, 0), ENOENT);
    EXPECT_ERR(sys_open(self_path, O_RDONLY | O_DIRECTORY, 0), ENOTDIR);
    EXPECT_ERR(sys_open("", O_RDONLY, 0), ENOENT);
    /* creating: no writable storage (EROFS), unless the directory itself
     * is missing (ENOENT), as on Linux */
    EXPECT_ERR(sys_open("/newfile", O_WRONLY | O_CREAT, 0644), EROFS);
    EXPECT_ERR(sys_open("/proc/99999/reclaim", O_WRONLY | O_CREAT | O_TRUNC, 0644), ENOENT);
    EXPECT_ERR(sys_open("/no/such/dir/file", O_WRONLY | O_CREAT, 0644), ENOENT);
    long fd = sys_open("/proc", O_RDONLY | O_DIRECTORY, 0);
    CHECK(fd >= 0, "open /proc O_DIRECTORY = %s", rstr(fd));
    sys_close(fd);
    /* a /proc file nobody may write (found by sysfuzz: this open leaked
     * 4 KiB of kernel heap; leak_check sees it) */
    if (on_ppsos) {
        EXPECT_ERR(sys_open("/proc/meminfo", O_WRONLY, 0), EACCES);
        EXPECT_ERR(sys_open("/proc/uptime", O_RDWR, 0), EACCES);
    }
    return PASS;
}

static int t_bad_args(void)
{
    char *p = map_pages(1);
    CHECK(p, "mmap failed");
    struct timespec ts;
    /* mmap needs exactly one of MAP_SHARED / MAP_PRIVATE */
    EXPECT_ERR(sys_mmap2(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR(sys_mmap2(NULL, PG, PROT_READ, MAP_TYPE | MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR(sys_madvise(p, PG, 9999), EINVAL);
    EXPECT_ERR(sys_madvise(p + 1, PG, MADV_NORMAL), EINVAL);
    EXPECT_ERR(sys_clock_gettime(9999, &ts), EINVAL);
    EXPECT_ERR(sys_kill(sys_getpid(), 999), EINVAL);
    EXPECT_ERR(sys_kill(sys_getpid(), -1), EINVAL);
    struct timespec bad = { 0, 1000000000 };
    EXPECT_ERR(sys_nanosleep(&bad, NULL), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    EXPECT_ERR(sys_nanosleep(&bad, NULL), EINVAL);
    munmap(p, PG);
    return PASS;
}

static int t_nosys(void)
{
    EXPECT_ERR(__syscall(9999, 0, 0, 0, 0, 0, 0), ENOSYS);
    EXPECT_ERR(__syscall(-1, 0, 0, 0, 0, 0, 0), ENOSYS);
    EXPECT_ERR(__syscall(0x7fffffff, 0, 0, 0, 0, 0, 0), ENOSYS);
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* mmap, munmap, mprotect                                                 */

static int t_mmap_errors(void)
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

static int t_munmap_errors(void)
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

static int t_mmap_fixed_overlap(void)
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

static int t_munmap_split(void)
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

static int t_mprotect(void)
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

static int t_mmap_many_pages(void)
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

static int t_mlock(void)
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
static int t_mlock_fork(void)
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
static int t_mlockall(void)
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

static int t_madvise_dontneed(void)
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
static int t_madvise_pageout(void)
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
static int t_pageout_syscall_args(void)
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
static int t_pageout_fork(void)
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

static int t_brk_grow(void)
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

static int t_brk_shrink(void)
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

static int t_brk_absurd(void)
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

/* ---------------------------------------------------------------------- */
/* fork, exec, wait                                                       */

static int fork_global = 1;

static int t_fork_copy(void)
{
    int local = 1;
    int *heap = malloc(sizeof(int));
    CHECK(heap, "malloc failed");
    *heap = 1;
    pid_t pid = fork();
    if (pid == 0) {
        int ok = fork_global == 1 && local == 1 && *heap == 1;
        fork_global = local = *heap = 2;
        _exit(ok ? 0 : 1);
    }
    CHECK(pid > 0, "fork: %s", errname(errno));
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child saw wrong values (%s)",
          describe(st));
    CHECK(fork_global == 1 && local == 1 && *heap == 1,
          "child's writes visible in the parent");
    free(heap);
    return PASS;
}

static int t_fork_many(void)
{
    enum { N = 50 };
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(i + 1);
        CHECK(pids[i] > 0, "fork %d: %s", i, errname(errno));
    }
    /* half by pid, in reverse, the rest with wait(-1) */
    for (int i = N - 1; i >= N / 2; i--) {
        int st;
        EXPECT_EQ(waitpid(pids[i], &st, 0), pids[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == i + 1, "child %d %s", i,
              describe(st));
    }
    for (int n = 0; n < N / 2; n++) {
        int st;
        pid_t pid = wait(&st);
        int i = 0;
        while (i < N / 2 && pids[i] != pid)
            i++;
        CHECK(i < N / 2, "wait returned %s, not one of ours", rstr(pid));
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == i + 1, "child %d %s", i,
              describe(st));
        pids[i] = 0;
    }
    EXPECT_ERR(sys_waitpid(-1, NULL, 0), ECHILD);
    return PASS;
}

static int t_fork_exhaust(void)
{
    static pid_t pids[200];
    int cap = on_ppsos ? 200 : 50;  /* be gentle with a shared host */
    int n = 0, err = 0;
    for (; n < cap; n++) {
        long r = sys_fork();
        if (r == 0) {
            for (;;)
                sleep_ms(1000);
        }
        if (r < 0) {
            err = -r;
            break;
        }
        pids[n] = r;
    }
    for (int i = 0; i < n; i++)
        sys_kill(pids[i], SIGKILL);
    for (int i = 0; i < n; i++) {
        int st;
        EXPECT_EQ(waitpid(pids[i], &st, 0), pids[i]);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %d %s", i,
              describe(st));
    }
    CHECK(!err || err == EAGAIN || err == ENOMEM,
          "fork %d failed with -%s, want -EAGAIN or -ENOMEM", n, errname(err));
    CHECK(n > 0, "not a single fork worked");
    /* everything is back: fork works again */
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    CHECK(pid > 0, "fork after the flood: %s", errname(errno));
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child %s", describe(st));
    printf("usertests: fork_exhaust: %d children%s%s\n", n, err ? ", then -" : "",
           err ? errname(err) : " (the cap)");
    return PASS;
}

static int t_getpid(void)
{
    pid_t me = getpid();
    CHECK(me > 0, "getpid = %d", me);
    EXPECT_EQ(getpid(), me);
    pid_t parent = getppid();
    pid_t pid = fork();
    if (pid == 0) {
        int ok = getppid() == me && getpid() != me && getpid() != parent;
        _exit(ok ? (getpid() & 0x7f) : 0xff);
    }
    CHECK(pid > 0 && pid != me, "fork = %d", pid);
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 0xff, "child saw wrong pids");
    CHECK(WEXITSTATUS(st) == (pid & 0x7f), "child's getpid != fork's return");
    EXPECT_EQ(getpid(), me);
    EXPECT_EQ(getppid(), parent);
    return PASS;
}

static int t_exec_missing(void)
{
    char *argv[] = { "x", NULL };
    TRY(exec_expect("/no/such/program", argv, argv + 1, ENOENT, 0, "missing file"));
    TRY(exec_expect("/bin/no-such-program", argv, argv + 1, ENOENT, 0, "missing file"));
    return PASS;
}

static int t_exec_garbage(void)
{
    char *argv[] = { "garbage", NULL };
    return exec_expect(data_path("garbage.elf"), argv, argv + 1, ENOEXEC, 0,
                       data_path("garbage.elf"));
}

/* Program headers past the end of the file. (Linux 6.x: -ENOEXEC; older
 * kernels said -EIO.) */
static int t_exec_truncated(void)
{
    char *argv[] = { "truncated", NULL };
    return exec_expect(data_path("truncated.elf"), argv, argv + 1, ENOEXEC, 0,
                       data_path("truncated.elf"));
}

static int t_exec_notfile(void)
{
    char *argv[] = { "x", NULL };
    TRY(exec_expect("/proc", argv, argv + 1, EACCES, ENOEXEC, "/proc"));
    TRY(exec_expect("/dev/console", argv, argv + 1, EACCES, ENOEXEC, "/dev/console"));
    TRY(exec_expect("/proc/meminfo", argv, argv + 1, EACCES, ENOEXEC, "/proc/meminfo"));
    return PASS;
}

/* argv/envp pass through exec intact: --check-args (below) verifies them. */
#define EXEC_NARGS 200
static char big_arg[3000];

static void fill_args(char **argv, char *store)
{
    argv[0] = "usertests-args";
    argv[1] = "--check-args";
    for (int i = 0; i < EXEC_NARGS; i++) {
        argv[i + 2] = store;
        store += snprintf(store, 32, "arg%d-%x", i, i * 12345) + 1;
    }
    memset(big_arg, 'z', sizeof(big_arg) - 1);
    argv[EXEC_NARGS + 2] = big_arg;
    argv[EXEC_NARGS + 3] = "";              /* an empty argument survives */
    argv[EXEC_NARGS + 4] = NULL;
}

static char *exec_env[] = { "UT_A=1", "UT_B=hello world", "UT_C=", NULL };

static int check_args(int argc, char **argv, char **envp)
{
    static char *want[EXEC_NARGS + 5];
    static char store[EXEC_NARGS * 32];
    fill_args(want, store);
    if (argc != EXEC_NARGS + 4)
        return 10;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], want[i]))
            return 11;
    if (argv[argc])
        return 12;
    if (envp != argv + argc + 1 || environ != envp)
        return 13;                          /* the System V stack layout */
    for (int i = 0; i < 4; i++)
        if (envp[i] != exec_env[i] && (!envp[i] || !exec_env[i] ||
                                       strcmp(envp[i], exec_env[i])))
            return 14;
    char *b = getenv("UT_B");
    if (!b || strcmp(b, "hello world"))
        return 15;
    return 0;
}

static int t_exec_args(void)
{
    static char *argv[EXEC_NARGS + 5];
    static char store[EXEC_NARGS * 32];
    fill_args(argv, store);
    pid_t pid = fork();
    if (pid == 0) {
        execve(self_path, argv, exec_env);
        _exit(100 + errno);
    }
    CHECK(pid > 0, "fork failed");
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st), "exec'd child %s", describe(st));
    int e = WEXITSTATUS(st);
    CHECK(e < 100, "execve %s: -%s", self_path, errname(e - 100));
    CHECK(e == 0, "exec'd child found bad %s (code %d)",
          e == 10 ? "argc" : e <= 12 ? "argv" : e == 13 ? "stack layout" : "envp", e);
    return PASS;
}

static int t_wait_errors(void)
{
    int st;
    EXPECT_ERR(sys_waitpid(-1, &st, 0), ECHILD);            /* no children */
    EXPECT_ERR(sys_waitpid(1, &st, 0), ECHILD);             /* init */
    EXPECT_ERR(sys_waitpid(getppid(), &st, 0), ECHILD);
    EXPECT_ERR(sys_waitpid(getpid(), &st, 0), ECHILD);
    EXPECT_ERR(sys_waitpid(-1, &st, WNOHANG), ECHILD);
    return PASS;
}

static int t_wait_nohang(void)
{
    pid_t pid = sleeper();
    CHECK(pid > 0, "fork failed");
    int st = 0x1234;
    EXPECT_EQ(sys_waitpid(pid, &st, WNOHANG), 0);
    EXPECT_EQ(sys_waitpid(-1, &st, WNOHANG), 0);
    EXPECT_EQ(sys_kill(pid, SIGKILL), 0);
    EXPECT_EQ(sys_waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child %s", describe(st));
    /* an exited child is reaped by WNOHANG once it is a zombie */
    pid = fork();
    if (pid == 0)
        _exit(3);
    long r = 0;
    for (int i = 0; i < 500 && r == 0; i++) {
        r = sys_waitpid(pid, &st, WNOHANG);
        if (r == 0)
            sleep_ms(10);
    }
    CHECK(r == pid, "waitpid WNOHANG on an exited child = %s", rstr(r));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "child %s", describe(st));
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* crashes: the child dies of the right signal, the rest goes on          */

static volatile int zero, thousand = 1000;

static void crash_null(void) { *(volatile int *)zero = 1; }
static void crash_null_read(void) { (void)*(volatile int *)(zero + 4); }
static void crash_write_text(void) { *(volatile char *)(uintptr_t)&crash_null = 0xc3; }
/* (not 1 / zero: GCC computes that one without a division) */
static void crash_divzero(void) { volatile int x = thousand / zero; (void)x; }
static void crash_hlt(void) { asm volatile("hlt"); }
static void crash_cli(void) { asm volatile("cli"); }
static void crash_out(void) { asm volatile("outb %%al, $0x80" : : "a"(0)); }
static void crash_cr3(void) { asm volatile("mov %%eax, %%cr3" : : "a"(0)); }
static void crash_int(void) { asm volatile("int $0x81"); }
static void crash_kjump(void) { ((void (*)(void))0xC0100000)(); }
static void crash_kread(void) { (void)*(volatile int *)KERNEL_ADDR; }
static void crash_kwrite(void) { *(volatile int *)0xC0100000 = 0; }
static void crash_ud2(void) { asm volatile("ud2"); }

static volatile unsigned depth_limit = 0xffffffff;

static unsigned __attribute__((noinline)) recurse(unsigned n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    if (n >= depth_limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

static void crash_stack(void) { recurse(0); }

static int t_crash_null(void)
{
    TRY(expect_signal(crash_null, SIGSEGV, "write to NULL"));
    return expect_signal(crash_null_read, SIGSEGV, "read from NULL+4");
}

static int t_crash_text(void)
{
    return expect_signal(crash_write_text, SIGSEGV, "write to text");
}

static int t_crash_divzero(void)
{
    return expect_signal(crash_divzero, SIGFPE, "divide by zero");
}

static int t_crash_privileged(void)
{
    TRY(expect_signal(crash_hlt, SIGSEGV, "hlt"));
    TRY(expect_signal(crash_cli, SIGSEGV, "cli"));
    TRY(expect_signal(crash_out, SIGSEGV, "outb"));
    TRY(expect_signal(crash_cr3, SIGSEGV, "mov to cr3"));
    return expect_signal(crash_int, SIGSEGV, "int $0x81");
}

static int t_crash_kernel(void)
{
    TRY(expect_signal(crash_kjump, SIGSEGV, "jump to 0xC0100000"));
    TRY(expect_signal(crash_kread, SIGSEGV, "read 0xC0000000"));
    return expect_signal(crash_kwrite, SIGSEGV, "write 0xC0100000");
}

static int t_crash_stack(void)
{
    return expect_signal(crash_stack, SIGSEGV, "unbounded recursion");
}

static int t_crash_ud2(void)
{
    return expect_signal(crash_ud2, SIGILL, "ud2");
}

/* ---------------------------------------------------------------------- */
/* kill                                                                   */

static int kill_sleeper(int sig)
{
    pid_t pid = sleeper();
    CHECK(pid > 0, "fork failed");
    sleep_ms(20);                   /* let it get into nanosleep */
    EXPECT_EQ(sys_kill(pid, sig), 0);
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig, "child %s, want signal %d",
          describe(st), sig);
    return PASS;
}

static int t_kill_sigkill(void) { return kill_sleeper(SIGKILL); }
static int t_kill_sigterm(void) { return kill_sleeper(SIGTERM); }

static int t_kill_errors(void)
{
    EXPECT_ERR(sys_kill(999999999, SIGTERM), ESRCH);
    EXPECT_ERR(sys_kill(999999999, 0), ESRCH);
    EXPECT_EQ(sys_kill(getpid(), 0), 0);
    pid_t pid = sleeper();
    CHECK(pid > 0, "fork failed");
    EXPECT_EQ(sys_kill(pid, 0), 0);     /* signal 0: does it exist? */
    EXPECT_EQ(sys_kill(pid, SIGKILL), 0);
    int st;
    EXPECT_EQ(waitpid(pid, &st, 0), pid);
    EXPECT_ERR(sys_kill(pid, 0), ESRCH); /* reaped: gone */
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* misc syscalls                                                          */

static int t_uname(void)
{
    struct utsname u;
    memset(&u, 0xff, sizeof(u));
    EXPECT_EQ(sys_uname(&u), 0);
    CHECK(strnlen(u.sysname, 65) < 65 && u.sysname[0], "bad sysname");
    CHECK(strnlen(u.release, 65) < 65 && strnlen(u.machine, 65) < 65,
          "fields not NUL-terminated");
    CHECK(strnlen(u.domainname, 65) < 65, "domainname not NUL-terminated");
    CHECK(!on_ppsos || !strcmp(u.sysname, "ppsos"), "sysname %s", u.sysname);
    return PASS;
}

static int t_clock(void)
{
    struct timespec a, b;
    EXPECT_EQ(sys_clock_gettime(CLOCK_MONOTONIC, &a), 0);
    CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000, "tv_nsec %ld", a.tv_nsec);
    long long prev = a.tv_sec * 1000000000LL + a.tv_nsec;
    for (int i = 0; i < 2000; i++) {
        EXPECT_EQ(sys_clock_gettime(CLOCK_MONOTONIC, &b), 0);
        long long t = b.tv_sec * 1000000000LL + b.tv_nsec;
        CHECK(t >= prev, "went back from %lld to %lld ns", prev, t);
        prev = t;
        if (i % 256 == 0)
            sys_sched_yield();      /* maybe move to another CPU */
    }
    struct timespec req = { 0, 20000000 };
    EXPECT_EQ(sys_clock_gettime(CLOCK_MONOTONIC, &a), 0);
    EXPECT_EQ(sys_nanosleep(&req, NULL), 0);
    EXPECT_EQ(sys_clock_gettime(CLOCK_MONOTONIC, &b), 0);
    long long d = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    CHECK(d >= 20000000, "nanosleep(20 ms) took %lld ns", d);
    CHECK(d < 2000000000, "nanosleep(20 ms) took %lld ns", d);
    EXPECT_EQ(sys_clock_gettime(CLOCK_REALTIME, &a), 0);
    return PASS;
}

static int t_sched_yield(void)
{
    for (int i = 0; i < 100; i++)
        EXPECT_EQ(sys_sched_yield(), 0);
    return PASS;
}

static int t_lseek_console(void)
{
    long fd = sys_open("/dev/console", O_RDONLY | O_NOCTTY, 0);
    if (fd < 0 && !on_ppsos)
        SKIPPED("linux: /dev/console: %s", rstr(fd));
    CHECK(fd >= 0, "open /dev/console: %s", rstr(fd));
    EXPECT_ERR(sys_lseek(fd, 0, SEEK_SET), ESPIPE);
    EXPECT_ERR(sys_lseek(fd, 0, SEEK_CUR), ESPIPE);
    sys_close(fd);
    return PASS;
}

static int t_lseek_file(void)
{
    long fd = sys_open(self_path, O_RDONLY, 0);
    CHECK(fd >= 0, "open %s: %s", self_path, rstr(fd));
    long size = sys_lseek(fd, 0, SEEK_END);
    CHECK(size > 52, "SEEK_END = %s", rstr(size));
    char buf[8];
    EXPECT_EQ(sys_read(fd, buf, 8), 0);             /* at the end */
    EXPECT_EQ(sys_lseek(fd, 1, SEEK_SET), 1);
    EXPECT_EQ(sys_read(fd, buf, 3), 3);
    CHECK(!memcmp(buf, "ELF", 3), "bytes 1-3 are not ELF");
    EXPECT_EQ(sys_lseek(fd, 0, SEEK_CUR), 4);
    EXPECT_EQ(sys_lseek(fd, -4, SEEK_CUR), 0);
    EXPECT_EQ(sys_read(fd, buf, 4), 4);
    CHECK(!memcmp(buf, "\177ELF", 4), "ELF magic not read back");
    EXPECT_EQ(sys_lseek(fd, -2, SEEK_END), size - 2);
    EXPECT_EQ(sys_read(fd, buf, 8), 2);
    EXPECT_ERR(sys_lseek(fd, -1, SEEK_SET), EINVAL);
    EXPECT_ERR(sys_lseek(fd, 0, 99), EINVAL);
    EXPECT_EQ(sys_lseek(fd, size + 100, SEEK_SET), size + 100);  /* past EOF ok */
    EXPECT_EQ(sys_read(fd, buf, 8), 0);
    sys_close(fd);
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* /proc                                                                  */

/* The number on the "Name:" line of a /proc file, or -1. */
static long proc_field(const char *text, const char *name)
{
    return text_field(text, name, ':');
}

/* The line starts "Name:", then blanks, digits, " kB". */
static int meminfo_line_ok(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
        if (strncmp(p, name, n) || p[n] != ':')
            continue;
        p += n + 1;
        if (*p != ' ')
            return 0;
        while (*p == ' ')
            p++;
        if (!isdigit(*p))
            return 0;
        while (isdigit(*p))
            p++;
        return !strncmp(p, " kB\n", 4);
    }
    return 0;
}

static int t_proc_meminfo(void)
{
    static char text[8192];
    long r = read_file("/proc/meminfo", text, sizeof(text));
    CHECK(r > 0, "read /proc/meminfo: %s", rstr(r));
    const char *names[] = { "MemTotal", "MemFree", "SwapTotal", "SwapFree" };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        CHECK(meminfo_line_ok(text, names[i]), "no '%s:   N kB' line", names[i]);
    long total = proc_field(text, "MemTotal"), mfree = proc_field(text, "MemFree");
    CHECK(total > 0 && mfree > 0 && mfree <= total, "MemFree %ld, MemTotal %ld",
          mfree, total);
    CHECK(proc_field(text, "SwapFree") <= proc_field(text, "SwapTotal"),
          "SwapFree > SwapTotal");
    return PASS;
}

static int t_proc_maps(void)
{
    static char text[16384];
    char path[64];
    /* make sure there is a heap */
    unsigned long cur = sys_brk(0);
    EXPECT_EQ(sys_brk((void *)(cur + 2 * PG)), cur + 2 * PG);
    *(volatile char *)cur = 1;
    snprintf(path, sizeof(path), "/proc/%d/maps", getpid());
    long r = read_file(path, text, sizeof(text));
    CHECK(r > 0, "read %s: %s", path, rstr(r));
    CHECK(strstr(text, "[stack]"), "%s has no [stack] line", path);
    CHECK(strstr(text, "[heap]"), "%s has no [heap] line", path);
    /* the line for our text: "start-end r-xp ..." holding this function */
    unsigned long me = (unsigned long)(uintptr_t)&t_proc_maps;
    int found = 0;
    for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
        char *e;
        unsigned long lo = strtoul(p, &e, 16);
        if (*e != '-')
            FAIL("bad line in %s: %.40s", path, p);
        unsigned long hi = strtoul(e + 1, &e, 16);
        if (*e != ' ' || hi <= lo)
            FAIL("bad line in %s: %.40s", path, p);
        if (me >= lo && me < hi)
            found = !strncmp(e + 1, "r-x", 3) ? 1 : 2;
    }
    CHECK(found == 1, "no r-x line covers %#lx", me);
    return PASS;
}

static int t_proc_status(void)
{
    static char text[4096];
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", getpid());
    long r = read_file(path, text, sizeof(text));
    CHECK(r > 0, "read %s: %s", path, rstr(r));
    CHECK(!strncmp(text, "Name:", 5), "%s does not start with Name:", path);
    CHECK(strstr(text, "usertests"), "Name is not usertests");
    CHECK(strstr(text, "\nState:"), "no State line");
    EXPECT_EQ(proc_field(text, "Pid"), getpid());
    EXPECT_EQ(proc_field(text, "PPid"), getppid());
    CHECK(proc_field(text, "VmSize") > 0, "no VmSize");
    CHECK(proc_field(text, "VmRSS") > 0, "no VmRSS");
    snprintf(path, sizeof(path), "/proc/%d/status", 999999999);
    EXPECT_ERR(read_file(path, text, sizeof(text)), ENOENT);
    return PASS;
}

/* "12.34 56.78\n": two decimals */
static int t_proc_uptime(void)
{
    char text[128];
    long r = read_file("/proc/uptime", text, sizeof(text));
    CHECK(r > 0, "read /proc/uptime: %s", rstr(r));
    char *p = text;
    for (int k = 0; k < 2; k++) {
        char *start = p;
        while (isdigit(*p))
            p++;
        CHECK(p > start && *p == '.', "bad /proc/uptime: %s", text);
        p++;
        CHECK(isdigit(*p), "bad /proc/uptime: %s", text);
        while (isdigit(*p))
            p++;
        CHECK(*p == (k ? '\n' : ' '), "bad /proc/uptime: %s", text);
        p++;
    }
    return PASS;
}

static int t_proc_dir(void)
{
    long fd = sys_open("/proc", O_RDONLY | O_DIRECTORY, 0);
    CHECK(fd >= 0, "open /proc: %s", rstr(fd));
    char buf[512];                  /* small: forces several calls */
    char me[16];
    EXPECT_ERR(sys_getdents64(fd, buf, 8), EINVAL);         /* no entry fits */
    snprintf(me, sizeof(me), "%d", getpid());
    int found_me = 0, found_meminfo = 0;
    long n;
    while ((n = sys_getdents64(fd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            CHECK(d->d_reclen >= 20 && off + d->d_reclen <= n, "bad d_reclen %u",
                  d->d_reclen);
            CHECK(strnlen(d->d_name, d->d_reclen - 19) < (size_t)d->d_reclen - 19u,
                  "d_name not terminated");
            if (!strcmp(d->d_name, me))
                found_me = d->d_type == DT_DIR ? 1 : 2;
            if (!strcmp(d->d_name, "meminfo"))
                found_meminfo = 1;
            off += d->d_reclen;
        }
    }
    CHECK(n == 0, "getdents64 = %s", rstr(n));
    EXPECT_EQ(sys_getdents64(fd, buf, sizeof(buf)), 0);     /* stays at end */
    sys_close(fd);
    CHECK(found_me, "/proc has no entry %s", me);
    CHECK(found_me == 1, "/proc/%s is not DT_DIR", me);
    CHECK(found_meminfo, "/proc has no meminfo");
    fd = sys_open("/proc/meminfo", O_RDONLY, 0);
    EXPECT_ERR(sys_getdents64(fd, buf, sizeof(buf)), ENOTDIR);
    sys_close(fd);
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* the libc itself                                                        */

static int t_libc(void)
{
    char b[128];
    snprintf(b, sizeof(b), "%d|%5d|%-4d|%05d|%x|%X|%s|%c|%%", -12, 34, 5, -42,
             0xbeef, 0xBEEF, "str", 'q');
    CHECK(!strcmp(b, "-12|   34|5   |-0042|beef|BEEF|str|q|%"), "got %s", b);
    snprintf(b, sizeof(b), "%lld|%llu|%lu|%ld|%u|%-6s|%6s|%.2s", -1234567890123LL,
             18446744073709551615ULL, 4294967295UL, -2147483647L - 1, 0u,
             "ab", "cd", "xyz");
    CHECK(!strcmp(b, "-1234567890123|18446744073709551615|4294967295|"
                     "-2147483648|0|ab    |    cd|xy"), "got %s", b);
    CHECK(snprintf(b, 4, "abcdef") == 6 && !strcmp(b, "abc"), "truncation");
    snprintf(b, sizeof(b), "%p", (void *)0x1234);
    CHECK(!strcmp(b, "0x1234"), "%%p gave %s", b);
    CHECK(atoi("-42") == -42 && strtoul("0x1f", NULL, 0) == 31 &&
          strtoul("777", NULL, 8) == 511, "number parsing");
    /* malloc: many small blocks, a big one, realloc, free */
    enum { N = 300 };
    static char *blocks[N];
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(1 + i * 7);
        CHECK(blocks[i] && !((uintptr_t)blocks[i] & 15), "malloc %d", i);
        memset(blocks[i], i & 0xff, 1 + i * 7);
    }
    for (int i = 0; i < N; i += 2)
        free(blocks[i]);
    char *big = malloc(300 * 1024);
    CHECK(big, "big malloc");
    memset(big, 1, 300 * 1024);
    for (int i = 1; i < N; i += 2)
        for (int j = 0; j < 1 + i * 7; j++)
            CHECK(blocks[i][j] == (char)(i & 0xff), "block %d corrupted", i);
    char *r = realloc(blocks[1], 5000);
    CHECK(r && r[0] == 1 && r[7] == 1, "realloc lost data");
    blocks[1] = r;
    for (int i = 1; i < N; i += 2)
        free(blocks[i]);
    free(big);
    int *z = calloc(1000, sizeof(int));
    CHECK(z, "calloc");
    for (int i = 0; i < 1000; i++)
        CHECK(z[i] == 0, "calloc not zeroed");
    free(z);
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* leak check: memory at the end as at the start                          */

struct memsnap {
    long mem_free, slab;
};

static int snap(struct memsnap *s)
{
    static char text[8192];         /* static: no new stack page later */
    if (read_file("/proc/meminfo", text, sizeof(text)) <= 0)
        return -1;
    s->mem_free = proc_field(text, "MemFree");
    s->slab = proc_field(text, "Slab");
    return 0;
}

static struct memsnap before;
static int have_before;

/* Runs in the main process, after all the others. */
static int t_leak_check(void)
{
    CHECK(have_before, "no /proc/meminfo reading from the start");
    struct memsnap after;
    for (int round = 0; round < 100; round++) {
        CHECK(snap(&after) == 0, "read /proc/meminfo");
        if (after.mem_free == before.mem_free && after.slab == before.slab)
            break;
        /* exiting processes may still be on their way out */
        sys_sched_yield();
        sleep_ms(20);
    }
    printf("usertests: leak_check: MemFree %ld -> %ld kB, Slab %ld -> %ld kB\n",
           before.mem_free, after.mem_free, before.slab, after.slab);
    if (!on_ppsos)
        SKIPPED("linux");
    /* Exactly equal, like xv6's countfree: a frame or heap object that
     * comes back from nowhere is as much a bug as one that goes missing. */
    CHECK(after.mem_free == before.mem_free, "MemFree %ld -> %ld kB",
          before.mem_free, after.mem_free);
    CHECK(after.slab == before.slab, "Slab %ld -> %ld kB", before.slab, after.slab);
    return PASS;
}

/* Fault in every page this process will use, so that the pages the harness
 * itself touches later do not look like a leak: every mapping in our maps
 * file (writable ones written), and the stack the harness may use. */
static void __attribute__((noinline)) touch_stack(void)
{
    volatile char pad[32768];
    for (unsigned i = 0; i < sizeof(pad); i += 512)
        pad[i] = 0;
}

static void pretouch(void)
{
    char path[64], text[4096];
    touch_stack();
    snprintf(path, sizeof(path), "/proc/%d/maps", getpid());
    if (read_file(path, text, sizeof(text)) <= 0)
        return;
    for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
        char *e;
        unsigned long lo = strtoul(p, &e, 16);
        if (*e != '-')
            break;
        unsigned long hi = strtoul(e + 1, &e, 16);
        char *eol = strchr(e, '\n');
        char *br = strchr(e, '[');
        if (br && (!eol || br < eol) && strncmp(br, "[heap]", 6))
            continue;               /* [stack] and friends: see touch_stack */
        if (e[1] != 'r')
            continue;
        for (unsigned long a = lo; a < hi; a += PG) {
            volatile char *c = (volatile char *)a;
            char v = *c;
            if (e[2] == 'w')
                *c = v;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* the list and main                                                      */

struct test {
    const char *name;
    int (*fn)(void);
};

static const struct test tests[] = {
    { "read_badptr", t_read_badptr },
    { "write_badptr", t_write_badptr },
    { "open_badptr", t_open_badptr },
    { "execve_badptr", t_execve_badptr },
    { "waitpid_badptr", t_waitpid_badptr },
    { "time_badptr", t_time_badptr },
    { "uname_badptr", t_uname_badptr },
    { "getdents_badptr", t_getdents_badptr },
    { "bad_fds", t_bad_fds },
    { "dup", t_dup },
    { "open_errors", t_open_errors },
    { "bad_args", t_bad_args },
    { "nosys", t_nosys },
    { "mmap_errors", t_mmap_errors },
    { "munmap_errors", t_munmap_errors },
    { "mmap_fixed_overlap", t_mmap_fixed_overlap },
    { "munmap_split", t_munmap_split },
    { "mprotect", t_mprotect },
    { "mmap_many_pages", t_mmap_many_pages },
    { "mlock", t_mlock },
    { "mlock_fork", t_mlock_fork },
    { "mlockall", t_mlockall },
    { "madvise_dontneed", t_madvise_dontneed },
    { "madvise_pageout", t_madvise_pageout },
    { "pageout_syscall_args", t_pageout_syscall_args },
    { "pageout_fork", t_pageout_fork },
    { "brk_grow", t_brk_grow },
    { "brk_shrink", t_brk_shrink },
    { "brk_absurd", t_brk_absurd },
    { "fork_copy", t_fork_copy },
    { "fork_many", t_fork_many },
    { "fork_exhaust", t_fork_exhaust },
    { "getpid", t_getpid },
    { "exec_missing", t_exec_missing },
    { "exec_garbage", t_exec_garbage },
    { "exec_truncated", t_exec_truncated },
    { "exec_notfile", t_exec_notfile },
    { "exec_args", t_exec_args },
    { "wait_errors", t_wait_errors },
    { "wait_nohang", t_wait_nohang },
    { "crash_null", t_crash_null },
    { "crash_text", t_crash_text },
    { "crash_divzero", t_crash_divzero },
    { "crash_privileged", t_crash_privileged },
    { "crash_kernel", t_crash_kernel },
    { "crash_stack", t_crash_stack },
    { "crash_ud2", t_crash_ud2 },
    { "kill_sigkill", t_kill_sigkill },
    { "kill_sigterm", t_kill_sigterm },
    { "kill_errors", t_kill_errors },
    { "uname", t_uname },
    { "clock", t_clock },
    { "sched_yield", t_sched_yield },
    { "lseek_console", t_lseek_console },
    { "lseek_file", t_lseek_file },
    { "proc_meminfo", t_proc_meminfo },
    { "proc_maps", t_proc_maps },
    { "proc_status", t_proc_status },
    { "proc_uptime", t_proc_uptime },
    { "proc_dir", t_proc_dir },
    { "libc", t_libc },
    { "leak_check", t_leak_check },     /* keep last */
};

static void print_result(const char *name, int r)
{
    if (r == PASS)
        printf("usertests: %s ... ok\n", name);
    else if (r == SKIP)
        printf("usertests: %s ... skipped (%s)\n", name, reason);
    else
        printf("usertests: %s ... FAILED (%s)\n", name, reason);
}

/* One case in a child, which prints its own result line; returns the
 * verdict. Only a crash or a timeout is reported by us. */
static int run_case(const struct test *t)
{
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(reason, sizeof(reason), "fork: %s", errname(errno));
        print_result(t->name, FAIL_);
        return FAIL_;
    }
    if (pid == 0) {
        int r = t->fn();
        print_result(t->name, r);
        _exit(r);
    }
    long start = now_ms(), nap = 1;
    int st;
    for (;;) {
        long r = sys_waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0) {
            snprintf(reason, sizeof(reason), "waitpid: %s", rstr(r));
            print_result(t->name, FAIL_);
            return FAIL_;
        }
        if (now_ms() - start > CASE_TIMEOUT_MS) {
            sys_kill(pid, SIGKILL);
            sys_waitpid(pid, &st, 0);
            snprintf(reason, sizeof(reason), "timeout after %d s",
                     CASE_TIMEOUT_MS / 1000);
            print_result(t->name, FAIL_);
            return FAIL_;
        }
        sleep_ms(nap);
        if (nap < 50)
            nap *= 2;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) <= SKIP)
        return WEXITSTATUS(st);
    snprintf(reason, sizeof(reason), "case %s", describe(st));
    print_result(t->name, FAIL_);
    return FAIL_;
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return 1;
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    /* roles when exec'd by our own cases */
    if (argc >= 2 && !strcmp(argv[1], "--check-args"))
        return check_args(argc, argv, envp);
    if ((argc >= 2 && !strcmp(argv[1], "--exec-guard")) || getenv("USERTESTS_GUARD"))
        return 200;

    struct utsname u;
    on_ppsos = sys_uname(&u) == 0 && !strcmp(u.sysname, "ppsos");
    self_path = "/bin/usertests";
    long fd = sys_open(self_path, O_RDONLY, 0);
    if (fd >= 0)
        sys_close(fd);
    else
        self_path = argv[0];        /* on the host: where we were run from */
    static char dir[256];
    strlcpy(dir, argv[0], sizeof(dir));
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    argv0_dir = dir;

    for (int i = 1; i < argc; i++) {
        int known = 0;
        for (size_t j = 0; j < ARRAY_SIZE(tests); j++)
            known |= !strcmp(argv[i], tests[j].name);
        if (!known) {
            fprintf(STDERR_FILENO, "usertests: no case %s; cases:", argv[i]);
            for (size_t j = 0; j < ARRAY_SIZE(tests); j++)
                fprintf(STDERR_FILENO, " %s", tests[j].name);
            fprintf(STDERR_FILENO, "\n");
            return 2;
        }
    }

    printf("usertests: starting on %s\n", on_ppsos ? "ppsos" : u.sysname);
    if (on_ppsos)
        pretouch();
    have_before = snap(&before) == 0;

    int passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        const struct test *t = &tests[i];
        if (!selected(t->name, argc, argv))
            continue;
        int r;
        if (t->fn == t_leak_check) {    /* must see the main process */
            r = t->fn();
            print_result(t->name, r);
        } else {
            r = run_case(t);
        }
        if (r == PASS)
            passed++;
        else if (r == SKIP)
            skipped++;
        else
            failed++;
    }
    if (skipped)
        printf("usertests: %d passed, %d failed, %d skipped\n", passed, failed,
               skipped);
    else
        printf("usertests: %d passed, %d failed\n", passed, failed);
    if (!failed)
        printf("ALL TESTS PASSED\n");
    return failed ? 1 : 0;
}
