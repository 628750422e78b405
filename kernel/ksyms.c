/*
 * Symbol lookup over the generated table (see ksyms.h): addresses sorted
 * ascending, so a binary search finds the last symbol at or below addr.
 */
#include <kernel/ksyms.h>
#include <kernel/string.h>

extern const u32 ksyms_count;
extern const u32 ksyms_addrs[];
extern const u32 ksyms_name_offs[];
extern const char ksyms_strings[];
extern char _text[], _etext[];

const char *ksyms_lookup(u32 addr, u32 *offset)
{
	u32 lo = 0, hi = ksyms_count;

	if (addr < (u32)_text || addr >= (u32)_etext || ksyms_count == 0)
		return NULL;
	while (hi - lo > 1) {
		u32 mid = (lo + hi) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_addrs[lo] > addr)
		return NULL;
	if (offset)
		*offset = addr - ksyms_addrs[lo];
	return ksyms_strings + ksyms_name_offs[lo];
}

const char *ksyms_format(u32 addr, char *buf, size_t size)
{
	u32 off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		snprintf(buf, size, "%s+0x%x", name, off);
	else
		strlcpy(buf, "?", size);
	return buf;
}

u32 ksyms_address(const char *name)
{
	for (u32 i = 0; i < ksyms_count; i++)
		if (!strcmp(ksyms_strings + ksyms_name_offs[i], name))
			return ksyms_addrs[i];
	return 0;
}
