/*
 * uapi/ppsos/dirent.h: the records getdents64(2) writes and their d_type
 * values, shared by the kernel and user/lib. The layout and values are
 * Linux's i386 ABI (struct linux_dirent64, the DT_* of <dirent.h>).
 */
#ifndef UAPI_PPSOS_DIRENT_H
#define UAPI_PPSOS_DIRENT_H

#define DT_UNKNOWN  0
#define DT_CHR      2
#define DT_DIR      4
#define DT_REG      8

#ifndef __ASSEMBLER__
/* One record; d_reclen covers the name and padding to 8 bytes. */
struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
} __attribute__((packed));
#endif

#endif
