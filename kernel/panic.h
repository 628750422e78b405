/*
 * panic(): the kernel cannot go on. Prints the message, the CPU, a
 * backtrace, stops every other CPU with an NMI, and halts, or, with
 * `panic=exit` on the command line (tests), makes QEMU exit with status 255.
 * BUG_ON/ASSERT check invariants; ASSERT compiles away without DEBUG.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <kernel/types.h>

struct trapframe;

__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__noreturn void panic_trap(struct trapframe *tf);
void backtrace_from(u32 ebp, u32 eip);
bool panic_in_progress(void);

#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (unlikely(cond))                                           \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#ifdef DEBUG
#define ASSERT(cond)                                                          \
	do {                                                                  \
		if (unlikely(!(cond)))                                        \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)
#else
#define ASSERT(cond) do { (void)sizeof(cond); } while (0)
#endif

#endif
