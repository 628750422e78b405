/*
 * fork: a new process with a copy of the caller's address space (every
 * page copied now, see mm/mm.c), its open files shared, and a trap frame
 * that returns 0 to the child.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/fs/vfs.h>
#include <mm/mm.h>
#include <arch/x86/trap.h>

long sys_fork(u32 a1, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct proc *me = current_proc(), *child;
	struct trapframe tf = *current_user_tf();

	child = proc_alloc(me->name);
	if (!child)
		return -EAGAIN;
	child->mm = mm_dup(me->mm);
	if (!child->mm) {
		proc_free(child);
		return -ENOMEM;
	}
	for (int fd = 0; fd < NOFILE; fd++)
		if (me->files[fd])
			child->files[fd] = file_get(me->files[fd]);
	spin_lock(&proc_lock);
	child->parent = me;
	list_add_tail(&child->sibling, &me->children);
	spin_unlock(&proc_lock);

	tf.eax = 0; /* fork returns 0 in the child */
	if (proc_start(child, &tf)) {
		spin_lock(&proc_lock);
		list_del(&child->sibling);
		spin_unlock(&proc_lock);
		for (int fd = 0; fd < NOFILE; fd++)
			if (child->files[fd])
				file_put(child->files[fd]);
		mm_put(child->mm);
		proc_free(child);
		return -ENOMEM;
	}
	return child->pid;
}
