/* usertests: the helpers every case uses (see usertests.h). */
#include "usertests.h"

char reason[512];
int on_ppsos;                   /* uname says "ppsos"; else assume Linux */
const char *self_path;          /* this program, for reading and exec */
const char *argv0_dir;          /* to find user/data from a build tree */

/* A raw result for messages: "-EFAULT", or the number. */
const char *rstr(long r)
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

long now_ms(void)
{
    struct timespec ts = { 0, 0 };
    sys_clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    sys_nanosleep(&ts, NULL);
}

void *map_pages(size_t n)
{
    void *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* An address with nothing mapped at it (use it before the next mmap). */
void *hole(void)
{
    void *p = map_pages(1);
    if (p)
        munmap(p, PG);
    return p ? p : (void *)0x10000;
}

/* A fixture from user/data: /data/NAME in the initrd, or the source tree
 * when run on the host (from the repository, or found from argv[0]). */
const char *data_path(const char *name)
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
int in_child(void (*fn)(void))
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

const char *describe(int st)
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
int expect_signal(void (*fn)(void), int sig, const char *what)
{
    int st = in_child(fn);
    CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig,
          "%s: child %s, want signal %d", what, describe(st), sig);
    return PASS;
}

/* Touch one byte of fault_addr in a child: it must die of SIGSEGV. */
volatile char *fault_addr;
static void do_read(void) { (void)*fault_addr; }
static void do_write(void) { *fault_addr = 1; }

int expect_fault(void *addr, int write, const char *what)
{
    fault_addr = addr;
    return expect_signal(write ? do_write : do_read, SIGSEGV, what);
}

/* A child that sleeps until it is killed. */
pid_t sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            sleep_ms(1000);
    }
    return pid;
}
