/* C side of the fault-tolerant user copies (see uaccess.h, uaccess.asm). */
#include <mm/uaccess.h>
#include <kernel/errno.h>

u32 __copy_user(void *dst, const void *src, u32 n);
int __strncpy_user(char *dst, const char *src, u32 max);

struct ex_entry {
	u32 insn, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

bool uaccess_fixup(u32 *eip)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == *eip) {
			*eip = e->fixup;
			return true;
		}
	}
	return false;
}

u32 copy_from_user_partial(void *dst, u32 usrc, u32 n)
{
	if (!user_range_ok(usrc, n)) {
		if (usrc >= 0xC0000000u)
			return 0;
		n = 0xC0000000u - usrc; /* copy what lies below the kernel */
	}
	return n - __copy_user(dst, (const void *)usrc, n);
}

u32 copy_to_user_partial(u32 udst, const void *src, u32 n)
{
	if (!user_range_ok(udst, n)) {
		if (udst >= 0xC0000000u)
			return 0;
		n = 0xC0000000u - udst;
	}
	return n - __copy_user((void *)udst, src, n);
}

int copy_from_user(void *dst, u32 usrc, u32 n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return __copy_user(dst, (const void *)usrc, n) ? -EFAULT : 0;
}

int copy_to_user(u32 udst, const void *src, u32 n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return __copy_user((void *)udst, src, n) ? -EFAULT : 0;
}

int strncpy_from_user(char *dst, u32 usrc, u32 max)
{
	u32 room;
	int n;

	if (usrc >= 0xC0000000u || max == 0)
		return -EFAULT;
	room = MIN(max, 0xC0000000u - usrc); /* never read kernel memory */
	n = __strncpy_user(dst, (const char *)usrc, room);
	if (n < 0)
		return -EFAULT;
	if ((u32)n >= room) {
		dst[room - 1] = 0;
		return room < max ? -EFAULT : -ENAMETOOLONG;
	}
	return n;
}
