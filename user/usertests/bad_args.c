/* usertests: bad user pointers, bad descriptors, flags and numbers, and the small calls. */
#include "usertests.h"

/* ---------------------------------------------------------------------- */
/* bad user pointers: -EFAULT, and the process goes on                    */

int t_read_badptr(void)
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

int t_write_badptr(void)
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

int t_open_badptr(void)
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
int exec_expect(const char *path, char *const argv[], char *const envp[],
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

int t_execve_badptr(void)
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

int t_waitpid_badptr(void)
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

int t_time_badptr(void)
{
    EXPECT_ERR(sys_nanosleep(NULL, NULL), EFAULT);
    EXPECT_ERR(sys_nanosleep(KERNEL_ADDR, NULL), EFAULT);
    EXPECT_ERR(sys_nanosleep(hole(), NULL), EFAULT);
    EXPECT_ERR(sys_clock_gettime(CLOCK_MONOTONIC, NULL), EFAULT);
    EXPECT_ERR(sys_clock_gettime(CLOCK_REALTIME, KERNEL_ADDR), EFAULT);
    EXPECT_ERR(sys_clock_gettime(CLOCK_MONOTONIC, WRAP_ADDR), EFAULT);
    return PASS;
}

int t_uname_badptr(void)
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

int t_getdents_badptr(void)
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

int t_bad_fds(void)
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

int t_dup(void)
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

int t_open_errors(void)
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

int t_bad_args(void)
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

int t_nosys(void)
{
    EXPECT_ERR(__syscall(9999, 0, 0, 0, 0, 0, 0), ENOSYS);
    EXPECT_ERR(__syscall(-1, 0, 0, 0, 0, 0, 0), ENOSYS);
    EXPECT_ERR(__syscall(0x7fffffff, 0, 0, 0, 0, 0, 0), ENOSYS);
    return PASS;
}

/* ---------------------------------------------------------------------- */
/* misc syscalls                                                          */

int t_uname(void)
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

int t_clock(void)
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

int t_sched_yield(void)
{
    for (int i = 0; i < 100; i++)
        EXPECT_EQ(sys_sched_yield(), 0);
    return PASS;
}

int t_lseek_console(void)
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

/* ioctl(TCGETS), what isatty asks: the console answers, no other file
 * is a terminal (ENOTTY), a bad fd is EBADF, a bad buffer EFAULT. */
int t_tty_ioctl(void)
{
    struct termios t;
    const char *files[] = { self_path, "/proc/meminfo" };
    for (unsigned i = 0; i < ARRAY_SIZE(files); i++) {
        long fd = sys_open(files[i], O_RDONLY, 0);
        CHECK(fd >= 0, "open %s: %s", files[i], rstr(fd));
        EXPECT_ERR(sys_ioctl(fd, TCGETS, &t), ENOTTY);
        errno = 0;
        CHECK(isatty(fd) == 0 && errno == ENOTTY, "isatty(%s) = 1 or errno %s", files[i],
              errname(errno));
        sys_close(fd);
        EXPECT_ERR(sys_ioctl(fd, TCGETS, &t), EBADF);       /* closed */
    }
    EXPECT_ERR(sys_ioctl(-1, TCGETS, &t), EBADF);
    EXPECT_ERR(sys_ioctl(100000, TCGETS, &t), EBADF);
    errno = 0;
    CHECK(isatty(-1) == 0 && errno == EBADF, "isatty(-1): errno %s", errname(errno));

    long fd = sys_open("/dev/console", O_RDONLY | O_NOCTTY, 0);
    if (fd < 0 && !on_ppsos)
        SKIPPED("linux: /dev/console: %s", rstr(fd));
    CHECK(fd >= 0, "open /dev/console: %s", rstr(fd));
    memset(&t, 0xa5, sizeof(t));
    EXPECT_EQ(sys_ioctl(fd, TCGETS, &t), 0);
    EXPECT_EQ(isatty(fd), 1);
    /* ppsos's console: canonical with echo, Backspace erases */
    CHECK(!on_ppsos || ((t.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO) &&
                        t.c_cc[VERASE] == 0x7f && t.c_cc[VEOF] == 4),
          "console termios: lflag 0x%x erase 0x%x eof 0x%x", t.c_lflag, t.c_cc[VERASE],
          t.c_cc[VEOF]);
    EXPECT_ERR(sys_ioctl(fd, TCGETS, NULL), EFAULT);
    EXPECT_ERR(sys_ioctl(fd, TCGETS, KERNEL_ADDR), EFAULT);
    EXPECT_ERR(sys_ioctl(fd, TCGETS, WRAP_ADDR), EFAULT);
    EXPECT_ERR(sys_ioctl(fd, TCGETS, hole()), EFAULT);
    /* a command the console does not know (Linux: ENOTTY too, from its
     * tty layer; the exact number may mean something there) */
    if (on_ppsos)
        EXPECT_ERR(sys_ioctl(fd, 0x5499, &t), ENOTTY);
    sys_close(fd);
    return PASS;
}

int t_lseek_file(void)
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
