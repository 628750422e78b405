/*
 * The IDT: one table shared by every CPU, one gate per vector pointing at
 * the stubs in vectors.asm. All gates are interrupt gates (IF cleared on
 * entry), so a handler runs with interrupts off until it chooses otherwise.
 * Only int 0x80 may be raised from ring 3 (DPL 3).
 */
#include <arch/x86/trap.h>
#include <arch/x86/gdt.h>

struct gate {
	u16 off_lo, sel;
	u8 zero, type;
	u16 off_hi;
} __packed;

#define GATE_INT32 0x8E /* present, DPL 0, 32-bit interrupt gate */
#define GATE_DPL3 0x60

static struct gate idt[256] __aligned(8);
extern u32 vector_table[256];

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		idt[v].off_lo = vector_table[v] & 0xFFFF;
		idt[v].off_hi = vector_table[v] >> 16;
		idt[v].sel = KERNEL_CS;
		idt[v].zero = 0;
		idt[v].type = GATE_INT32 | (v == T_SYSCALL ? GATE_DPL3 : 0);
	}
}

void idt_load(void)
{
	struct {
		u16 limit;
		u32 base;
	} __packed desc = { sizeof(idt) - 1, (u32)idt };

	__asm__ volatile("lidt %0" ::"m"(desc));
}
