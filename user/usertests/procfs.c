/* usertests: /proc: meminfo, vmstat, status, maps, uptime, the directories. */
#include "usertests.h"

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

int t_proc_meminfo(void)
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

int t_proc_maps(void)
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

int t_proc_status(void)
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
int t_proc_uptime(void)
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

int t_proc_dir(void)
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
