/*
 * /proc (see procfs.h). The root directory lists the registered files,
 * `self`, and one directory per live or zombie process. Inodes below /proc
 * are made on lookup (dynamic) and freed by their last iput. A file's text
 * is made at open, so a reader sees one consistent snapshot however it
 * splits its reads.
 */
#include <kernel/fs/vfs.h>
#include <kernel/fs/procfs.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/panic.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>

#define MAX_ENTRIES 16
#define SNAPSHOT_MAX (256 * 1024)
#define WRITE_MAX 4096
#define PID_INO_BASE 0x10000

struct proc_entry {
	const char *name;
	proc_show_fn show;
	proc_write_fn write;
};

static struct proc_entry root_entries[MAX_ENTRIES], pid_entries[MAX_ENTRIES];
static int nroot, npid;
static struct inode proc_root;
/* The one subdirectory of every /proc/PID (task/, kernel/fs/proc_pid.c). */
static const char *pid_subdir_name;
static const struct inode_ops *pid_subdir_ops;

void procfs_register_pid_dir(const char *name, const struct inode_ops *ops)
{
	BUG_ON(pid_subdir_name);
	pid_subdir_name = name;
	pid_subdir_ops = ops;
}

void procfs_register(const char *name, bool per_pid, proc_show_fn show, proc_write_fn write)
{
	struct proc_entry *tab = per_pid ? pid_entries : root_entries;
	int *n = per_pid ? &npid : &nroot;

	BUG_ON(*n >= MAX_ENTRIES);
	tab[*n].name = name;
	tab[*n].show = show;
	tab[*n].write = write;
	(*n)++;
}

void sb_printf(struct seqbuf *sb, const char *fmt, ...)
{
	va_list ap;

	for (;;) {
		u32 room = sb->cap - sb->len;
		va_start(ap, fmt);
		int n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
		va_end(ap);
		if ((u32)n < room) {
			sb->len += n;
			return;
		}
		u32 ncap = sb->cap * 2;
		char *nb = ncap <= SNAPSHOT_MAX ? kmalloc(ncap) : NULL;
		if (!nb) {
			sb->overflow = true;
			sb->len = sb->cap - 1; /* keep what fits */
			return;
		}
		memcpy(nb, sb->buf, sb->len);
		kfree(sb->buf);
		sb->buf = nb;
		sb->cap = ncap;
	}
}

/* inode->kind: index into root_entries or, for files in a pid directory,
 * MAX_ENTRIES + index into pid_entries; -1 for a pid directory. */
#define KIND_PID_DIR -1
#define KIND_PID_SUBDIR -2

static const struct proc_entry *entry_of(struct inode *ino)
{
	return ino->kind < MAX_ENTRIES ? &root_entries[ino->kind] : &pid_entries[ino->kind - MAX_ENTRIES];
}

static int proc_file_open(struct file *f)
{
	const struct proc_entry *e = entry_of(f->inode);
	struct seqbuf sb = { NULL, 0, 4096, false };
	int r;

	if ((f->flags & O_ACCMODE) != O_RDONLY && !e->write)
		return -EACCES;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return 0; /* nothing to show a writer */
	sb.buf = kmalloc(sb.cap);
	if (!sb.buf)
		return -ENOMEM;
	r = e->show(&sb, f->inode->pid);
	if (r) {
		kfree(sb.buf);
		return r;
	}
	f->priv = sb.buf;
	f->priv_len = sb.len;
	return 0;
}

static long proc_file_read(struct file *f, u32 ubuf, u32 n)
{
	return read_from_buffer(f, ubuf, n, f->priv, f->priv_len);
}

static long proc_file_write(struct file *f, u32 ubuf, u32 n)
{
	const struct proc_entry *e = entry_of(f->inode);
	char *buf;
	long r;

	if (!e->write)
		return -EACCES;
	if (n > WRITE_MAX)
		return -EINVAL;
	buf = kmalloc(n + 1);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, ubuf, n)) {
		kfree(buf);
		return -EFAULT;
	}
	buf[n] = 0;
	r = e->write(f->inode->pid, buf, n);
	kfree(buf);
	return r < 0 ? r : (long)n;
}

static const struct file_ops proc_file_fops = {
	.open = proc_file_open,
	.read = proc_file_read,
	.write = proc_file_write,
	.seekable = true,
};

struct inode *procfs_new_inode(struct inode *parent, const char *name, u32 mode, int pid, int kind)
{
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->mode = mode;
	ino->name = name;
	ino->path = "/proc";
	ino->parent = parent;
	ino->dynamic = true;
	ino->refs = 1;
	ino->pid = pid;
	ino->kind = kind;
	ino->ino = pid * 64 + kind + 2 + PID_INO_BASE;
	list_init(&ino->children);
	if (!S_ISDIR(mode))
		ino->fops = &proc_file_fops;
	return ino;
}

static bool pid_exists(int pid)
{
	bool r;

	spin_lock(&proc_lock);
	r = proc_find(pid) != NULL;
	spin_unlock(&proc_lock);
	return r;
}

static int parse_pid(const char *name, u32 len)
{
	int pid = 0;

	if (len == 0 || len > 9)
		return -1;
	for (u32 i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		pid = pid * 10 + name[i] - '0';
	}
	return pid;
}

struct inode *procfs_pid_file(struct inode *dir, const char *name, u32 len, int id)
{
	for (int i = 0; i < npid; i++)
		if (strlen(pid_entries[i].name) == len && !strncmp(pid_entries[i].name, name, len))
			return procfs_new_inode(dir, pid_entries[i].name, S_IFREG | 0444, id, MAX_ENTRIES + i);
	return NULL;
}

static struct inode *pid_dir_lookup(struct inode *dir, const char *name, u32 len)
{
	struct inode *d;

	if (!pid_exists(dir->pid))
		return NULL;
	if (pid_subdir_name && strlen(pid_subdir_name) == len && !strncmp(pid_subdir_name, name, len)) {
		d = procfs_new_inode(dir, pid_subdir_name, S_IFDIR | 0555, dir->pid, KIND_PID_SUBDIR);
		if (d)
			d->iops = pid_subdir_ops;
		return d;
	}
	return procfs_pid_file(dir, name, len, dir->pid);
}

static int pid_dir_readdir(struct inode *dir, u32 index, char *name, u32 *ino, u8 *type)
{
	if (index == (u32)npid && pid_subdir_name) {
		strlcpy(name, pid_subdir_name, NAME_MAX + 1);
		*ino = dir->ino + 1 + index;
		*type = DT_DIR;
		return 0;
	}
	if (index >= (u32)npid)
		return -ENOENT;
	strlcpy(name, pid_entries[index].name, NAME_MAX + 1);
	*ino = dir->ino + 1 + index;
	*type = DT_REG;
	return 0;
}

static const struct inode_ops pid_dir_ops = { pid_dir_lookup, pid_dir_readdir };

static struct inode *root_lookup(struct inode *dir, const char *name, u32 len)
{
	int pid;
	struct inode *d;

	for (int i = 0; i < nroot; i++)
		if (strlen(root_entries[i].name) == len && !strncmp(root_entries[i].name, name, len))
			return procfs_new_inode(dir, root_entries[i].name, S_IFREG | 0444, 0, i);
	if (len == 4 && !strncmp(name, "self", 4))
		pid = current_proc() ? current_proc()->pid : -1;
	else
		pid = parse_pid(name, len);
	if (pid <= 0 || !pid_exists(pid))
		return NULL;
	d = procfs_new_inode(dir, "pid", S_IFDIR | 0555, pid, KIND_PID_DIR);
	if (d)
		d->iops = &pid_dir_ops;
	return d;
}

/* Entries: the registered files, "self", then the pids in table order. */
static int root_readdir(struct inode *dir, u32 index, char *name, u32 *ino, u8 *type)
{
	(void)dir;
	if (index < (u32)nroot) {
		strlcpy(name, root_entries[index].name, NAME_MAX + 1);
		*ino = 2 + index;
		*type = DT_REG;
		return 0;
	}
	if (index == (u32)nroot) {
		strlcpy(name, "self", NAME_MAX + 1);
		*ino = 2 + MAX_ENTRIES;
		*type = DT_DIR;
		return 0;
	}
	u32 want = index - nroot - 1, seen = 0;
	int pid = -1;
	spin_lock(&proc_lock);
	for (int i = 0; i < NPROC; i++)
		if (proc_table[i] && seen++ == want) {
			pid = proc_table[i]->pid;
			break;
		}
	spin_unlock(&proc_lock);
	if (pid < 0)
		return -ENOENT;
	snprintf(name, NAME_MAX + 1, "%d", pid);
	*ino = PID_INO_BASE + pid * 64;
	*type = DT_DIR;
	return 0;
}

static const struct inode_ops root_ops = { root_lookup, root_readdir };

void procfs_init(void)
{
	proc_root.mode = S_IFDIR | 0555;
	proc_root.iops = &root_ops;
	list_init(&proc_root.children);
	vfs_add_node(&vfs_root, &proc_root, "proc");
}
