/* usertests: fork, exec, wait, faults that kill, kill. */
#include "usertests.h"

/* ---------------------------------------------------------------------- */
/* fork, exec, wait                                                       */

static int fork_global = 1;

int t_fork_copy(void)
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

int t_fork_many(void)
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

int t_fork_exhaust(void)
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

int t_getpid(void)
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

int t_exec_missing(void)
{
    char *argv[] = { "x", NULL };
    TRY(exec_expect("/no/such/program", argv, argv + 1, ENOENT, 0, "missing file"));
    TRY(exec_expect("/bin/no-such-program", argv, argv + 1, ENOENT, 0, "missing file"));
    return PASS;
}

int t_exec_garbage(void)
{
    char *argv[] = { "garbage", NULL };
    return exec_expect(data_path("garbage.elf"), argv, argv + 1, ENOEXEC, 0,
                       data_path("garbage.elf"));
}

/* Program headers past the end of the file. (Linux 6.x: -ENOEXEC; older
 * kernels said -EIO.) */
int t_exec_truncated(void)
{
    char *argv[] = { "truncated", NULL };
    return exec_expect(data_path("truncated.elf"), argv, argv + 1, ENOEXEC, 0,
                       data_path("truncated.elf"));
}

int t_exec_notfile(void)
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

int check_args(int argc, char **argv, char **envp)
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

int t_exec_args(void)
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

int t_wait_errors(void)
{
    int st;
    EXPECT_ERR(sys_waitpid(-1, &st, 0), ECHILD);            /* no children */
    EXPECT_ERR(sys_waitpid(1, &st, 0), ECHILD);             /* init */
    EXPECT_ERR(sys_waitpid(getppid(), &st, 0), ECHILD);
    EXPECT_ERR(sys_waitpid(getpid(), &st, 0), ECHILD);
    EXPECT_ERR(sys_waitpid(-1, &st, WNOHANG), ECHILD);
    return PASS;
}

int t_wait_nohang(void)
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

int t_crash_null(void)
{
    TRY(expect_signal(crash_null, SIGSEGV, "write to NULL"));
    return expect_signal(crash_null_read, SIGSEGV, "read from NULL+4");
}

int t_crash_text(void)
{
    return expect_signal(crash_write_text, SIGSEGV, "write to text");
}

int t_crash_divzero(void)
{
    return expect_signal(crash_divzero, SIGFPE, "divide by zero");
}

int t_crash_privileged(void)
{
    TRY(expect_signal(crash_hlt, SIGSEGV, "hlt"));
    TRY(expect_signal(crash_cli, SIGSEGV, "cli"));
    TRY(expect_signal(crash_out, SIGSEGV, "outb"));
    TRY(expect_signal(crash_cr3, SIGSEGV, "mov to cr3"));
    return expect_signal(crash_int, SIGSEGV, "int $0x81");
}

int t_crash_kernel(void)
{
    TRY(expect_signal(crash_kjump, SIGSEGV, "jump to 0xC0100000"));
    TRY(expect_signal(crash_kread, SIGSEGV, "read 0xC0000000"));
    return expect_signal(crash_kwrite, SIGSEGV, "write 0xC0100000");
}

int t_crash_stack(void)
{
    return expect_signal(crash_stack, SIGSEGV, "unbounded recursion");
}

int t_crash_ud2(void)
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

int t_kill_sigkill(void) { return kill_sleeper(SIGKILL); }
int t_kill_sigterm(void) { return kill_sleeper(SIGTERM); }

int t_kill_errors(void)
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
