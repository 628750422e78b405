/*
 * Per-CPU GDT and TSS. Each CPU has its own table because each needs its own
 * TSS (the kernel stack loaded on a trap from ring 3 is per CPU, and a busy
 * TSS descriptor cannot be shared), and its TLS slots hold the descriptors
 * of the thread it runs (arch/x86/tls.c). The kernel's and the user's own
 * segments are flat: paging does all the protection.
 */
#include <arch/x86/gdt.h>
#include <kernel/percpu.h>
#include <kernel/string.h>

void gdt_init_cpu(struct cpu *c)
{
	struct gdt_desc_table *g = &c->gdt;
	struct {
		u16 limit;
		u32 base;
	} __packed desc;

	memset(g, 0, sizeof(*g));
	g->seg[SEG_KCODE] = seg_desc(0, 0xFFFFF, SEG_P | SEG_DPL(0) | SEG_S | SEG_CODE_RX, GRAN_4K_32);
	g->seg[SEG_KDATA] = seg_desc(0, 0xFFFFF, SEG_P | SEG_DPL(0) | SEG_S | SEG_DATA_RW, GRAN_4K_32);
	g->seg[SEG_UCODE] = seg_desc(0, 0xFFFFF, SEG_P | SEG_DPL(3) | SEG_S | SEG_CODE_RX, GRAN_4K_32);
	g->seg[SEG_UDATA] = seg_desc(0, 0xFFFFF, SEG_P | SEG_DPL(3) | SEG_S | SEG_DATA_RW, GRAN_4K_32);
	g->tss.ss0 = KERNEL_DS;
	g->tss.iomap_base = sizeof(struct tss); /* no I/O bitmap: ring 3 gets no ports */
	g->seg[SEG_TSS] = seg_desc((u32)&g->tss, sizeof(struct tss) - 1, SEG_P | SEG_TSS32, 0);
	/* The TLS slots start empty; tls_load() fills them at each switch. */

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
