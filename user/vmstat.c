/* vmstat: memory, swap and PPS reclaim at a glance, like Linux's `vmstat 1`.
 *
 *   vmstat [-t] [SECONDS [COUNT]]
 *
 * No SECONDS: one line of totals since boot. With SECONDS: a line every
 * SECONDS (COUNT lines, or until killed); as in Linux the first line's
 * event columns count since boot, the later ones over the last interval.
 * -t adds the guest's time since boot in ms (the bench's sampler uses it
 * to place each line on a time axis).
 *
 * Columns (sources: /proc/PID/status, /proc/meminfo, /proc/vmstat):
 *   r        processes in state R (vmstat itself among them, as in Linux)
 *   free     MemFree, kB
 *   swpd     swap in use (SwapTotal - SwapFree), kB
 *   si so    pages read from / written to swap (pswpin, pswpout)
 *   flt maj  page faults, and those that waited for the disk (pgfault,
 *            pgmajfault)
 *   young old unmap slot written swapped
 *            PPS pages by the stage they wait to leave (mm/pps.h): present
 *            and young (1), present and old (2), unmapped without a swap
 *            slot (3), unmapped with a slot, still dirty (4), unmapped and
 *            written, clean (5), on swap only (6)
 *   legacy   pages of the legacy (clock-reclaimed) page system
 *   tlbipi   TLB-flush IPIs sent (tlb_ipi)
 * Gauges (free .. legacy but si/so) are the value at the moment of the
 * line. The times are the guest's own clock.
 *
 * Every line is formatted first and written with one write(), so a line
 * stays whole on a console other programs print to as well.
 */
#include "ulib.h"

#define USAGE "usage: vmstat [-t] [SECONDS [COUNT]]: SECONDS 1..3600 between lines, COUNT >= 1 lines (default: until killed); no SECONDS: one line since boot\n"

/* /proc/vmstat's event counters shown as per-interval deltas. */
enum { EV_PSWPIN, EV_PSWPOUT, EV_PGFAULT, EV_PGMAJFAULT, EV_TLB_IPI, NR_EV };
static const char *const ev_names[NR_EV] = { "pswpin", "pswpout", "pgfault", "pgmajfault",
                                             "tlb_ipi" };

struct sample {
    long running, free_kb, swpd_kb;
    long young, old, unmap, slot, written, swapped, legacy;    /* pages */
    long ev[NR_EV];
    long ms;                                /* guest time since boot */
};

static long now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        return 0;
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A meminfo field in pages (it is in kB); 0 if the kernel lacks it. */
static long pages(const char *mi, const char *name)
{
    long kb = text_field(mi, name, ':');
    return kb < 0 ? 0 : kb / 4;
}

/* Processes in state R: every numeric /proc entry's status file. */
static long running(void)
{
    int fd = open("/proc", O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    char buf[2048], path[48], text[1024];
    long n = 0;
    int got;
    while ((got = getdents64(fd, buf, sizeof(buf))) > 0) {
        for (int off = 0; off < got;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            off += d->d_reclen;
            if (!isdigit(d->d_name[0]))
                continue;
            snprintf(path, sizeof(path), "/proc/%s/status", d->d_name);
            if (read_file(path, text, sizeof(text)) < 0)
                continue;               /* exited meanwhile */
            const char *s = strstr(text, "State:");
            if (s) {
                s += 6;
                while (*s == ' ' || *s == '\t')
                    s++;
                n += *s == 'R';
            }
        }
    }
    close(fd);
    return n;
}

static int take(struct sample *s)
{
    static char mi[4096], vm[8192];
    long r = read_file("/proc/meminfo", mi, sizeof(mi));
    if (r < 0) {
        fprintf(STDERR_FILENO, "vmstat: /proc/meminfo: %s\n", strerror(-r));
        return -1;
    }
    r = read_file("/proc/vmstat", vm, sizeof(vm));
    if (r < 0) {
        fprintf(STDERR_FILENO, "vmstat: /proc/vmstat: %s\n", strerror(-r));
        return -1;
    }
    s->ms = now_ms();
    s->running = running();
    s->free_kb = text_field(mi, "MemFree", ':');
    long st = text_field(mi, "SwapTotal", ':'), sf = text_field(mi, "SwapFree", ':');
    s->swpd_kb = st >= 0 && sf >= 0 ? st - sf : 0;
    s->young = pages(mi, "PpsYoung");
    s->old = pages(mi, "PpsOld");
    s->unmap = pages(mi, "PpsUnmappedNoSlot");
    s->slot = pages(mi, "PpsUnmappedDirty");
    s->written = pages(mi, "PpsUnmappedClean");
    s->swapped = pages(mi, "PpsSwapped");
    s->legacy = pages(mi, "Legacy");
    for (int i = 0; i < NR_EV; i++) {
        long v = text_field(vm, ev_names[i], ' ');
        s->ev[i] = v < 0 ? 0 : v;
    }
    return 0;
}

static void header(int with_time)
{
    char line[192];
    int n = snprintf(line, sizeof(line),
                     " r    free    swpd     si     so     flt    maj  young    old  unmap"
                     "   slot written swapped legacy tlbipi%s\n", with_time ? "       ms" : "");
    write_all(STDOUT_FILENO, line, n);
}

/* One line: gauges from cur, events as cur - prev (prev NULL: since boot). */
static void show(const struct sample *cur, const struct sample *prev, int with_time)
{
    long ev[NR_EV];
    for (int i = 0; i < NR_EV; i++)
        ev[i] = cur->ev[i] - (prev ? prev->ev[i] : 0);
    char line[192], t[24] = "";
    if (with_time)
        snprintf(t, sizeof(t), " %8ld", cur->ms);
    int n = snprintf(line, sizeof(line),
                     "%2ld %7ld %7ld %6ld %6ld %7ld %6ld %6ld %6ld %6ld %6ld %7ld %7ld %6ld %6ld%s\n",
                     cur->running, cur->free_kb, cur->swpd_kb, ev[EV_PSWPIN], ev[EV_PSWPOUT],
                     ev[EV_PGFAULT], ev[EV_PGMAJFAULT], cur->young, cur->old, cur->unmap,
                     cur->slot, cur->written, cur->swapped, cur->legacy, ev[EV_TLB_IPI], t);
    write_all(STDOUT_FILENO, line, n);
}

/* A strict decimal in [min, max], or -1. */
static long number(const char *s, long min, long max)
{
    char *end;
    if (!isdigit(*s))
        return -1;
    long v = strtol(s, &end, 10);
    return *end || v < min || v > max ? -1 : v;
}

static int usage(void)
{
    fputs(USAGE, STDERR_FILENO);
    return 2;
}

int main(int argc, char **argv)
{
    int with_time = 0, i = 1;
    if (i < argc && !strcmp(argv[i], "-t")) {
        with_time = 1;
        i++;
    }
    if (argc - i > 2)
        return usage();
    long secs = 0, count = -1;
    if (i < argc && (secs = number(argv[i++], 1, 3600)) < 0)
        return usage();
    if (i < argc && (count = number(argv[i++], 1, 1000000000)) < 0)
        return usage();

    struct sample prev, cur;
    if (take(&cur) < 0)
        return 1;
    header(with_time);
    show(&cur, NULL, with_time);
    if (!secs)
        return 0;
    /* Lines at fixed times from the first, so the time it takes to read
     * /proc (longer under memory pressure) does not pile up as drift. */
    long start = cur.ms;
    for (long k = 1; count < 0 || k < count; k++) {
        prev = cur;
        long wait = start + k * secs * 1000 - now_ms();
        if (wait > 0)
            usleep((unsigned long)wait * 1000);
        if (take(&cur) < 0)
            return 1;
        show(&cur, &prev, with_time);
    }
    return 0;
}
