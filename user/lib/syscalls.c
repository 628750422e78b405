/*
 * syscalls.c: one raw wrapper per system call (sys_NAME, returns -errno)
 * and the libc-style wrapper over it (NAME, returns -1 and sets errno).
 */
#include "syscall.h"
#include <stdarg.h>

int errno;

#define S0(n)                 __syscall(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a)              __syscall(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b)           __syscall(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c)        __syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S5(n, a, b, c, d, e)  __syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(n, a, b, c, d, e, f) \
    __syscall(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* Turn a raw result into libc's convention. */
static long ret(long r)
{
    if (IS_ERR_VALUE(r)) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

/* ---- raw ---- */
long sys_exit(int status)
{
    for (;;)
        S1(__NR_exit, status);
}

long sys_exit_group(int status)
{
    S1(__NR_exit_group, status);
    for (;;)                        /* a kernel without exit_group */
        S1(__NR_exit, status);
}

long sys_fork(void)                             { return S0(__NR_fork); }
long sys_read(int fd, void *b, size_t n)        { return S3(__NR_read, fd, b, n); }
long sys_write(int fd, const void *b, size_t n) { return S3(__NR_write, fd, b, n); }
long sys_open(const char *p, int fl, int mode)  { return S3(__NR_open, p, fl, mode); }
long sys_close(int fd)                          { return S1(__NR_close, fd); }
long sys_waitpid(pid_t p, int *st, int opt)     { return S3(__NR_waitpid, p, st, opt); }
long sys_execve(const char *p, char *const a[], char *const e[])
{
    return S3(__NR_execve, p, a, e);
}
long sys_lseek(int fd, off_t off, int wh)       { return S3(__NR_lseek, fd, off, wh); }
long sys_ioctl(int fd, unsigned long cmd, void *arg) { return S3(__NR_ioctl, fd, cmd, arg); }
long sys_getpid(void)                           { return S0(__NR_getpid); }
long sys_getppid(void)                          { return S0(__NR_getppid); }
long sys_kill(pid_t p, int sig)                 { return S2(__NR_kill, p, sig); }
long sys_dup(int fd)                            { return S1(__NR_dup, fd); }
long sys_dup2(int o, int n)                     { return S2(__NR_dup2, o, n); }
long sys_brk(void *a)                           { return S1(__NR_brk, a); }
long sys_munmap(void *a, size_t len)            { return S2(__NR_munmap, a, len); }
long sys_uname(struct utsname *u)               { return S1(__NR_uname, u); }
long sys_mprotect(void *a, size_t len, int pr)  { return S3(__NR_mprotect, a, len, pr); }
long sys_mlock(const void *a, size_t len)       { return S2(__NR_mlock, a, len); }
long sys_munlock(const void *a, size_t len)     { return S2(__NR_munlock, a, len); }
long sys_mlockall(int flags)                    { return S1(__NR_mlockall, flags); }
long sys_munlockall(void)                       { return S0(__NR_munlockall); }
long sys_sched_yield(void)                      { return S0(__NR_sched_yield); }
long sys_sched_setaffinity(pid_t p, size_t len, const void *m)
{
    return S3(__NR_sched_setaffinity, p, len, m);
}
long sys_sched_getaffinity(pid_t p, size_t len, void *m)
{
    return S3(__NR_sched_getaffinity, p, len, m);
}
long sys_nanosleep(const struct timespec *q, struct timespec *r)
{
    return S2(__NR_nanosleep, q, r);
}
long sys_mmap2(void *a, size_t len, int prot, int flags, int fd, long pgoff)
{
    return S6(__NR_mmap2, a, len, prot, flags, fd, pgoff);
}
long sys_madvise(void *a, size_t len, int adv)  { return S3(__NR_madvise, a, len, adv); }
long sys_getdents64(int fd, void *b, size_t n)  { return S3(__NR_getdents64, fd, b, n); }
long sys_clock_gettime(clockid_t c, struct timespec *ts)
{
    return S2(__NR_clock_gettime, c, ts);
}
long sys_pidfd_open(pid_t pid, unsigned int flags)
{
    return S2(__NR_pidfd_open, pid, flags);
}

long sys_process_madvise(int pidfd, const struct iovec *iov, size_t vlen,
                         int advice, unsigned int flags)
{
    return S5(__NR_process_madvise, pidfd, iov, vlen, advice, flags);
}

long sys_clone(unsigned long flags, void *stack, int *ptid,
               struct user_desc *tls, int *ctid)
{
    return S5(__NR_clone, flags, stack, ptid, tls, ctid);
}
long sys_gettid(void)                           { return S0(__NR_gettid); }
long sys_tkill(pid_t tid, int sig)              { return S2(__NR_tkill, tid, sig); }
long sys_tgkill(pid_t tg, pid_t tid, int sig)   { return S3(__NR_tgkill, tg, tid, sig); }
long sys_futex(volatile uint32_t *uaddr, int op, uint32_t val,
               const struct timespec *timeout, volatile uint32_t *uaddr2,
               uint32_t val3)
{
    return S6(__NR_futex, uaddr, op, val, timeout, uaddr2, val3);
}
long sys_set_thread_area(struct user_desc *u)   { return S1(__NR_set_thread_area, u); }
long sys_get_thread_area(struct user_desc *u)   { return S1(__NR_get_thread_area, u); }
long sys_set_tid_address(int *tidptr)           { return S1(__NR_set_tid_address, tidptr); }

/* ---- libc style ---- */
void _exit(int status)                          { sys_exit_group(status); }
pid_t fork(void)                                { return ret(sys_fork()); }
ssize_t read(int fd, void *b, size_t n)         { return ret(sys_read(fd, b, n)); }
ssize_t write(int fd, const void *b, size_t n)  { return ret(sys_write(fd, b, n)); }
int close(int fd)                               { return ret(sys_close(fd)); }
pid_t waitpid(pid_t p, int *st, int opt)        { return ret(sys_waitpid(p, st, opt)); }
pid_t wait(int *st)                             { return waitpid(-1, st, 0); }
off_t lseek(int fd, off_t off, int wh)          { return ret(sys_lseek(fd, off, wh)); }
pid_t getpid(void)                              { return sys_getpid(); }
pid_t getppid(void)                             { return sys_getppid(); }
int kill(pid_t p, int sig)                      { return ret(sys_kill(p, sig)); }
int dup(int fd)                                 { return ret(sys_dup(fd)); }
int dup2(int o, int n)                          { return ret(sys_dup2(o, n)); }
int munmap(void *a, size_t len)                 { return ret(sys_munmap(a, len)); }
int uname(struct utsname *u)                    { return ret(sys_uname(u)); }
int mprotect(void *a, size_t len, int prot)     { return ret(sys_mprotect(a, len, prot)); }
int mlock(const void *a, size_t len)            { return ret(sys_mlock(a, len)); }
int munlock(const void *a, size_t len)          { return ret(sys_munlock(a, len)); }
int mlockall(int flags)                         { return ret(sys_mlockall(flags)); }
int munlockall(void)                            { return ret(sys_munlockall()); }
int sched_yield(void)                           { return ret(sys_sched_yield()); }
int madvise(void *a, size_t len, int adv)       { return ret(sys_madvise(a, len, adv)); }
int getdents64(int fd, void *b, size_t n)       { return ret(sys_getdents64(fd, b, n)); }
int ioctl(int fd, unsigned long cmd, void *arg) { return ret(sys_ioctl(fd, cmd, arg)); }

int isatty(int fd)
{
    struct termios t;
    return ioctl(fd, TCGETS, &t) == 0;
}

int clock_gettime(clockid_t c, struct timespec *ts)
{
    return ret(sys_clock_gettime(c, ts));
}
int sched_setaffinity(pid_t p, size_t len, const void *m)
{
    return ret(sys_sched_setaffinity(p, len, m));
}
int sched_getaffinity(pid_t p, size_t len, void *m)
{
    long n = ret(sys_sched_getaffinity(p, len, m));

    if (n < 0)
        return -1;
    for (size_t i = (size_t)n; i < len; i++)
        ((char *)m)[i] = 0;
    return 0;
}
int nanosleep(const struct timespec *q, struct timespec *r)
{
    return ret(sys_nanosleep(q, r));
}
int execve(const char *p, char *const a[], char *const e[])
{
    return ret(sys_execve(p, a, e));
}

int open(const char *path, int flags, ...)
{
    int mode = 0;
    if (flags & O_CREAT) {          /* the mode argument exists only then */
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    return ret(sys_open(path, flags, mode));
}

/* mmap goes through mmap2, whose offset is in pages. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (off & (PAGE_SIZE - 1)) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    long r = sys_mmap2(addr, len, prot, flags, fd, off / PAGE_SIZE);
    if (IS_ERR_VALUE(r)) {
        errno = (int)-r;
        return MAP_FAILED;
    }
    return (void *)r;
}

/* Linux's brk returns the new break, or the old one when it refuses. */
int brk(void *addr)
{
    if ((unsigned long)sys_brk(addr) != (unsigned long)addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* Ask the kernel for the break every time: tests move it behind our back. */
void *sbrk(long incr)
{
    unsigned long old = sys_brk(0);
    if (incr && brk((void *)(old + incr)) < 0)
        return (void *)-1;
    return (void *)old;
}
