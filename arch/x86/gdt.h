/*
 * Segmentation, kept to the minimum protected mode requires: flat 4 GiB
 * code and data segments for ring 0 and ring 3, one TSS per CPU (the
 * CPU loads the kernel stack from it on a trap from user mode), and the
 * three thread-local storage slots GDT_ENTRY_TLS_MIN.. whose descriptors
 * belong to the running thread (arch/x86/tls.c).
 */
#ifndef ARCH_X86_GDT_H
#define ARCH_X86_GDT_H

#include <kernel/types.h>
#include <uapi/ppsos/ldt.h>

#define SEG_KCODE 1
#define SEG_KDATA 2
#define SEG_UCODE 3
#define SEG_UDATA 4
#define SEG_TSS 5
#define SEG_TLS_MIN GDT_ENTRY_TLS_MIN   /* 6, 7, 8: as on i386 Linux */
#define SEG_TLS_MAX (GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES - 1)
#define NSEGS (SEG_TLS_MAX + 1)

#define KERNEL_CS (SEG_KCODE << 3)
#define KERNEL_DS (SEG_KDATA << 3)
#define USER_CS ((SEG_UCODE << 3) | 3)
#define USER_DS ((SEG_UDATA << 3) | 3)
#define TSS_SEL (SEG_TSS << 3)

/* Descriptor bits: the access byte (bits 40-47) and the flags nibble
 * (bits 52-55) of a segment descriptor. */
#define SEG_P 0x80             /* present */
#define SEG_DPL(d) ((d) << 5)
#define SEG_S 0x10             /* code or data (not system) */
#define SEG_CODE_RX 0x0A
#define SEG_DATA_RW 0x02
#define SEG_DATA_W 0x02        /* data: writable */
#define SEG_DATA_E 0x04        /* data: expand-down */
#define SEG_ACCESSED 0x01      /* set in advance: the CPU never writes the GDT */
#define SEG_TSS32 0x09         /* available 32-bit TSS */
#define SEG_FLAG_AVL 0x1
#define SEG_FLAG_DB 0x4        /* 32-bit */
#define SEG_FLAG_G 0x8         /* limit in 4 KiB pages */
#define GRAN_4K_32 (SEG_FLAG_G | SEG_FLAG_DB)

/* A segment descriptor from its fields (limit: 20 bits). */
static inline u64 seg_desc(u32 base, u32 limit, u8 access, u8 flags)
{
	u64 d = limit & 0xFFFF;

	d |= (u64)(base & 0xFFFFFF) << 16;
	d |= (u64)access << 40;
	d |= (u64)((limit >> 16) & 0xF) << 48;
	d |= (u64)(flags & 0xF) << 52;
	d |= (u64)(base >> 24) << 56;
	return d;
}

static inline u32 seg_desc_base(u64 d) { return ((d >> 16) & 0xFFFFFF) | (u32)(d >> 56) << 24; }
static inline u32 seg_desc_limit(u64 d) { return (d & 0xFFFF) | ((d >> 48) & 0xF) << 16; }
static inline u8 seg_desc_access(u64 d) { return (u8)(d >> 40); }
static inline u8 seg_desc_flags(u64 d) { return (d >> 52) & 0xF; }

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
