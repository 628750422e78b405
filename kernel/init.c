/*
 * Starting user space: pid 1.
 *
 * `init=/bin/prog arg...` on the command line (everything after init= is
 * its argv) or, by default, /bin/init. pid 1 gets /dev/console as fds 0, 1
 * and 2, like Linux's init, and a small environment. When pid 1 exits the
 * kernel powers off and pid 1's exit status reaches QEMU (kernel/exit.c).
 */
#include <kernel/proc.h>
#include <kernel/exec.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <kernel/fs/vfs.h>
#include <mm/mm.h>
#include <arch/x86/trap.h>
#include <drivers/qemu_exit.h>

#define DEFAULT_INIT "/bin/init"
static char init_line[512];
CMDLINE_PARAM_REST(init, init_line,
		   "the first process and its arguments (default /bin/init; \"kmon\": the kernel monitor); must come last");

void enter_user(struct trapframe *tf);

/* Whether to start pid 1 at all: yes if init= names a program (if it
 * cannot run, init_thread says so and powers off), no for init=kmon, and
 * by default only if /bin/init exists (a kernel booted without its initrd
 * gets the kernel monitor). */
bool proc_init_available(void)
{
	struct inode *ino;

	if (!strcmp(init_line, "kmon"))
		return false;
	if (init_line[0])
		return true;
	if (vfs_lookup(DEFAULT_INIT, &ino))
		return false;
	iput(ino);
	strlcpy(init_line, DEFAULT_INIT, sizeof(init_line));
	return true;
}

/* The next word of the init line, as Linux splits its command line:
 * blanks separate words, double quotes group ("exit 5" is one word) and
 * are removed. NULL at the end. */
static char *next_word(char **line)
{
	char *p = *line, *out, *word;
	bool quoted = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	word = out = p;
	for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else
			*out++ = *p;
	}
	if (*p)
		p++;
	*out = 0;
	*line = p;
	return word;
}

static void init_thread(void *arg)
{
	struct exec_args *a = exec_args_alloc();
	char *line = init_line, *word;
	char path[128] = "";
	int err = -12;

	(void)arg;
	if (!a)
		goto fail;
	/* argv: the words of init_line (split in place: it is not needed
	 * again, the kernel has one pid 1) */
	while ((word = next_word(&line))) {
		if (!path[0])
			strlcpy(path, word, sizeof(path));
		exec_args_add(a, word, false);
	}
	exec_args_add(a, "HOME=/", true);
	exec_args_add(a, "PATH=/bin", true);
	exec_args_add(a, "TERM=vt100", true);
	err = do_execve(path, a);
	exec_args_free(a);
	if (err == 0)
		enter_user(current_user_tf());
fail:
	printk("init: cannot run '%s' (error %d); powering off\n", path, err);
	qemu_exit(QEMU_EXIT_FAIL);
}

void proc_start_init(void)
{
	struct proc *p = proc_alloc("init");
	struct thread *t;
	int err;

	if (!p || !(p->mm = mm_create()))
		panic("init: no memory for the first process");
	for (int fd = 0; fd < 3; fd++) {
		struct file *f = file_open_kernel("/dev/console", O_RDWR, &err);
		if (f)
			p->files[fd] = f;
	}
	t = kthread_create_stopped(init_thread, NULL, "init");
	if (!t)
		panic("init: no memory for the first thread");
	printk("init: starting %s\n", init_line);
	if (thread_group_add(p, t)) /* starts it */
		panic("init: cannot add the first thread");
}
