/*
 * Kernel symbol lookup for backtraces. The table is generated from the
 * kernel's own `nm` output at build time (scripts/gen-ksyms.sh) and linked
 * into the .ksyms section in a second link, so a panic can print names
 * without any debugger.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <kernel/types.h>

/* Name of the function containing addr, and the offset into it; NULL if
 * addr is not in the kernel's text. */
const char *ksyms_lookup(u32 addr, u32 *offset);
u32 ksyms_address(const char *name);    /* 0 if unknown */
/* "name+0xoff" for addr, or "?" outside the kernel's text. */
const char *ksyms_format(u32 addr, char *buf, size_t size);

#endif
