/* free: memory and swap totals from /proc/meminfo, in KiB, like `free -k`.
 * used = total - free, so memory the kernel holds for itself (page tables,
 * its heap, caches) counts as used. */
#include "ulib.h"

/* "Name:   N kB" -> N, or -1 if the line is missing. */
static long meminfo(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; *p;) {
        if (!strncmp(p, name, n) && p[n] == ':')
            return strtol(p + n + 1, NULL, 10);
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return -1;
}

int main(void)
{
    static char text[8192];
    long r = read_file("/proc/meminfo", text, sizeof(text));
    if (r < 0) {
        fprintf(STDERR_FILENO, "free: /proc/meminfo: %s\n", strerror(-r));
        return 1;
    }
    long mt = meminfo(text, "MemTotal"), mf = meminfo(text, "MemFree");
    long st = meminfo(text, "SwapTotal"), sf = meminfo(text, "SwapFree");
    if (mt < 0 || mf < 0) {
        fprintf(STDERR_FILENO, "free: no MemTotal/MemFree in /proc/meminfo\n");
        return 1;
    }
    if (st < 0 || sf < 0)
        st = sf = 0;
    printf("%15s %11s %11s\n", "total", "used", "free");
    printf("Mem:  %9ld %11ld %11ld\n", mt, mt - mf, mf);
    printf("Swap: %9ld %11ld %11ld\n", st, st - sf, sf);
    return 0;
}
