/*
 * Small system calls about the process and the machine: getpid, getppid,
 * uname, sched_yield, nanosleep, clock_gettime.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <mm/uaccess.h>
#include <arch/x86/tsc.h>
#include <drivers/rtc.h>
#include <uapi/ppsos/time.h>
#include <uapi/ppsos/utsname.h>

static u32 boot_epoch;
extern u64 boot_tsc;

void time_init_wallclock(void)
{
	boot_epoch = rtc_read_epoch();
}

u32 boot_epoch_seconds(void)
{
	return boot_epoch;
}

long sys_getpid(u32 a1, u32 a2, u32 a3, u32 a4, u32 a5)
{
	return current_proc()->pid;
}

long sys_getppid(u32 a1, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct proc *p = current_proc();
	long ppid;

	spin_lock(&proc_lock);
	ppid = p->parent ? p->parent->pid : 0;
	spin_unlock(&proc_lock);
	return ppid;
}

long sys_uname(u32 ubuf, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "ppsos", sizeof(u.sysname));
	strlcpy(u.nodename, "ppsos", sizeof(u.nodename));
	strlcpy(u.release, "0.3", sizeof(u.release));
	strlcpy(u.version, "#1 SMP " __DATE__, sizeof(u.version));
	strlcpy(u.machine, "i686", sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(ubuf, &u, sizeof(u));
}

long sys_sched_yield(u32 a1, u32 a2, u32 a3, u32 a4, u32 a5)
{
	yield();
	return 0;
}

static u64 monotonic_ns(void)
{
	return tsc_to_us(rdtsc_now() - boot_tsc) * 1000;
}

long sys_nanosleep(u32 ureq, u32 urem, u32 a3, u32 a4, u32 a5)
{
	struct timespec req;
	u64 ns, start, ticks;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec > 999999999)
		return -EINVAL;
	ns = (u64)req.tv_sec * 1000000000ull + req.tv_nsec;
	start = monotonic_ns();
	/* Ticks are coarse and the first may come at once: sleep until the
	 * clock says the time has passed, never less (POSIX). */
	int r = 0;
	for (;;) {
		u64 done = monotonic_ns() - start;
		if (done >= ns)
			break;
		ticks = ((ns - done) * hz + 999999999ull) / 1000000000ull;
		if ((r = sleep_ticks(ticks ? ticks : 1)))
			break;
	}
	if (r == -EINTR) {
		if (urem) {
			u64 done = monotonic_ns() - start, left = done < ns ? ns - done : 0;
			struct timespec rem = { (s32)(left / 1000000000ull), (s32)(left % 1000000000ull) };
			if (copy_to_user(urem, &rem, sizeof(rem)))
				return -EFAULT;
		}
		return -EINTR;
	}
	return 0;
}

long sys_clock_gettime(u32 clk, u32 utp, u32 a3, u32 a4, u32 a5)
{
	u64 ns = monotonic_ns();
	struct timespec ts;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns += (u64)boot_epoch * 1000000000ull;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		break;
	default:
		return -EINVAL; /* CPU-time clocks are not kept */
	}
	ts.tv_sec = (s32)(ns / 1000000000ull);
	ts.tv_nsec = (s32)(ns % 1000000000ull);
	return copy_to_user(utp, &ts, sizeof(ts));
}
