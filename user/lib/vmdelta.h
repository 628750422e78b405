/*
 * vmdelta.h: the growth of named /proc/vmstat counters over a run, for
 * a workload's summary ("NAME: vmstat cow_copy=123 pswpout=4567 ...").
 * A counter the kernel does not have reads as -1 before and after and is
 * left out of the line, so the same program runs on Linux and on older
 * ppsos kernels.
 */
#ifndef USER_VMDELTA_H
#define USER_VMDELTA_H

#include "ulib.h"

#define VMDELTA_MAX 32

struct vmdelta {
    const char *const *names;
    unsigned n;                         /* at most VMDELTA_MAX */
    long before[VMDELTA_MAX];
};

/* Reads the counters now (the start of the run). */
void vmdelta_start(struct vmdelta *d, const char *const *names, unsigned n);
/* Prints "PROG: vmstat name=growth ..." for the counters present. */
void vmdelta_print(const struct vmdelta *d, const char *prog);

#endif
