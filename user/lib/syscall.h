/*
 * syscall.h: the Linux i386 user ABI as ppsos speaks it: syscall numbers,
 * errno values, flags, signal numbers and the structures the syscalls take.
 * The numbers come from include/uapi/ppsos/, which the kernel shares; this
 * file adds libc's own names (MAP_FAILED, NSIG, ...), the types and the
 * wrappers. Every value is Linux's own, so a program built against this
 * header runs unchanged on Linux and on ppsos.
 *
 * Two flavours of each call:
 *   sys_NAME(...)  the raw trap: returns the kernel's value, -errno on failure
 *                  (usertests use these to check error codes exactly);
 *   NAME(...)      libc style: -1 and errno set on failure.
 */
#ifndef USER_SYSCALL_H
#define USER_SYSCALL_H

#include <stddef.h>
#include <stdint.h>
#include <uapi/ppsos/dirent.h>
#include <uapi/ppsos/errno.h>
#include <uapi/ppsos/fcntl.h>
#include <uapi/ppsos/futex.h>
#include <uapi/ppsos/ldt.h>
#include <uapi/ppsos/mman.h>
#include <uapi/ppsos/sched.h>
#include <uapi/ppsos/signal.h>
#include <uapi/ppsos/termios.h>
#include <uapi/ppsos/time.h>
#include <uapi/ppsos/unistd.h>
#include <uapi/ppsos/utsname.h>
#include <uapi/ppsos/wait.h>

typedef int ssize_t;
typedef int pid_t;
typedef long off_t;
typedef unsigned int mode_t;
typedef int clockid_t;

/* ---- errno ---- */
#define MAX_ERRNO 4095

extern int errno;

/* ---- mmap ---- */
#define MAP_ANON      MAP_ANONYMOUS
#define MAP_FAILED    ((void *)-1)

#define PAGE_SIZE 4096u

/* ---- signals ---- */
#define NSIG (_NSIG + 1)        /* glibc's: one more than the highest signal */

struct iovec {
    void *iov_base;
    size_t iov_len;
};

/* The one trap into the kernel (syscall.S): eax=n, ebx..ebp=a1..a6. */
long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

/* ---- raw calls: return -errno on failure ---- */
long sys_exit(int status) __attribute__((noreturn));
long sys_exit_group(int status) __attribute__((noreturn));
long sys_fork(void);
long sys_read(int fd, void *buf, size_t n);
long sys_write(int fd, const void *buf, size_t n);
long sys_open(const char *path, int flags, int mode);
long sys_close(int fd);
long sys_waitpid(pid_t pid, int *status, int options);
long sys_execve(const char *path, char *const argv[], char *const envp[]);
long sys_lseek(int fd, off_t off, int whence);
long sys_ioctl(int fd, unsigned long cmd, void *arg);
long sys_getpid(void);
long sys_getppid(void);
long sys_kill(pid_t pid, int sig);
long sys_dup(int fd);
long sys_dup2(int oldfd, int newfd);
long sys_brk(void *addr);           /* returns the (new or unchanged) break */
long sys_munmap(void *addr, size_t len);
long sys_uname(struct utsname *u);
long sys_mprotect(void *addr, size_t len, int prot);
long sys_mlock(const void *addr, size_t len);
long sys_munlock(const void *addr, size_t len);
long sys_mlockall(int flags);
long sys_munlockall(void);
long sys_sched_yield(void);
long sys_nanosleep(const struct timespec *req, struct timespec *rem);
long sys_sched_setaffinity(pid_t pid, size_t len, const void *mask);
long sys_sched_getaffinity(pid_t pid, size_t len, void *mask);
long sys_mmap2(void *addr, size_t len, int prot, int flags, int fd, long pgoff);
long sys_madvise(void *addr, size_t len, int advice);
long sys_getdents64(int fd, void *buf, size_t n);
long sys_clock_gettime(clockid_t clk, struct timespec *ts);
long sys_pidfd_open(pid_t pid, unsigned int flags);
long sys_process_madvise(int pidfd, const struct iovec *iov, size_t vlen,
                         int advice, unsigned int flags);
/* Threads (thread.h builds on these). sys_clone is the plain trap: the
 * child returns from it on the stack it was given, so from C it is only
 * safe with stack == NULL (a fork-like child on a copy of the parent's
 * stack); thread_create uses its own assembly entry (clone.S). */
long sys_clone(unsigned long flags, void *stack, int *parent_tid,
               struct user_desc *tls, int *child_tid);
long sys_gettid(void);
long sys_tkill(pid_t tid, int sig);
long sys_tgkill(pid_t tgid, pid_t tid, int sig);
long sys_futex(volatile uint32_t *uaddr, int op, uint32_t val,
               const struct timespec *timeout, volatile uint32_t *uaddr2,
               uint32_t val3);
long sys_set_thread_area(struct user_desc *u);
long sys_get_thread_area(struct user_desc *u);
long sys_set_tid_address(int *tidptr);

/* True when a raw return value is an error code (addresses above 3 GiB
 * are not: only -1..-4095 are errors, as in Linux). */
#define IS_ERR_VALUE(r) ((unsigned long)(r) >= (unsigned long)-MAX_ERRNO)

/* ---- libc-style calls: -1 and errno on failure ---- */
void _exit(int status) __attribute__((noreturn));
pid_t fork(void);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int open(const char *path, int flags, ...);
int close(int fd);
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait(int *status);
int execve(const char *path, char *const argv[], char *const envp[]);
off_t lseek(int fd, off_t off, int whence);
int ioctl(int fd, unsigned long cmd, void *arg);
/* 1 if fd is a terminal (TCGETS succeeds), else 0 with errno set (ENOTTY,
 * EBADF), as POSIX's. */
int isatty(int fd);
pid_t getpid(void);
pid_t getppid(void);
int kill(pid_t pid, int sig);
int dup(int fd);
int dup2(int oldfd, int newfd);
int brk(void *addr);                /* 0, or -1 with ENOMEM */
void *sbrk(long incr);              /* old break, or (void *)-1 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int uname(struct utsname *u);
int mprotect(void *addr, size_t len, int prot);
int mlock(const void *addr, size_t len);
int munlock(const void *addr, size_t len);
int mlockall(int flags);
int munlockall(void);
int sched_yield(void);
int nanosleep(const struct timespec *req, struct timespec *rem);
/* As glibc's: mask is len bytes, bit n = CPU n; getaffinity clears what the
 * kernel did not write and returns 0. */
int sched_setaffinity(pid_t pid, size_t len, const void *mask);
int sched_getaffinity(pid_t pid, size_t len, void *mask);
int madvise(void *addr, size_t len, int advice);
int getdents64(int fd, void *buf, size_t n);
int clock_gettime(clockid_t clk, struct timespec *ts);

#endif
