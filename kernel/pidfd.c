/*
 * pidfd_open (434): a file descriptor that names a process, as on Linux.
 * Here it is what process_madvise (440) takes to say whose memory to
 * advise. The file holds the pid; the process may exit meanwhile, and then
 * the calls that use the pidfd say -ESRCH.
 */
#include <kernel/pidfd.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/fs/vfs.h>
#include <mm/kmalloc.h>

static long pidfd_read(struct file *f, u32 ubuf, u32 n)
{
	(void)f, (void)ubuf, (void)n;
	return -EINVAL;
}

static const struct file_ops pidfd_fops = { .read = pidfd_read };

long sys_pidfd_open(u32 pid, u32 flags, u32 a3, u32 a4, u32 a5)
{
	struct inode *ino;
	struct file *f;
	int fd;

	if (flags)
		return -EINVAL; /* PIDFD_NONBLOCK and friends: not supported */
	if ((s32)pid <= 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	struct proc *p = proc_find((int)pid);
	bool alive = p && p->state == P_ALIVE;
	spin_unlock(&proc_lock);
	if (!alive)
		return -ESRCH;
	ino = kzalloc(sizeof(*ino));
	f = kzalloc(sizeof(*f));
	if (!ino || !f) {
		kfree(ino);
		kfree(f);
		return -ENOMEM;
	}
	ino->mode = 0400;
	ino->name = "pidfd";
	ino->path = "anon_inode:[pidfd]";
	ino->fops = &pidfd_fops;
	ino->dynamic = true;
	ino->refs = 1;
	ino->pid = (int)pid;
	list_init(&ino->children);
	f->refs = 1;
	f->inode = ino;
	f->flags = O_RDONLY;
	fd = fd_install(f);
	if (fd < 0)
		file_put(f);
	return fd;
}

int pidfd_to_pid(u32 fd)
{
	struct file *f = fd_get(fd); /* a sibling thread may close it meanwhile */
	int pid;

	if (!f)
		return -EBADF;
	pid = f->inode->fops == &pidfd_fops ? f->inode->pid : -EBADF; /* Linux: not a pidfd */
	file_put(f);
	return pid;
}
