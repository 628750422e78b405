/*
 * uapi/ppsos/sched.h: clone's flags (Linux's values), shared by the kernel
 * (kernel/clone.c) and user/lib. ppsos accepts the sets that fork and the
 * pthread_create of glibc and musl pass; anything else is -EINVAL.
 */
#ifndef UAPI_PPSOS_SCHED_H
#define UAPI_PPSOS_SCHED_H

#define CSIGNAL                 0x000000ff /* signal sent to the parent at exit */
#define CLONE_VM                0x00000100 /* share the address space */
#define CLONE_FS                0x00000200 /* share cwd and umask */
#define CLONE_FILES             0x00000400 /* share the file table */
#define CLONE_SIGHAND           0x00000800 /* share signal handlers */
#define CLONE_PTRACE            0x00002000
#define CLONE_VFORK             0x00004000
#define CLONE_PARENT            0x00008000
#define CLONE_THREAD            0x00010000 /* same thread group (process) */
#define CLONE_NEWNS             0x00020000
#define CLONE_SYSVSEM           0x00040000 /* share System V semaphore undo */
#define CLONE_SETTLS            0x00080000 /* esi: a struct user_desc for %gs */
#define CLONE_PARENT_SETTID     0x00100000 /* store the new TID at edx */
#define CLONE_CHILD_CLEARTID    0x00200000 /* clear and futex-wake edi at exit */
#define CLONE_DETACHED          0x00400000 /* ignored, as Linux does */
#define CLONE_UNTRACED          0x00800000
#define CLONE_CHILD_SETTID      0x01000000 /* store the new TID at edi, in the child */

/* sched_setaffinity/sched_getaffinity: a CPU mask of at most this many bits. */
#define PPSOS_CPU_SETSIZE 32

#endif
