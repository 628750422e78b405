/*
 * uapi/ppsos/mman.h: the flags of mmap, mprotect, mlockall and madvise,
 * shared by the kernel and user/lib. They are Linux's i386 ABI
 * (include/uapi/asm-generic/mman-common.h and mman.h).
 */
#ifndef UAPI_PPSOS_MMAN_H
#define UAPI_PPSOS_MMAN_H

#define PROT_NONE       0x0
#define PROT_READ       0x1
#define PROT_WRITE      0x2
#define PROT_EXEC       0x4

#define MAP_SHARED      0x01
#define MAP_PRIVATE     0x02
#define MAP_TYPE        0x0f    /* mask: exactly one of SHARED/PRIVATE */
#define MAP_FIXED       0x10
#define MAP_ANONYMOUS   0x20
#define MAP_GROWSDOWN   0x0100
#define MAP_DENYWRITE   0x0800
#define MAP_EXECUTABLE  0x1000
#define MAP_LOCKED      0x2000
#define MAP_NORESERVE   0x4000
#define MAP_POPULATE    0x8000
#define MAP_NONBLOCK    0x10000
#define MAP_STACK       0x20000
#define MAP_FIXED_NOREPLACE 0x100000

/* mlockall (ppsos refuses MCL_ONFAULT: -EINVAL) */
#define MCL_CURRENT     1
#define MCL_FUTURE      2
#define MCL_ONFAULT     4

/* madvise, process_madvise */
#define MADV_NORMAL     0
#define MADV_RANDOM     1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED   3
#define MADV_DONTNEED   4
#define MADV_FREE       8
#define MADV_COLD       20
#define MADV_PAGEOUT    21

#endif
