/*
 * uapi/ppsos/termios.h: what ioctl(fd, TCGETS, &t) fills, shared by the
 * kernel (kernel/fs/console.c) and user/lib (isatty). The layout and the
 * numbers are Linux i386's: the kernel's struct termios
 * (include/uapi/asm-generic/termbits.h, NCCS 19; 36 bytes), not glibc's
 * larger user-space one, and TCGETS from asm-generic/ioctls.h. Only the
 * flags the console can honestly claim are named here.
 */
#ifndef UAPI_PPSOS_TERMIOS_H
#define UAPI_PPSOS_TERMIOS_H

#define TCGETS  0x5401

#define NCCS 19
/* c_cc indices */
#define VINTR   0
#define VQUIT   1
#define VERASE  2
#define VKILL   3
#define VEOF    4
#define VTIME   5
#define VMIN    6
/* c_iflag */
#define ICRNL   0000400
/* c_oflag */
#define OPOST   0000001
#define ONLCR   0000004
/* c_cflag */
#define B115200 0010002
#define CS8     0000060
#define CREAD   0000200
#define CLOCAL  0004000
/* c_lflag */
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040

#ifndef __ASSEMBLER__
typedef unsigned char cc_t;
typedef unsigned int tcflag_t;

struct termios {
	tcflag_t c_iflag;
	tcflag_t c_oflag;
	tcflag_t c_cflag;
	tcflag_t c_lflag;
	cc_t c_line;
	cc_t c_cc[NCCS];
};
#endif

#endif
