/*
 * /proc: files whose contents are made when they are opened (a snapshot,
 * like Linux's seq_file), and a directory per process.
 *
 * Subsystems add files with procfs_register(): `show` appends the text to a
 * seqbuf; `write`, if given, takes what a process writes (for example
 * `echo x > /proc/PID/comm`). Register at boot, before user space starts.
 */
#ifndef KERNEL_FS_PROCFS_H
#define KERNEL_FS_PROCFS_H

#include <kernel/types.h>

struct seqbuf {
	char *buf;
	u32 len, cap;
	bool overflow;
};

void sb_printf(struct seqbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef int (*proc_show_fn)(struct seqbuf *sb, int pid);
typedef long (*proc_write_fn)(int pid, const char *buf, u32 n);

/* per_pid: the file lives in every /proc/PID/ (pid passed to show/write),
 * otherwise directly in /proc (pid 0). */
void procfs_register(const char *name, bool per_pid, proc_show_fn show, proc_write_fn write);

/* Directories below /proc/PID (the thread directories of proc_pid.c). */
struct inode;
struct inode_ops;
/* The one subdirectory every /proc/PID has besides its files. */
void procfs_register_pid_dir(const char *name, const struct inode_ops *ops);
/* A new /proc inode (referenced); kind: see procfs.c. */
struct inode *procfs_new_inode(struct inode *parent, const char *name, u32 mode, int pid, int kind);
/* The per-pid file named name[0..len) of id (its show gets id), or NULL. */
struct inode *procfs_pid_file(struct inode *dir, const char *name, u32 len, int id);

#endif
