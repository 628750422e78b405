/*
 * wl_trace.c: writes the page trace of the host build of the workloads,
 * the input of replay.c.
 *
 * The environment variable WL_TRACE names the file; unset or empty, no
 * trace is written (the host run is then only a self-check). A region
 * whose name ends in "[I]" (multithrash's child I: "multithrash[2]")
 * writes to "$WL_TRACE.I", so each process has its own file; any other
 * region writes to "$WL_TRACE" itself. The file is truncated when the
 * region is mapped.
 *
 * Format: one record per page access that wl_read or wl_write makes
 * (the fill, the pattern and the final check: exactly what the program's
 * accesses= counts), the page's index in the region as a little-endian
 * uint32. Records go through a 1 MiB stdio buffer. One traced region per
 * process (every workload maps one); a second one is an error.
 *
 * A child that exits without wl_unmap (multithrash's corrupt path) still
 * gets its records: exit() flushes stdio streams.
 */
#include "workload.h"
#include "wl_trace.h"

static FILE *trace_f;
static const struct wl_region *trace_r;
static char trace_path[4096];
static char trace_buf[1 << 20];

static void die(const char *what)
{
    dprintf(STDERR_FILENO, "wl_trace: %s %s: %s\n", what, trace_path,
            strerror(errno));
    exit(WL_EXIT_USAGE);
}

void wl_trace_open(const struct wl_region *r)
{
    const char *base = getenv("WL_TRACE");
    if (!base || !*base)
        return;
    if (trace_f) {
        dprintf(STDERR_FILENO, "wl_trace: %s: a second region in one "
                "process is not supported\n", r->name);
        exit(WL_EXIT_USAGE);
    }
    /* "name[I]" -> suffix ".I" */
    const char *lb = strrchr(r->name, '[');
    size_t n = strlen(r->name);
    int len;
    if (lb && n > 0 && r->name[n - 1] == ']' && lb + 1 < r->name + n - 1)
        len = snprintf(trace_path, sizeof(trace_path), "%s.%.*s", base,
                       (int)(r->name + n - 1 - (lb + 1)), lb + 1);
    else
        len = snprintf(trace_path, sizeof(trace_path), "%s", base);
    if (len < 0 || (size_t)len >= sizeof(trace_path)) {
        dprintf(STDERR_FILENO, "wl_trace: WL_TRACE is too long\n");
        exit(WL_EXIT_USAGE);
    }
    trace_f = fopen(trace_path, "wb");
    if (!trace_f)
        die("cannot create");
    setvbuf(trace_f, trace_buf, _IOFBF, sizeof(trace_buf));
    trace_r = r;
}

void wl_trace_page(const struct wl_region *r, uint32_t i)
{
    if (!trace_f || r != trace_r)
        return;
    unsigned char b[4] = { (unsigned char)i, (unsigned char)(i >> 8),
                           (unsigned char)(i >> 16), (unsigned char)(i >> 24) };
    if (fwrite(b, 1, 4, trace_f) != 4)
        die("cannot write");
}

void wl_trace_close(const struct wl_region *r)
{
    if (!trace_f || r != trace_r)
        return;
    if (fclose(trace_f))
        die("cannot write");
    trace_f = NULL;
    trace_r = NULL;
}
