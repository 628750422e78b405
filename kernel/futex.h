/*
 * Futexes: user space sleeps on a word of its memory (FUTEX_WAIT) until
 * another thread changes the word and wakes it (FUTEX_WAKE). A futex is
 * named by (mm, user address): every mapping is private, so the private
 * and shared flavours name the same thing.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <kernel/types.h>

struct mm;

/* Wake up to nr threads waiting on (mm, uaddr); returns how many woke.
 * Used by thread exit for CLONE_CHILD_CLEARTID. */
int futex_wake(struct mm *mm, u32 uaddr, int nr);

/*
 * The key-level operations under sys_futex, for kernel callers and the
 * ktests (which use a made-up mm and a kernel word). `read` fetches the
 * 32-bit word at uaddr and may sleep (futex_read_user: copy_from_user).
 */
typedef int (*futex_read_fn)(u32 uaddr, u32 *val);
int futex_read_user(u32 uaddr, u32 *val);

#define FUTEX_NO_DEADLINE (~0ull)
/* Sleep while the word is val, until woken (0), uptime_ms() reaches
 * deadline (-ETIMEDOUT) or a signal arrives (-EINTR); -EAGAIN if the word
 * is not val, or read's error. */
int futex_wait_key(struct mm *mm, u32 uaddr, u32 val, u64 deadline, futex_read_fn read);
/* Same, woken only by wakes whose bitset shares a bit with `bitset`
 * (FUTEX_WAIT_BITSET; futex_wait_key waits with every bit). */
int futex_wait_bitset(struct mm *mm, u32 uaddr, u32 val, u64 deadline, u32 bitset,
		      futex_read_fn read);
/* Wake up to nr waiters of (mm, uaddr) whose bitset meets `bitset`. */
int futex_wake_bitset(struct mm *mm, u32 uaddr, int nr, u32 bitset);
/* Wake nr_wake waiters of uaddr and move up to nr_requeue others to
 * uaddr2; with cmpval, only if the word at uaddr is *cmpval (else -EAGAIN).
 * Returns woken + moved. */
int futex_requeue_key(struct mm *mm, u32 uaddr, u32 uaddr2, int nr_wake, int nr_requeue,
		      const u32 *cmpval, futex_read_fn read);
/* Threads queued on (mm, uaddr) now (tests, debugging). */
int futex_waiters(struct mm *mm, u32 uaddr);

#endif
