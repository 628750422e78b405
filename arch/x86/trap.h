/*
 * Trap frames and the interrupt vector map.
 *
 * struct trapframe is what arch/x86/vectors.asm leaves on the stack: the
 * registers saved by pusha, the segment registers, the vector and error
 * code, and what the CPU pushed. Change the two together.
 */
#ifndef ARCH_X86_TRAP_H
#define ARCH_X86_TRAP_H

#include <kernel/types.h>

struct trapframe {
	u32 edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax; /* pusha */
	u32 gs, fs, es, ds;
	u32 vector, err;
	u32 eip, cs, eflags; /* pushed by the CPU */
	u32 user_esp, user_ss; /* only on a change of privilege level */
};

/* Vector map. 0-31 are the CPU's exceptions. */
#define T_DE 0   /* divide error */
#define T_DB 1
#define T_NMI 2
#define T_BP 3
#define T_UD 6   /* invalid opcode */
#define T_NM 7   /* device not available (FPU off: CR0.EM or CR0.TS) */
#define T_DF 8   /* double fault */
#define T_GP 13  /* general protection */
#define T_PF 14  /* page fault */
#define T_MF 16  /* x87 floating-point error */
#define T_AC 17  /* alignment check */
#define T_XM 19  /* SIMD floating-point error */
#define IRQ_BASE 0x20            /* IOAPIC pins 0..23 -> 0x20..0x37 */
#define T_SYSCALL 0x80           /* Linux's int 0x80 */
#define T_TIMER 0xF0             /* LAPIC timer */
#define T_IPI_CALL 0xF1          /* on_each_cpu */
#define T_IPI_RESCHED 0xF2       /* wake an idle CPU to pick up work */
#define T_SPURIOUS 0xFF

typedef void (*irq_handler_t)(struct trapframe *tf);

void idt_init(void);
void idt_load(void);
void trap_set_handler(int vector, irq_handler_t fn);
void trap_dispatch(struct trapframe *tf);
const char *trap_name(int vector);
const char *trap_mnemonic(int vector);

/* True while this CPU is handling a hardware interrupt. */
bool in_interrupt(void);

#endif
