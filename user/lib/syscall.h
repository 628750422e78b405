/*
 * syscall.h: the Linux i386 user ABI as ppsos speaks it: syscall numbers,
 * errno values, flags, signal numbers and the structures the syscalls take.
 * Every value here is Linux's own, so a program built against this header
 * runs unchanged on Linux and on ppsos.
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

typedef int ssize_t;
typedef int pid_t;
typedef long off_t;
typedef unsigned int mode_t;
typedef int clockid_t;

/* ---- syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl) ---- */
#define SYS_exit            1
#define SYS_fork            2
#define SYS_read            3
#define SYS_write           4
#define SYS_open            5
#define SYS_close           6
#define SYS_waitpid         7
#define SYS_execve          11
#define SYS_lseek           19
#define SYS_getpid          20
#define SYS_kill            37
#define SYS_dup             41
#define SYS_brk             45
#define SYS_dup2            63
#define SYS_getppid         64
#define SYS_munmap          91
#define SYS_uname           122
#define SYS_mprotect        125
#define SYS_mlock           150
#define SYS_munlock         151
#define SYS_mlockall        152
#define SYS_munlockall      153
#define SYS_sched_yield     158
#define SYS_nanosleep       162
#define SYS_mmap2           192
#define SYS_madvise         219
#define SYS_getdents64      220
#define SYS_exit_group      252
#define SYS_clock_gettime   265
#define SYS_process_madvise 440

/* ---- errno (include/uapi/asm-generic/errno-base.h, errno.h) ---- */
#define EPERM    1
#define ENOENT   2
#define ESRCH    3
#define EINTR    4
#define EIO      5
#define ENXIO    6
#define E2BIG    7
#define ENOEXEC  8
#define EBADF    9
#define ECHILD  10
#define EAGAIN  11
#define ENOMEM  12
#define EACCES  13
#define EFAULT  14
#define EBUSY   16
#define EEXIST  17
#define EXDEV   18
#define ENODEV  19
#define ENOTDIR 20
#define EISDIR  21
#define EINVAL  22
#define ENFILE  23
#define EMFILE  24
#define ENOTTY  25
#define EFBIG   27
#define ENOSPC  28
#define ESPIPE  29
#define EROFS   30
#define EMLINK  31
#define EPIPE   32
#define EDOM    33
#define ERANGE  34
#define ENAMETOOLONG 36
#define ENOSYS  38
#define ENOTEMPTY 39
#define ELOOP   40
#define EOPNOTSUPP 95
#define MAX_ERRNO 4095

extern int errno;

/* ---- open(2) flags (octal, as in asm-generic/fcntl.h) ---- */
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_ACCMODE   03
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

/* ---- mmap / mprotect / madvise ---- */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_TYPE      0x0f          /* mask: exactly one of SHARED/PRIVATE */
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON      MAP_ANONYMOUS
#define MAP_GROWSDOWN 0x0100
#define MAP_LOCKED    0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE  0x8000
#define MAP_STACK     0x20000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_FAILED    ((void *)-1)

/* mlockall (MCL_ONFAULT is not supported: -EINVAL) */
#define MCL_CURRENT 1
#define MCL_FUTURE  2
#define MCL_ONFAULT 4

#define MADV_NORMAL     0
#define MADV_RANDOM     1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED   3
#define MADV_DONTNEED   4
#define MADV_FREE       8
#define MADV_COLD      20
#define MADV_PAGEOUT   21

#define PAGE_SIZE 4096u

/* ---- signals ---- */
#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define NSIG    65

/* ---- wait status, as the kernel encodes it ---- */
#define WNOHANG   1
#define WUNTRACED 2
#define WEXITSTATUS(s)  (((s) >> 8) & 0xff)
#define WTERMSIG(s)     ((s) & 0x7f)
#define WIFEXITED(s)    (WTERMSIG(s) == 0)
#define WIFSIGNALED(s)  (((signed char)(((s) & 0x7f) + 1) >> 1) > 0)
#define WCOREDUMP(s)    ((s) & 0x80)

/* ---- clocks ---- */
#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1

/* i386: time_t and long are 32 bits; this is the layout syscalls 162/265 use. */
struct timespec {
    long tv_sec;
    long tv_nsec;
};

/* struct new_utsname, what syscall 122 fills on i386: 6 fields of 65 chars. */
struct utsname {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
};

/* getdents64 record; d_reclen covers the name and padding to 8 bytes. */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
} __attribute__((packed));

#define DT_UNKNOWN 0
#define DT_CHR     2
#define DT_DIR     4
#define DT_REG     8

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
long sys_mmap2(void *addr, size_t len, int prot, int flags, int fd, long pgoff);
long sys_madvise(void *addr, size_t len, int advice);
long sys_getdents64(int fd, void *buf, size_t n);
long sys_clock_gettime(clockid_t clk, struct timespec *ts);
long sys_process_madvise(int pidfd, const struct iovec *iov, size_t vlen,
                         int advice, unsigned int flags);

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
int madvise(void *addr, size_t len, int advice);
int getdents64(int fd, void *buf, size_t n);
int clock_gettime(clockid_t clk, struct timespec *ts);

#endif
