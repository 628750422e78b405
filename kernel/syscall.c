/*
 * The system call table and dispatcher (see syscall.h). Runs in the
 * calling process's thread with interrupts on; handlers may sleep.
 */
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <arch/x86/trap.h>

/* Linux i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
static const syscall_fn table[] = {
	[1] = sys_exit,
	[2] = sys_fork,
	[3] = sys_read,
	[4] = sys_write,
	[5] = sys_open,
	[6] = sys_close,
	[7] = sys_waitpid,
	[11] = sys_execve,
	[19] = sys_lseek,
	[20] = sys_getpid,
	[37] = sys_kill,
	[41] = sys_dup,
	[45] = sys_brk,
	[63] = sys_dup2,
	[64] = sys_getppid,
	[91] = sys_munmap,
	[122] = sys_uname,
	[125] = sys_mprotect,
	[150] = sys_mlock,
	[151] = sys_munlock,
	[152] = sys_mlockall,
	[153] = sys_munlockall,
	[158] = sys_sched_yield,
	[162] = sys_nanosleep,
	[192] = sys_mmap2,
	[219] = sys_madvise,
	[220] = sys_getdents64,
	[252] = sys_exit_group,
	[265] = sys_clock_gettime,
	[434] = sys_pidfd_open,
	[440] = sys_process_madvise,
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
