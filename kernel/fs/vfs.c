/*
 * VFS core: the inode tree, path lookup, open files and the file system
 * calls (open, close, read, write, lseek, dup, dup2, getdents64).
 * See vfs.h for references and locking.
 */
#include <kernel/fs/vfs.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/panic.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <arch/x86/cpu.h>

struct inode vfs_root;
static u32 next_ino = 2;

static struct inode *static_lookup(struct inode *dir, const char *name, u32 len)
{
	struct list_head *p;

	list_for_each(p, &dir->children) {
		struct inode *c = list_entry(p, struct inode, sibling);
		if (strlen(c->name) == len && !strncmp(c->name, name, len))
			return c;
	}
	return NULL;
}

int static_dir_readdir(struct inode *dir, u32 index, char *name, u32 *ino, u8 *type)
{
	struct list_head *p;
	u32 i = 0;

	list_for_each(p, &dir->children) {
		if (i++ != index)
			continue;
		struct inode *c = list_entry(p, struct inode, sibling);
		strlcpy(name, c->name, NAME_MAX + 1);
		*ino = c->ino;
		*type = S_ISDIR(c->mode) ? DT_DIR : S_ISREG(c->mode) ? DT_REG : DT_CHR;
		return 0;
	}
	return -ENOENT;
}

static const struct inode_ops static_dir_ops = { static_lookup, static_dir_readdir };

static char *join_path(struct inode *dir, const char *name)
{
	const char *base = dir == &vfs_root ? "" : dir->path;
	u32 n = strlen(base) + 1 + strlen(name) + 1;
	char *s = kmalloc(n);

	if (s)
		snprintf(s, n, "%s/%s", base, name);
	return s;
}

void vfs_add_node(struct inode *dir, struct inode *child, const char *name)
{
	child->name = name;
	child->path = join_path(dir, name);
	child->parent = dir;
	if (!child->ino)
		child->ino = next_ino++;
	list_add_tail(&child->sibling, &dir->children);
}

static char *kstrdup(const char *s)
{
	char *d = kmalloc(strlen(s) + 1);

	if (d)
		strlcpy(d, s, strlen(s) + 1);
	return d;
}

struct inode *vfs_mkdir(struct inode *dir, const char *name)
{
	struct inode *d = static_lookup(dir, name, strlen(name));

	if (d)
		return S_ISDIR(d->mode) ? d : NULL;
	d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->mode = S_IFDIR | 0555;
	d->iops = &static_dir_ops;
	list_init(&d->children);
	vfs_add_node(dir, d, kstrdup(name));
	return d;
}

static long image_read(struct file *f, u32 ubuf, u32 n)
{
	return read_from_buffer(f, ubuf, n, f->inode->data, f->inode->size);
}

static const struct file_ops image_fops = { .read = image_read, .seekable = true };

struct inode *vfs_add_file(struct inode *dir, const char *name, const u8 *data, u32 size)
{
	struct inode *f;

	if (static_lookup(dir, name, strlen(name)))
		return NULL;
	f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->mode = S_IFREG | 0555;
	f->fops = &image_fops;
	f->data = data;
	f->size = size;
	list_init(&f->children);
	vfs_add_node(dir, f, kstrdup(name));
	return f;
}

bool inode_is_image(struct inode *ino)
{
	return ino->fops == &image_fops;
}

void vfs_init(void)
{
	vfs_root.mode = S_IFDIR | 0555;
	vfs_root.iops = &static_dir_ops;
	vfs_root.name = "";
	vfs_root.path = "/";
	vfs_root.ino = 1;
	vfs_root.parent = &vfs_root;
	list_init(&vfs_root.children);
}

void iget(struct inode *ino)
{
	if (ino->dynamic)
		atomic_inc(&ino->refs);
}

void iput(struct inode *ino)
{
	if (ino && ino->dynamic && atomic_add_return(&ino->refs, -1) == 0)
		kfree(ino);
}

/* Does the directory that would hold path exist? (Creating a file there
 * is EROFS; in a missing directory, such as /proc/9999/, ENOENT.) */
static bool parent_is_dir(const char *path)
{
	u32 len = strlen(path);
	struct inode *dir;
	char *buf;
	bool ok;

	while (len > 1 && path[len - 1] == '/')
		len--;              /* "a/b/" names b */
	while (len > 0 && path[len - 1] != '/')
		len--;              /* keep "a/" */
	buf = kmalloc(len + 2);
	if (!buf)
		return false;
	memcpy(buf, path, len);
	buf[len] = 0;
	if (!len) {             /* a bare name: relative paths start at / */
		buf[0] = '/';
		buf[1] = 0;
	}
	ok = vfs_lookup(buf, &dir) == 0;
	if (ok) {
		ok = S_ISDIR(dir->mode);
		iput(dir);
	}
	kfree(buf);
	return ok;
}

/* Walk an absolute path (relative ones start at / too: no cwd yet). */
int vfs_lookup(const char *path, struct inode **out)
{
	struct inode *cur = &vfs_root;
	const char *p = path;

	if (!*path)
		return -ENOENT;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		u32 len = end - p;
		struct inode *next;
		if (len > NAME_MAX) {
			iput(cur);
			return -ENAMETOOLONG;
		}
		if (!S_ISDIR(cur->mode)) {
			iput(cur);
			return -ENOTDIR;
		}
		if (len == 1 && p[0] == '.') {
			next = cur;
			iget(next);
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			next = cur->parent ? cur->parent : &vfs_root;
			iget(next);
		} else {
			next = cur->iops->lookup(cur, p, len);
		}
		iput(cur);
		if (!next)
			return -ENOENT;
		cur = next;
		p = end;
	}
	*out = cur;
	return 0;
}

/* Threads share a struct file, so a sibling may move f->pos meanwhile:
 * read it once, so the bounds check and the copy agree (two reads racing
 * on one file may return the same bytes, as on Linux without f_pos_lock). */
long read_from_buffer(struct file *f, u32 ubuf, u32 n, const void *buf, u32 len)
{
	u32 pos = *(volatile u32 *)&f->pos;

	if (pos >= len)
		return 0;
	n = MIN(n, len - pos);
	u32 done = copy_to_user_partial(ubuf, (const u8 *)buf + pos, n);
	if (!done && n)
		return -EFAULT;
	f->pos = pos + done;
	return done;
}

struct file *file_get(struct file *f)
{
	atomic_inc(&f->refs);
	return f;
}

void file_put(struct file *f)
{
	if (atomic_add_return(&f->refs, -1) != 0)
		return;
	if (f->inode->fops && f->inode->fops->release)
		f->inode->fops->release(f);
	kfree(f->priv);
	iput(f->inode);
	kfree(f);
}

#define OPEN_FLAGS_OK (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
		       O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct file *file_open_kernel(const char *path, u32 flags, int *err)
{
	struct inode *ino;
	struct file *f;
	u32 acc = flags & O_ACCMODE;

	*err = -EINVAL;
	if ((flags & ~OPEN_FLAGS_OK) || acc == O_ACCMODE)
		return NULL;
	*err = vfs_lookup(path, &ino);
	if (*err == -ENOENT && (flags & O_CREAT) && parent_is_dir(path))
		*err = -EROFS; /* nothing here is writable storage */
	if (*err)
		return NULL;
	*err = 0;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		*err = -EEXIST;
	else if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		*err = -ENOTDIR;
	else if (S_ISDIR(ino->mode) && acc != O_RDONLY)
		*err = -EISDIR;
	else if (acc != O_RDONLY && inode_is_image(ino))
		*err = -EROFS;
	else if (acc != O_RDONLY && ino->fops && !ino->fops->write)
		*err = -EACCES;
	if (*err) {
		iput(ino);
		return NULL;
	}
	f = kzalloc(sizeof(*f));
	if (!f) {
		iput(ino);
		*err = -ENOMEM;
		return NULL;
	}
	f->refs = 1;
	f->inode = ino;
	f->flags = flags;
	if (ino->fops && ino->fops->open && (*err = ino->fops->open(f))) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* The file table is shared by the threads of a process: its slots change
 * under p->files_lock, and a call that uses a file holds a reference, so a
 * sibling's close cannot free it under the call. */
int fd_install(struct file *f)
{
	struct proc *p = current_proc();
	int r = -EMFILE;

	spin_lock(&p->files_lock);
	for (int fd = 0; fd < NOFILE; fd++)
		if (!p->files[fd]) {
			p->files[fd] = f;
			r = fd;
			break;
		}
	spin_unlock(&p->files_lock);
	return r;
}

struct file *fd_get(u32 fd)
{
	struct proc *p = current_proc();
	struct file *f = NULL;

	if (fd >= NOFILE)
		return NULL;
	spin_lock(&p->files_lock);
	if ((f = p->files[fd]))
		file_get(f);
	spin_unlock(&p->files_lock);
	return f;
}

/* The file of slot fd, or NULL; the slot is emptied or set to nf. */
static struct file *fd_swap(u32 fd, struct file *nf)
{
	struct proc *p = current_proc();
	struct file *old;

	spin_lock(&p->files_lock);
	old = p->files[fd];
	p->files[fd] = nf;
	spin_unlock(&p->files_lock);
	return old;
}

/* The system calls on a descriptor run on a referenced file (NULL: a bad fd). */
#define FD_CALL(fd, call)                               \
	({                                              \
		struct file *__f = fd_get(fd);          \
		long __r = call;                        \
		if (__f)                                \
			file_put(__f);                  \
		__r;                                    \
	})

long sys_open(u32 upath, u32 flags, u32 mode, u32 a4, u32 a5)
{
	char *path = kmalloc(PATH_MAX);
	struct file *f;
	int err, fd;

	if (!path)
		return -ENOMEM;
	err = strncpy_from_user(path, upath, PATH_MAX);
	if (err < 0) {
		kfree(path);
		return err;
	}
	f = file_open_kernel(path, flags, &err);
	kfree(path);
	if (!f)
		return err;
	fd = fd_install(f);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_close(u32 fd, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct file *f = fd < NOFILE ? fd_swap(fd, NULL) : NULL;

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

static long file_read(struct file *f, u32 ubuf, u32 n)
{
	if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if ((s32)n < 0)
		return -EINVAL;
	if (!user_range_ok(ubuf, n))
		return -EFAULT;
	return f->inode->fops->read(f, ubuf, n);
}

long sys_read(u32 fd, u32 ubuf, u32 n, u32 a4, u32 a5)
{
	return FD_CALL(fd, file_read(__f, ubuf, n));
}

static long file_write(struct file *f, u32 ubuf, u32 n)
{
	if (!f || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if ((s32)n < 0)
		return -EINVAL;
	if (!user_range_ok(ubuf, n))
		return -EFAULT;
	return f->inode->fops->write(f, ubuf, n);
}

long sys_write(u32 fd, u32 ubuf, u32 n, u32 a4, u32 a5)
{
	return FD_CALL(fd, file_write(__f, ubuf, n));
}

static long file_lseek(struct file *f, u32 off, u32 whence)
{
	s64 base;

	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->inode->mode) && !f->inode->fops->seekable)
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END: base = S_ISDIR(f->inode->mode) ? 0 : (f->priv ? f->priv_len : f->inode->size); break;
	default: return -EINVAL;
	}
	base += (s32)off;
	if (base < 0 || base > 0x7FFFFFFF)
		return -EINVAL;
	f->pos = (u32)base;
	return f->pos;
}

long sys_lseek(u32 fd, u32 off, u32 whence, u32 a4, u32 a5)
{
	return FD_CALL(fd, file_lseek(__f, off, whence));
}

long sys_dup(u32 fd, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct file *f = fd_get(fd); /* its reference goes to the new slot */
	int nfd;

	if (!f)
		return -EBADF;
	nfd = fd_install(f);
	if (nfd < 0)
		file_put(f);
	return nfd;
}

long sys_dup2(u32 fd, u32 nfd, u32 a3, u32 a4, u32 a5)
{
	struct file *f = fd_get(fd), *old; /* f's reference goes to slot nfd */

	if (!f)
		return -EBADF;
	if (nfd >= NOFILE || fd == nfd) {
		file_put(f);
		return nfd >= NOFILE ? -EBADF : (long)nfd;
	}
	old = fd_swap(nfd, f);
	if (old)
		file_put(old);
	return nfd;
}

/* Only terminals take ioctls (the console: TCGETS, which isatty asks);
 * as on Linux, every other file says -ENOTTY, whatever the command. */
static long file_ioctl(struct file *f, u32 cmd, u32 arg)
{
	if (!f)
		return -EBADF;
	if (!f->inode->fops || !f->inode->fops->ioctl)
		return -ENOTTY;
	return f->inode->fops->ioctl(f, cmd, arg);
}

long sys_ioctl(u32 fd, u32 cmd, u32 arg, u32 a4, u32 a5)
{
	return FD_CALL(fd, file_ioctl(__f, cmd, arg));
}

static long file_getdents64(struct file *f, u32 ubuf, u32 count)
{
	char name[NAME_MAX + 1];
	u8 rec[sizeof(struct linux_dirent64) + NAME_MAX + 8];
	u32 done = 0;

	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	if (!user_range_ok(ubuf, count))
		return -EFAULT;
	for (;;) {
		u32 ino;
		u8 type;
		if (f->inode->iops->readdir(f->inode, f->pos, name, &ino, &type))
			break;
		u32 len = ALIGN_UP(sizeof(struct linux_dirent64) + strlen(name) + 1, 8);
		if (done + len > count) {
			if (!done)
				return -EINVAL; /* the buffer cannot hold one entry */
			break;
		}
		struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
		memset(rec, 0, len);
		d->d_ino = ino;
		d->d_off = f->pos + 1;
		d->d_reclen = len;
		d->d_type = type;
		strlcpy(d->d_name, name, NAME_MAX + 1);
		if (copy_to_user(ubuf + done, rec, len))
			return done ? (long)done : -EFAULT;
		done += len;
		f->pos++;
	}
	return done;
}

long sys_getdents64(u32 fd, u32 ubuf, u32 count, u32 a4, u32 a5)
{
	return FD_CALL(fd, file_getdents64(__f, ubuf, count));
}
