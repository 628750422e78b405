/* vmdelta.c: growth of /proc/vmstat counters (vmdelta.h). */
#include "vmdelta.h"

static char text[8192];

static void read_counters(const struct vmdelta *d, long *out)
{
    long n = read_file("/proc/vmstat", text, sizeof(text));
    for (unsigned i = 0; i < d->n; i++)
        out[i] = n > 0 ? text_field(text, d->names[i], ' ') : -1;
}

void vmdelta_start(struct vmdelta *d, const char *const *names, unsigned n)
{
    d->names = names;
    d->n = n < VMDELTA_MAX ? n : VMDELTA_MAX;
    read_counters(d, d->before);
}

void vmdelta_print(const struct vmdelta *d, const char *prog)
{
    long after[VMDELTA_MAX];
    char line[768];
    read_counters(d, after);
    int len = snprintf(line, sizeof(line), "%s: vmstat", prog);
    for (unsigned i = 0; i < d->n && len < (int)sizeof(line); i++)
        if (d->before[i] >= 0 && after[i] >= 0)
            len += snprintf(line + len, sizeof(line) - len, " %s=%ld", d->names[i],
                            after[i] - d->before[i]);
    printf("%s\n", line);
}
