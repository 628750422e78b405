/* progress.c: progress lines on a terminal (progress.h). */
#include "progress.h"

/* At most STRIDE_MAX ticks between two looks at the clock: a loop that
 * goes from fast ticks (resident pages, a microsecond) to slow ones
 * (swap-ins, a millisecond under TCG) is seen again within a second or
 * so; the fast ones pay one clock_gettime per STRIDE_MAX ticks. */
#define STRIDE_MIN 1u
#define STRIDE_MAX 1024u

uint32_t progress_countdown;            /* ticks until the next clock check */
static uint32_t stride;
static const char *p_name, *p_unit;
static uint64_t p_total;
static long t_start, t_check, t_next;   /* ms, CLOCK_MONOTONIC */
static long majflt_start;               /* -1: no pgmajfault counter */
static char vmtext[8192];

static long now_ms(void)
{
    struct timespec ts = { 0, 0 };
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static long majflt(void)
{
    long n = read_file("/proc/vmstat", vmtext, sizeof(vmtext));
    return n > 0 ? text_field(vmtext, "pgmajfault", ' ') : -1;
}

void progress_start(const char *name, uint64_t total, const char *unit)
{
    progress_countdown = 0;
    if (!isatty(STDOUT_FILENO))
        return;
    p_name = name;
    p_unit = unit;
    p_total = total;
    t_start = t_check = now_ms();
    t_next = t_start + PROGRESS_EVERY_MS;
    majflt_start = majflt();
    stride = STRIDE_MIN;
    progress_countdown = stride;
}

void progress_check(uint64_t done)
{
    long t = now_ms(), gap = t - t_check;
    t_check = t;
    if (gap < 250 && stride < STRIDE_MAX)
        stride *= 2;
    else if (gap > 1000 && stride > STRIDE_MIN)
        stride /= 2;
    progress_countdown = stride;
    if (t < t_next)
        return;
    t_next = t + PROGRESS_EVERY_MS;

    char line[160];
    int len = snprintf(line, sizeof(line), "%s: progress", p_name);
    if (p_total)
        len += snprintf(line + len, sizeof(line) - len, " %u%% (%llu/%llu %s)",
                        (unsigned)(done >= p_total ? 100 : done * 100 / p_total),
                        (unsigned long long)done, (unsigned long long)p_total, p_unit);
    else
        len += snprintf(line + len, sizeof(line) - len, " %llu %s",
                        (unsigned long long)done, p_unit);
    len += snprintf(line + len, sizeof(line) - len, ", %ld s", (t - t_start) / 1000);
    long m = majflt_start >= 0 ? majflt() : -1;
    if (m >= 0)
        snprintf(line + len, sizeof(line) - len, ", %ld major faults", m - majflt_start);
    printf("%s\n", line);
}
