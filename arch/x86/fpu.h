/*
 * The user's floating-point registers (x87, MMX, SSE): one save area per
 * thread, switched eagerly by the scheduler. See arch/x86/fpu.c.
 *
 * The kernel itself never uses these registers (it is built with -mno-sse
 * -mno-mmx -mno-80387), so whatever they hold while the kernel runs is the
 * state of the user thread that last ran on this CPU, or of the thread now
 * running.
 */
#ifndef ARCH_X86_FPU_H
#define ARCH_X86_FPU_H

#include <kernel/types.h>

struct thread;

/* FXSAVE writes 512 bytes and needs them 16-byte aligned. A CPU without
 * FXSR uses FNSAVE's 108 bytes at the start of the same area. */
#define FPU_AREA_SIZE 512

/* Reset values (Intel SDM vol. 1, 8.1.5 and 10.2.3.1): every x87 exception
 * masked, round to nearest, 64-bit precision; every SIMD exception masked. */
#define FPU_FCW_DEFAULT 0x037F
#define FPU_MXCSR_DEFAULT 0x1F80

/* Byte offsets in the FXSAVE image (Intel SDM vol. 1, table 10-2). */
#define FXSAVE_FCW 0
#define FXSAVE_FSW 2
#define FXSAVE_MXCSR 24
#define FXSAVE_MXCSR_MASK 28
#define FXSAVE_ST0 32           /* 8 x 16 bytes */
#define FXSAVE_XMM0 160         /* 8 x 16 bytes */

/* The block in struct thread (kernel/sched.h). struct thread sits at the
 * base of a page-aligned kernel stack, so aligning the area within the
 * struct aligns it in memory. */
struct fpu_state {
	u8 area[FPU_AREA_SIZE] __aligned(16);
	/* The area (or, while the thread runs, the CPU) holds a user context's
	 * registers: save them when it leaves a CPU, load them when it comes
	 * back. Kernel threads never set it and cost nothing at a switch. */
	bool user;
};

enum fpu_format {
	FPU_NONE,               /* no x87 FPU: CR0.EM set, user FP gets SIGFPE */
	FPU_FNSAVE,             /* x87 only, 108-byte FNSAVE image */
	FPU_FXSAVE,             /* FXSAVE image: x87, MMX, and SSE if present */
};

extern enum fpu_format fpu_format;     /* chosen by the boot CPU */
extern bool fpu_has_sse, fpu_has_sse2; /* SSE usable in user mode (CR4 set) */
/* MXCSR bits this CPU accepts: a signal return that loads a user-written
 * image must check against it (FXRSTOR #GPs on a reserved bit). */
extern u32 fpu_mxcsr_mask;

/* Every CPU, BSP and APs, at bring-up: set CR0/CR4 for FP and SSE. The
 * first call (the BSP) also picks the format and makes the clean image. */
void fpu_init_cpu(void);

/* A new user thread's state: the clean image (exec-time registers). */
void fpu_init_thread(struct thread *t);
/* fork/clone: the child starts with a copy of the parent's registers.
 * parent is the caller (its registers are live) or not running. */
void fpu_copy(struct thread *child, struct thread *parent);
/* exec (and a kernel thread that wants FP, e.g. a ktest): the current
 * thread now has user state, reset to the clean image, live in the CPU. */
void fpu_reset_current(void);
/* The scheduler, before switch_to, interrupts off: save prev's registers,
 * load next's. */
void fpu_switch(struct thread *prev, struct thread *next);

/* What a user #MF (vector 16) or #XM (19) was about, from the live
 * registers: "divide by zero", "invalid operation", ... */
const char *fpu_fault_cause(int vector);

/* Low level, for fpu.c and its ktests: save the live registers into an
 * area (leaving them as they were) / load them from one, in a format. */
void fpu_save_to(void *area, enum fpu_format f);
void fpu_restore_from(const void *area, enum fpu_format f);
extern u8 fpu_clean_area[FPU_AREA_SIZE];

#endif
