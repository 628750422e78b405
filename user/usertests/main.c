/* usertests: the leak check, the list of cases, and main. */
#include "usertests.h"

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
    s->mem_free = text_field(text, "MemFree", ':');
    s->slab = text_field(text, "Slab", ':');
    return 0;
}

static struct memsnap before;
static int have_before;

/* Runs in the main process, after all the others. */
int t_leak_check(void)
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
    { "cow_fork_write", t_cow_fork_write },
    { "cow_munmap", t_cow_munmap },
    { "cow_mprotect", t_cow_mprotect },
    { "cow_swapped", t_cow_swapped },
    { "shm_fork", t_shm_fork },
    { "shm_mprotect", t_shm_mprotect },
    { "fork_exec_pps", t_fork_exec_pps },
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
    { "sched_affinity_errors", t_sched_affinity_errors },
    { "sched_affinity", t_sched_affinity },
    { "lseek_console", t_lseek_console },
    { "lseek_file", t_lseek_file },
    { "tty_ioctl", t_tty_ioctl },
    { "proc_meminfo", t_proc_meminfo },
    { "proc_maps", t_proc_maps },
    { "proc_status", t_proc_status },
    { "proc_uptime", t_proc_uptime },
    { "proc_stat", t_proc_stat },
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
