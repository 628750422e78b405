/*
 * System calls: Linux's i386 ABI. `int 0x80` with the number in eax and
 * the arguments in ebx, ecx, edx, esi, edi; the result, or -errno, in eax.
 * Numbers are Linux's (include/uapi/ppsos/unistd.h, shared with user/lib),
 * so a static i386 program that uses only these calls runs unchanged here
 * and on Linux.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <kernel/types.h>

struct trapframe;
void syscall_dispatch(struct trapframe *tf);

/* Every handler takes the five argument registers as u32. */
#define SYSCALL_ARGS u32 a1, u32 a2, u32 a3, u32 a4, u32 a5
typedef long (*syscall_fn)(SYSCALL_ARGS);

#define SYSCALL_DECL(name) long sys_##name(SYSCALL_ARGS)

SYSCALL_DECL(exit); SYSCALL_DECL(exit_group); SYSCALL_DECL(fork); SYSCALL_DECL(read);
SYSCALL_DECL(write); SYSCALL_DECL(open); SYSCALL_DECL(close); SYSCALL_DECL(waitpid); SYSCALL_DECL(wait4);
SYSCALL_DECL(execve); SYSCALL_DECL(lseek); SYSCALL_DECL(ioctl); SYSCALL_DECL(getpid); SYSCALL_DECL(kill);
SYSCALL_DECL(dup); SYSCALL_DECL(brk); SYSCALL_DECL(dup2); SYSCALL_DECL(getppid);
SYSCALL_DECL(munmap); SYSCALL_DECL(uname); SYSCALL_DECL(mprotect); SYSCALL_DECL(mlock);
SYSCALL_DECL(munlock); SYSCALL_DECL(mlockall); SYSCALL_DECL(munlockall);
SYSCALL_DECL(sched_yield); SYSCALL_DECL(nanosleep);
SYSCALL_DECL(mmap2); SYSCALL_DECL(madvise); SYSCALL_DECL(getdents64);
SYSCALL_DECL(clock_gettime); SYSCALL_DECL(pidfd_open); SYSCALL_DECL(process_madvise);
SYSCALL_DECL(futex); SYSCALL_DECL(set_thread_area); SYSCALL_DECL(get_thread_area);
/* threads (kernel/clone.c, kernel/exit.c) */
SYSCALL_DECL(clone); SYSCALL_DECL(gettid); SYSCALL_DECL(set_tid_address);
SYSCALL_DECL(tkill); SYSCALL_DECL(tgkill);
SYSCALL_DECL(sched_setaffinity); SYSCALL_DECL(sched_getaffinity);

#endif
