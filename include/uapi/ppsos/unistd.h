/*
 * uapi/ppsos/unistd.h: the numbers of the system calls ppsos implements,
 * shared by the kernel's table (kernel/syscall.c) and user/lib's wrappers.
 * They are Linux's i386 ABI (arch/x86/entry/syscalls/syscall_32.tbl, as
 * asm/unistd_32.h names them); `int $0x80` takes the number in eax.
 * Plain #defines: usable from assembly too.
 */
#ifndef UAPI_PPSOS_UNISTD_H
#define UAPI_PPSOS_UNISTD_H

#define __NR_exit               1
#define __NR_fork               2
#define __NR_read               3
#define __NR_write              4
#define __NR_open               5
#define __NR_close              6
#define __NR_waitpid            7
#define __NR_execve             11
#define __NR_lseek              19
#define __NR_getpid             20
#define __NR_kill               37
#define __NR_dup                41
#define __NR_brk                45
#define __NR_ioctl              54
#define __NR_dup2               63
#define __NR_getppid            64
#define __NR_munmap             91
#define __NR_wait4              114
#define __NR_clone              120
#define __NR_uname              122
#define __NR_mprotect           125
#define __NR_mlock              150
#define __NR_munlock            151
#define __NR_mlockall           152
#define __NR_munlockall         153
#define __NR_sched_yield        158
#define __NR_nanosleep          162
#define __NR_mmap2              192
#define __NR_madvise            219
#define __NR_getdents64         220
#define __NR_gettid             224
#define __NR_tkill              238
#define __NR_futex              240
#define __NR_sched_setaffinity  241
#define __NR_sched_getaffinity  242
#define __NR_set_thread_area    243
#define __NR_get_thread_area    244
#define __NR_exit_group         252
#define __NR_set_tid_address    258
#define __NR_clock_gettime      265
#define __NR_tgkill             270
#define __NR_pidfd_open         434
#define __NR_process_madvise    440

#endif
