/*
 * wl_trace.h: the page trace of the host build of the workloads
 * (tools/replay/, -DWL_TRACE): workload.c calls these where it maps a
 * region, counts a page access and unmaps it. See wl_trace.c.
 */
#ifndef WL_TRACE_H
#define WL_TRACE_H

struct wl_region;

/* Opens the trace file of region r if the environment names one. */
void wl_trace_open(const struct wl_region *r);
/* Appends page index i (one access of wl_read or wl_write). */
void wl_trace_page(const struct wl_region *r, uint32_t i);
/* Flushes and closes it; exits 2 if the file could not be written. */
void wl_trace_close(const struct wl_region *r);

#endif
