/*
 * uapi/ppsos/ldt.h: struct user_desc, the argument of set_thread_area and
 * get_thread_area and of clone's CLONE_SETTLS (Linux's asm/ldt.h layout).
 * An entry_number of -1 asks the kernel to pick a free TLS slot.
 */
#ifndef UAPI_PPSOS_LDT_H
#define UAPI_PPSOS_LDT_H

struct user_desc {
	unsigned int entry_number;
	unsigned int base_addr;
	unsigned int limit;
	unsigned int seg_32bit:1;
	unsigned int contents:2;
	unsigned int read_exec_only:1;
	unsigned int limit_in_pages:1;
	unsigned int seg_not_present:1;
	unsigned int useable:1;
};

/* The GDT slots for TLS, as on i386 Linux: selectors 0x33, 0x3b, 0x43. */
#define GDT_ENTRY_TLS_MIN 6
#define GDT_ENTRY_TLS_ENTRIES 3

#endif
