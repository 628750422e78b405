/*
 * Moving data across the user/kernel boundary. Every user pointer a system
 * call receives goes through these: they refuse kernel addresses and
 * wrapping ranges, and turn a fault on a bad user address into -EFAULT
 * (arch/x86/uaccess.asm). They may sleep (a fault may need memory or, later,
 * the swap disk), so call them without spinlocks held.
 */
#ifndef MM_UACCESS_H
#define MM_UACCESS_H

#include <kernel/types.h>

static inline bool user_range_ok(u32 addr, u32 n)
{
	return addr + n >= addr && addr + n <= 0xC0000000u;
}

int copy_from_user(void *dst, u32 usrc, u32 n);         /* 0 or -EFAULT */
int copy_to_user(u32 udst, const void *src, u32 n);     /* 0 or -EFAULT */
/* Copy as much as possible; returns the bytes copied (less than n if a
 * fault stopped it). */
u32 copy_to_user_partial(u32 udst, const void *src, u32 n);
u32 copy_from_user_partial(void *dst, u32 usrc, u32 n);
/* A NUL-terminated string of at most max-1 chars: its length, -EFAULT, or
 * -ENAMETOOLONG. */
int strncpy_from_user(char *dst, u32 usrc, u32 max);

/* The page-fault handler's hook: resume at a fixup if eip has one. */
bool uaccess_fixup(u32 *eip);

#endif
