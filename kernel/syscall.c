/*
 * The system call table and dispatcher (see syscall.h). Runs in the
 * calling process's thread with interrupts on; handlers may sleep.
 */
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <arch/x86/trap.h>
#include <uapi/ppsos/unistd.h>

/* Indexed by Linux's i386 numbers; a gap is -ENOSYS. */
static const syscall_fn table[] = {
	[__NR_exit] = sys_exit,
	[__NR_fork] = sys_fork,
	[__NR_read] = sys_read,
	[__NR_write] = sys_write,
	[__NR_open] = sys_open,
	[__NR_close] = sys_close,
	[__NR_waitpid] = sys_waitpid,
	[__NR_wait4] = sys_wait4,
	[__NR_execve] = sys_execve,
	[__NR_lseek] = sys_lseek,
	[__NR_getpid] = sys_getpid,
	[__NR_kill] = sys_kill,
	[__NR_ioctl] = sys_ioctl,
	[__NR_dup] = sys_dup,
	[__NR_brk] = sys_brk,
	[__NR_dup2] = sys_dup2,
	[__NR_getppid] = sys_getppid,
	[__NR_munmap] = sys_munmap,
	[__NR_clone] = sys_clone,
	[__NR_uname] = sys_uname,
	[__NR_mprotect] = sys_mprotect,
	[__NR_mlock] = sys_mlock,
	[__NR_munlock] = sys_munlock,
	[__NR_mlockall] = sys_mlockall,
	[__NR_munlockall] = sys_munlockall,
	[__NR_sched_yield] = sys_sched_yield,
	[__NR_nanosleep] = sys_nanosleep,
	[__NR_mmap2] = sys_mmap2,
	[__NR_madvise] = sys_madvise,
	[__NR_getdents64] = sys_getdents64,
	[__NR_gettid] = sys_gettid,
	[__NR_tkill] = sys_tkill,
	[__NR_exit_group] = sys_exit_group,
	[__NR_set_tid_address] = sys_set_tid_address,
	[__NR_clock_gettime] = sys_clock_gettime,
	[__NR_tgkill] = sys_tgkill,
	[__NR_pidfd_open] = sys_pidfd_open,
	[__NR_process_madvise] = sys_process_madvise,
	[__NR_futex] = sys_futex,
	[__NR_set_thread_area] = sys_set_thread_area,
	[__NR_get_thread_area] = sys_get_thread_area,
	[__NR_sched_setaffinity] = sys_sched_setaffinity,
	[__NR_sched_getaffinity] = sys_sched_getaffinity,
};

void syscall_dispatch(struct trapframe *tf)
{
	u32 nr = tf->eax;

	if (nr >= ARRAY_SIZE(table) || !table[nr]) {
		tf->eax = -ENOSYS;
		return;
	}
	tf->eax = (u32)table[nr](tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi);
}
