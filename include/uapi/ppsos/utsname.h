/*
 * uapi/ppsos/utsname.h: what uname(2) fills, shared by the kernel and
 * user/lib. The layout is Linux's i386 ABI: struct new_utsname
 * (include/uapi/linux/utsname.h), which i386 syscall 122 fills; six
 * NUL-terminated fields of 65 bytes.
 */
#ifndef UAPI_PPSOS_UTSNAME_H
#define UAPI_PPSOS_UTSNAME_H

#ifndef __ASSEMBLER__
struct utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};
#endif

#endif
