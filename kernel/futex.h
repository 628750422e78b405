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

#endif
