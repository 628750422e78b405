/*
 * Per-CPU GDT and TSS. Each CPU has its own table because each needs its own
 * TSS (the kernel stack loaded on a trap from ring 3 is per CPU, and a busy
 * TSS descriptor cannot be shared). Segments are flat: paging does all the
 * protection.
 */
#include <arch/x86/gdt.h>
#include <kernel/percpu.h>
#include <kernel/string.h>

#define SEG_P 0x80
#define SEG_DPL(d) ((d) << 5)
#define SEG_S 0x10             /* code or data (not system) */
#define SEG_CODE_RX 0x0A
#define SEG_DATA_RW 0x02
#define SEG_TSS32 0x09         /* available 32-bit TSS */
#define GRAN_4K_32 0xC         /* G=1, D/B=1 */

static u64 seg(u32 base, u32 limit, u8 access, u8 flags)
{
	u64 d = limit & 0xFFFF;

	d |= (u64)(base & 0xFFFFFF) << 16;
	d |= (u64)access << 40;
	d |= (u64)((limit >> 16) & 0xF) << 48;
	d |= (u64)(flags & 0xF) << 52;
	d |= (u64)(base >> 24) << 56;
	return d;
}

void gdt_init_cpu(struct cpu *c)
{
	struct gdt_desc_table *g = &c->gdt;
	struct {
		u16 limit;
		u32 base;
	} __packed desc;

	memset(g, 0, sizeof(*g));
	g->seg[SEG_KCODE] = seg(0, 0xFFFFF, SEG_P | SEG_DPL(0) | SEG_S | SEG_CODE_RX, GRAN_4K_32);
	g->seg[SEG_KDATA] = seg(0, 0xFFFFF, SEG_P | SEG_DPL(0) | SEG_S | SEG_DATA_RW, GRAN_4K_32);
	g->seg[SEG_UCODE] = seg(0, 0xFFFFF, SEG_P | SEG_DPL(3) | SEG_S | SEG_CODE_RX, GRAN_4K_32);
	g->seg[SEG_UDATA] = seg(0, 0xFFFFF, SEG_P | SEG_DPL(3) | SEG_S | SEG_DATA_RW, GRAN_4K_32);
	g->tss.ss0 = KERNEL_DS;
	g->tss.iomap_base = sizeof(struct tss); /* no I/O bitmap: ring 3 gets no ports */
	g->seg[SEG_TSS] = seg((u32)&g->tss, sizeof(struct tss) - 1, SEG_P | SEG_TSS32, 0);

	desc.limit = sizeof(g->seg) - 1;
	desc.base = (u32)g->seg;
	__asm__ volatile("lgdt %0" ::"m"(desc));
	__asm__ volatile("ljmp %0, $1f\n1:" ::"i"(KERNEL_CS));
	__asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" ::"r"(KERNEL_DS));
	__asm__ volatile("mov %0, %%fs; mov %0, %%gs" ::"r"(0));
	__asm__ volatile("ltr %0" ::"r"((u16)TSS_SEL));
}

void tss_set_kernel_stack(struct cpu *c, u32 esp0)
{
	c->gdt.tss.esp0 = esp0;
}
