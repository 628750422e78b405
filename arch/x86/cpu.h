/*
 * Thin wrappers around the i386 instructions the kernel needs: port I/O,
 * control registers, EFLAGS, TSC, CPUID, and the few FPU instructions that
 * save, restore and reset a user's floating-point registers (used only by
 * arch/x86/fpu.c: the kernel itself never computes with them). Everything
 * here is a single instruction (or close); policy lives in the callers.
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include <kernel/types.h>

#define EFLAGS_IF 0x200

#define CR0_PE 0x00000001
#define CR0_MP 0x00000002       /* WAIT/FWAIT honour TS (set with a real FPU) */
#define CR0_EM 0x00000004       /* no FPU: every x87 instruction traps (#NM) */
#define CR0_TS 0x00000008       /* task switched: the next FP instruction traps (#NM) */
#define CR0_NE 0x00000020       /* x87 errors raise #MF, not the old IRQ 13 */
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PSE 0x00000010
#define CR4_PGE 0x00000080
#define CR4_OSFXSR 0x00000200   /* the OS saves SSE state with FXSAVE: SSE allowed */
#define CR4_OSXMMEXCPT 0x00000400 /* the OS handles #XM (else unmasked SIMD errors #UD) */

/* CPUID leaf 1, EDX */
#define CPUID1_EDX_FPU  (1u << 0)
#define CPUID1_EDX_MMX  (1u << 23)
#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID1_EDX_SSE  (1u << 25)
#define CPUID1_EDX_SSE2 (1u << 26)

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti takes effect after the next instruction, so no interrupt is lost
 * between the two: the classic way for an idle CPU to wait. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

static inline u32 read_eflags(void)
{
	u32 f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}
static inline bool irqs_enabled(void) { return read_eflags() & EFLAGS_IF; }

static inline u32 read_cr0(void) { u32 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline u32 read_cr2(void) { u32 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u32 read_cr3(void) { u32 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u32 read_cr4(void) { u32 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(u32 v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static inline void write_cr3(u32 v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline void write_cr4(u32 v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
static inline void invlpg(uintptr_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

static inline u32 read_ebp(void) { u32 v; __asm__ volatile("mov %%ebp, %0" : "=r"(v)); return v; }
static inline u32 read_esp(void) { u32 v; __asm__ volatile("mov %%esp, %0" : "=r"(v)); return v; }

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

/* FPU state. The save areas are 16-byte aligned (FXSAVE/FXRSTOR #GP
 * otherwise). None of these waits for a pending x87 exception, so the
 * kernel never takes a user's #MF itself. */
static inline void fxsave(void *area) { __asm__ volatile("fxsave (%0)" ::"r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor (%0)" ::"r"(area) : "memory"); }
static inline void fnsave(void *area) { __asm__ volatile("fnsave (%0)" ::"r"(area) : "memory"); }
static inline void frstor(const void *area) { __asm__ volatile("frstor (%0)" ::"r"(area) : "memory"); }
static inline void fninit(void) { __asm__ volatile("fninit" ::: "memory"); }
static inline void clts(void) { __asm__ volatile("clts" ::: "memory"); }
static inline u16 fnstsw(void) { u16 v; __asm__ volatile("fnstsw %0" : "=m"(v)); return v; }
static inline u16 fnstcw(void) { u16 v; __asm__ volatile("fnstcw %0" : "=m"(v)); return v; }
static inline u32 stmxcsr(void) { u32 v; __asm__ volatile("stmxcsr %0" : "=m"(v)); return v; }
static inline void ldmxcsr(u32 v) { __asm__ volatile("ldmxcsr %0" ::"m"(v) : "memory"); }

/* Atomic operations (lock-prefixed; x86 orders them as full barriers). */
static inline u32 xchg(volatile u32 *p, u32 v)
{
	__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}
static inline u32 cmpxchg(volatile u32 *p, u32 old, u32 new)
{
	u32 prev;
	__asm__ volatile("lock cmpxchgl %2, %1" : "=a"(prev), "+m"(*p) : "r"(new), "0"(old) : "memory");
	return prev;
}
static inline void atomic_inc(volatile u32 *p) { __asm__ volatile("lock incl %0" : "+m"(*p) :: "memory"); }
static inline void atomic_dec(volatile u32 *p) { __asm__ volatile("lock decl %0" : "+m"(*p) :: "memory"); }
static inline u32 atomic_add_return(volatile u32 *p, u32 v)
{
	u32 old = v;
	__asm__ volatile("lock xaddl %0, %1" : "+r"(old), "+m"(*p) :: "memory");
	return old + v;
}
static inline void atomic_or(volatile u32 *p, u32 v) { __asm__ volatile("lock orl %1, %0" : "+m"(*p) : "r"(v) : "memory"); }
static inline void atomic_and(volatile u32 *p, u32 v) { __asm__ volatile("lock andl %1, %0" : "+m"(*p) : "r"(v) : "memory"); }
/* A full barrier: earlier stores are visible before later loads (x86
 * reorders only that; a locked instruction forbids it, mfence needs SSE2). */
static inline void smp_mb(void) { __asm__ volatile("lock addl $0, (%%esp)" ::: "memory", "cc"); }

#endif
