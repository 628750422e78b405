/* ps: list processes. Walks /proc with getdents64 and reads the Linux-style
 * /proc/PID/status of each numeric entry (Name, State, Pid, PPid, Threads,
 * VmSize, VmRSS). Kernel threads have no Vm* lines: their sizes print as 0. */
#include "ulib.h"

#define MAXPROCS 1024

/* The value after "Key:" in a status file, or NULL. */
static const char *field(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
        if (!strncmp(p, key, n) && p[n] == ':') {
            p += n + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            return p;
        }
    }
    return NULL;
}

static unsigned long num_field(const char *text, const char *key)
{
    const char *v = field(text, key);
    return v ? strtoul(v, NULL, 10) : 0;
}

static void show(int pid)
{
    char path[64], text[2048];
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    if (read_file(path, text, sizeof(text)) < 0)
        return;                     /* exited while we looked */
    char name[32] = "?", state[2] = "?";
    const char *v = field(text, "Name");
    if (v) {
        size_t n = 0;
        while (v[n] && v[n] != '\n' && n < sizeof(name) - 1)
            n++;
        memcpy(name, v, n);
        name[n] = 0;
    }
    v = field(text, "State");
    if (v && *v && *v != '\n')
        state[0] = *v;
    printf("%5lu %5lu %-5s %3lu %8lu %7lu %s\n", num_field(text, "Pid"),
           num_field(text, "PPid"), state, num_field(text, "Threads"), num_field(text, "VmSize"),
           num_field(text, "VmRSS"), name);
}

int main(void)
{
    static int pids[MAXPROCS];
    int npids = 0;
    int fd = open("/proc", O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        fprintf(STDERR_FILENO, "ps: /proc: %s\n", strerror(errno));
        return 1;
    }
    char buf[4096];
    int n;
    while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
        for (int off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            off += d->d_reclen;
            char *end;
            long pid = strtol(d->d_name, &end, 10);
            if (isdigit(d->d_name[0]) && !*end && npids < MAXPROCS)
                pids[npids++] = pid;
        }
    }
    close(fd);
    /* insertion sort: a few dozen entries at most */
    for (int i = 1; i < npids; i++)
        for (int j = i; j > 0 && pids[j - 1] > pids[j]; j--) {
            int t = pids[j];
            pids[j] = pids[j - 1];
            pids[j - 1] = t;
        }
    printf("  PID  PPID STATE THR  VSZ(kB) RSS(kB) NAME\n");
    for (int i = 0; i < npids; i++)
        show(pids[i]);
    return 0;
}
