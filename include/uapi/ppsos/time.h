/*
 * uapi/ppsos/time.h: clock ids and struct timespec, shared by the kernel
 * and user/lib. They are Linux's i386 ABI (include/uapi/linux/time.h):
 * i386's time_t and long are 32 bits, and that timespec is the one
 * nanosleep (162) and clock_gettime (265) take.
 */
#ifndef UAPI_PPSOS_TIME_H
#define UAPI_PPSOS_TIME_H

#define CLOCK_REALTIME          0
#define CLOCK_MONOTONIC         1
#define CLOCK_MONOTONIC_RAW     4
#define CLOCK_REALTIME_COARSE   5
#define CLOCK_MONOTONIC_COARSE  6
#define CLOCK_BOOTTIME          7

#ifndef __ASSEMBLER__
struct timespec {
	long tv_sec;
	long tv_nsec;
};
#endif

#endif
