/*
 * host_ulib.h: what the memory-thrashing workloads (user/thrash.c,
 * seqscan.c, hotcold.c, phase.c, multithrash.c and user/lib/workload.c)
 * use of ppsos's ulib.h, on the host's libc, so that the very same sources
 * build for the host (x86-64 Linux) and write their page trace for the
 * OPT/LRU replay (replay.c, wl_trace.c).
 *
 * workload.h includes this instead of ulib.h when WL_HOST is defined
 * (the Makefile's host rule: -DWL_HOST -Itools/replay).
 *
 * Differences from ulib.h that matter:
 *   fprintf(fd, ...)   ulib's takes a file descriptor: mapped to dprintf.
 *                      So no code after this header may use stdio's
 *                      fprintf(FILE *, ...) (wl_trace.c writes with fwrite).
 *   sys_mmap2/munmap   raw calls returning -errno, on mmap/munmap.
 *   errname            glibc's strerrorname_np.
 * Word size does not change the access sequence: the PRNG and the page
 * indices are uint32_t, products are taken in uint64_t, and no value the
 * programs compute depends on sizeof(long) for the sizes they accept.
 */
#ifndef HOST_ULIB_H
#define HOST_ULIB_H

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PAGE_SIZE
#define PAGE_SIZE 4096u
#endif
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(r) ((unsigned long)(r) >= (unsigned long)-MAX_ERRNO)

/* ulib's fd-based fprintf. */
#define fprintf dprintf

static inline long sys_mmap2(void *addr, size_t len, int prot, int flags,
                             int fd, long pgoff)
{
    void *p = mmap(addr, len, prot, flags, fd, (off_t)pgoff * 4096);
    return p == MAP_FAILED ? -(long)errno : (long)p;
}

static inline long sys_munmap(void *addr, size_t len)
{
    return munmap(addr, len) ? -(long)errno : 0;
}

static inline const char *errname(int err)
{
    const char *s = strerrorname_np(err);
    return s ? s : "E?";
}

#endif
