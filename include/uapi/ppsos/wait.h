/*
 * uapi/ppsos/wait.h: waitpid's options and the status word it stores,
 * shared by the kernel (which encodes it) and user/lib (which decodes it).
 * The options are Linux's i386 ABI (include/uapi/linux/wait.h); the status
 * word is Linux's encoding, and the macros are glibc's (bits/waitstatus.h):
 * exit code in bits 8-15, or the killing signal in bits 0-6, 0x80 for a
 * core dump.
 */
#ifndef UAPI_PPSOS_WAIT_H
#define UAPI_PPSOS_WAIT_H

#define WNOHANG     0x00000001
#define WUNTRACED   0x00000002
#define WCONTINUED  0x00000008

/* Encoding: exit code ret, or killed by signal sig (then ret is 0). */
#define W_EXITCODE(ret, sig) ((((ret) & 0xff) << 8) | ((sig) & 0x7f))

#define WEXITSTATUS(s)  (((s) >> 8) & 0xff)
#define WTERMSIG(s)     ((s) & 0x7f)
#define WIFEXITED(s)    (WTERMSIG(s) == 0)
#define WIFSIGNALED(s)  (((signed char)(((s) & 0x7f) + 1) >> 1) > 0)
#define WCOREDUMP(s)    ((s) & 0x80)

#endif
