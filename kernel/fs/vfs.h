/*
 * A small VFS: a tree of inodes, open files, and per-process descriptors.
 *
 * Three kinds of inode live in the tree: the read-only files and
 * directories unpacked from the initrd (kernel/fs/initrd.c), the console
 * device /dev/console (kernel/fs/console.c), and /proc, whose inodes are
 * made on lookup and freed on their last iput (kernel/fs/procfs.c).
 *
 * References: vfs_lookup() returns an inode with a reference (iput() drops
 * it; static inodes ignore both). A struct file is shared by the
 * descriptors that dup or fork copies (file_get/file_put).
 * Locks: the static tree never changes after boot; procfs takes proc_lock
 * to find processes; a file's position is changed only by system calls on
 * it, without a lock: threads share files, so two racing reads of one
 * file may return the same bytes (read_from_buffer reads pos once, so a
 * read never runs past the end).
 */
#ifndef KERNEL_FS_VFS_H
#define KERNEL_FS_VFS_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <uapi/ppsos/dirent.h>
#include <uapi/ppsos/fcntl.h>

#define PATH_MAX 4096
#define NAME_MAX 255

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFCHR 0020000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)

struct file;
struct inode;

struct file_ops {
	int (*open)(struct file *f);                    /* optional */
	long (*read)(struct file *f, u32 ubuf, u32 n);
	long (*write)(struct file *f, u32 ubuf, u32 n); /* NULL: read-only */
	void (*release)(struct file *f);                /* optional */
	/* NULL: not a terminal, ioctl is -ENOTTY (initrd files, /proc) */
	long (*ioctl)(struct file *f, u32 cmd, u32 arg);
	bool seekable;
};

struct inode_ops {
	/* A referenced child inode, or NULL. */
	struct inode *(*lookup)(struct inode *dir, const char *name, u32 len);
	/* The index-th entry: 0, or -ENOENT past the end. */
	int (*readdir)(struct inode *dir, u32 index, char *name, u32 *ino, u8 *type);
};

struct inode {
	u32 mode;
	u32 ino;
	const char *name;               /* last path component */
	const char *path;               /* full path, for /proc/PID/maps */
	const struct file_ops *fops;
	const struct inode_ops *iops;   /* directories */
	struct inode *parent;
	/* initrd files: the image, in the initrd module's memory */
	const u8 *data;
	u32 size;
	/* static directories */
	struct list_head children, sibling;
	/* procfs: made on lookup, freed on the last iput */
	bool dynamic;
	volatile u32 refs;
	int pid, kind;
};

struct file {
	volatile u32 refs;
	struct inode *inode;
	u32 flags;
	u32 pos;
	void *priv;                     /* e.g. a /proc snapshot */
	u32 priv_len;
};

extern struct inode vfs_root;

void vfs_init(void);
struct inode *vfs_mkdir(struct inode *dir, const char *name);
struct inode *vfs_add_file(struct inode *dir, const char *name, const u8 *data, u32 size);
void vfs_add_node(struct inode *dir, struct inode *child, const char *name);
int vfs_lookup(const char *path, struct inode **out);
void iget(struct inode *ino);
void iput(struct inode *ino);
bool inode_is_image(struct inode *ino);         /* an initrd file: executable */
int static_dir_readdir(struct inode *dir, u32 index, char *name, u32 *ino, u8 *type);

struct file *file_open_kernel(const char *path, u32 flags, int *err);
struct file *file_get(struct file *f);
void file_put(struct file *f);
int fd_install(struct file *f);                 /* lowest free fd of current */
struct file *fd_get(u32 fd);                    /* referenced (file_put), or NULL */

/* Read helper for files backed by a kernel buffer (initrd files, /proc). */
long read_from_buffer(struct file *f, u32 ubuf, u32 n, const void *buf, u32 len);

void console_init(void);
void initrd_note_modules(void *mbi);
void initrd_init(void);
void procfs_init(void);
u32 initrd_size(void);

#endif
