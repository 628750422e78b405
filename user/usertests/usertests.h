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
#ifndef USERTESTS_H
#define USERTESTS_H

#include "ulib.h"

#define PG PAGE_SIZE
#define KERNEL_ADDR ((void *)0xC0000000)    /* first byte of kernel space */
#define WRAP_ADDR ((void *)0xFFFFFFF0)      /* range wraps past 4 GiB */
#define CASE_TIMEOUT_MS 180000

/* ---- the harness (harness.c) ---- */

enum { PASS = 0, FAIL_ = 1, SKIP = 2 };

extern char reason[512];
extern int on_ppsos;            /* uname says "ppsos"; else assume Linux */
extern const char *self_path;   /* this program, for reading and exec */
extern const char *argv0_dir;   /* to find user/data from a build tree */

#define FAIL(...) do { snprintf(reason, sizeof(reason), __VA_ARGS__); \
                       return FAIL_; } while (0)
#define SKIPPED(...) do { snprintf(reason, sizeof(reason), __VA_ARGS__); \
                          return SKIP; } while (0)
#define CHECK(cond, ...) do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)
/* A sub-check returning PASS/FAIL_/SKIP: pass failures up. */
#define TRY(x) do { int r_ = (x); if (r_ != PASS) return r_; } while (0)

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

extern volatile char *fault_addr;       /* for do_read and do_write */
const char *rstr(long r);
long now_ms(void);
void sleep_ms(long ms);
void *map_pages(size_t n);
void *hole(void);
const char *data_path(const char *name);
int in_child(void (*fn)(void));
const char *describe(int st);
int expect_signal(void (*fn)(void), int sig, const char *what);
int expect_fault(void *addr, int write, const char *what);
pid_t sleeper(void);
/* bad_args.c: execve must fail with err1 (or err2) and leave us intact */
int exec_expect(const char *path, char *const argv[], char *const envp[],
                int err1, int err2, const char *what);
/* process.c: in the program exec'd by t_exec_args, check what it got */
int check_args(int argc, char **argv, char **envp);

/* ---- the cases: int t_NAME(void) returns PASS, FAIL_ or SKIP ---- */
int t_read_badptr(void);
int t_write_badptr(void);
int t_open_badptr(void);
int t_execve_badptr(void);
int t_waitpid_badptr(void);
int t_time_badptr(void);
int t_uname_badptr(void);
int t_getdents_badptr(void);
int t_bad_fds(void);
int t_dup(void);
int t_open_errors(void);
int t_bad_args(void);
int t_nosys(void);
int t_uname(void);
int t_clock(void);
int t_sched_yield(void);
int t_sched_affinity_errors(void);
int t_sched_affinity(void);
int t_proc_stat(void);
int t_lseek_console(void);
int t_lseek_file(void);
int t_tty_ioctl(void);
int t_mmap_errors(void);
int t_munmap_errors(void);
int t_mmap_fixed_overlap(void);
int t_munmap_split(void);
int t_mprotect(void);
int t_mmap_many_pages(void);
int t_mlock(void);
int t_mlock_fork(void);
int t_mlockall(void);
int t_madvise_dontneed(void);
int t_madvise_pageout(void);
int t_pageout_syscall_args(void);
int t_pageout_fork(void);
int t_brk_grow(void);
int t_brk_shrink(void);
int t_brk_absurd(void);
int t_fork_copy(void);
int t_fork_many(void);
int t_fork_exhaust(void);
/* cow.c: copy-on-write fork, MAP_SHARED, back to PPS after exec */
int t_cow_fork_write(void);
int t_cow_munmap(void);
int t_cow_mprotect(void);
int t_cow_swapped(void);
int t_shm_fork(void);
int t_shm_mprotect(void);
int t_fork_exec_pps(void);
int t_getpid(void);
int t_exec_missing(void);
int t_exec_garbage(void);
int t_exec_truncated(void);
int t_exec_notfile(void);
int t_exec_args(void);
int t_wait_errors(void);
int t_wait_nohang(void);
int t_crash_null(void);
int t_crash_text(void);
int t_crash_divzero(void);
int t_crash_privileged(void);
int t_crash_kernel(void);
int t_crash_stack(void);
int t_crash_ud2(void);
int t_kill_sigkill(void);
int t_kill_sigterm(void);
int t_kill_errors(void);
int t_proc_meminfo(void);
int t_proc_maps(void);
int t_proc_status(void);
int t_proc_uptime(void);
int t_proc_dir(void);
int t_libc(void);
int t_leak_check(void);

#endif
