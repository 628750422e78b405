/* Linux's errno values: system calls return -errno, as on Linux i386. The
 * values are the user ABI's, shared with user/lib. */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#include <uapi/ppsos/errno.h>

#endif
