/*
 * Segmentation, kept to the minimum protected mode requires: flat 4 GiB
 * code and data segments for ring 0 and ring 3, and one TSS per CPU (the
 * CPU loads the kernel stack from it on a trap from user mode).
 */
#ifndef ARCH_X86_GDT_H
#define ARCH_X86_GDT_H

#include <kernel/types.h>

#define SEG_KCODE 1
#define SEG_KDATA 2
#define SEG_UCODE 3
#define SEG_UDATA 4
#define SEG_TSS 5
#define NSEGS 6

#define KERNEL_CS (SEG_KCODE << 3)
#define KERNEL_DS (SEG_KDATA << 3)
#define USER_CS ((SEG_UCODE << 3) | 3)
#define USER_DS ((SEG_UDATA << 3) | 3)
#define TSS_SEL (SEG_TSS << 3)

struct tss {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap_base;
} __packed;

struct gdt_desc_table {
	u64 seg[NSEGS];
	struct tss tss;
};

struct cpu;
void gdt_init_cpu(struct cpu *c);
void tss_set_kernel_stack(struct cpu *c, u32 esp0);

#endif
