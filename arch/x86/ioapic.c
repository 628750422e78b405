/*
 * IOAPIC driver. All device IRQs enter through it; the legacy 8259 PICs are
 * remapped out of the way and masked (pic_disable). ISA IRQs may be wired to
 * a different global system interrupt, with a different polarity and
 * trigger, than their number says: the MADT's interrupt source overrides
 * (QEMU: IRQ 0 -> GSI 2) are applied in ioapic_route_isa().
 *
 * Lock: ioapic_lock serialises the index/data register pair.
 */
#include <arch/x86/ioapic.h>
#include <arch/x86/smp_config.h>
#include <arch/x86/cpu.h>
#include <kernel/spinlock.h>
#include <kernel/printk.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VER 0x01
#define REG_REDTBL 0x10
#define RTE_MASKED 0x10000
#define RTE_LEVEL 0x8000
#define RTE_ACTIVE_LOW 0x2000

static DEFINE_SPINLOCK(ioapic_lock);
static int nr_pins;

static u32 rd(u32 r)
{
	*(volatile u32 *)(smp_config.ioapic_pa + IOREGSEL) = r;
	return *(volatile u32 *)(smp_config.ioapic_pa + IOWIN);
}

static void wr(u32 r, u32 v)
{
	*(volatile u32 *)(smp_config.ioapic_pa + IOREGSEL) = r;
	*(volatile u32 *)(smp_config.ioapic_pa + IOWIN) = v;
}

void pic_disable(void)
{
	/* Remap the 8259s to vectors 0xE0-0xEF, in case one raises a
	 * spurious IRQ 7 or 15 while masked, then mask every line. */
	outb(0x20, 0x11);
	outb(0xA0, 0x11);
	outb(0x21, 0xE0);
	outb(0xA1, 0xE8);
	outb(0x21, 0x04);
	outb(0xA1, 0x02);
	outb(0x21, 0x01);
	outb(0xA1, 0x01);
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
}

void ioapic_init(void)
{
	if (!smp_config.ioapic_pa) {
		printk("ioapic: none found: no device interrupts (serial input is off)\n");
		return;
	}
	spin_lock(&ioapic_lock);
	nr_pins = ((rd(REG_VER) >> 16) & 0xFF) + 1;
	for (int i = 0; i < nr_pins; i++) {
		wr(REG_REDTBL + 2 * i, RTE_MASKED);
		wr(REG_REDTBL + 2 * i + 1, 0);
	}
	spin_unlock(&ioapic_lock);
	printk("ioapic: at %p, %d pins, gsi base %u\n", (void *)smp_config.ioapic_pa, nr_pins,
	       smp_config.ioapic_gsi_base);
}

void ioapic_route_isa(int irq, int vector, int cpu)
{
	u32 gsi = smp_config.isa[irq].gsi, flags = smp_config.isa[irq].flags;
	int pin = (int)(gsi - smp_config.ioapic_gsi_base);
	u32 lo = vector;

	if (!smp_config.ioapic_pa || pin < 0 || pin >= nr_pins) {
		printk("ioapic: cannot route IRQ %d (gsi %u)\n", irq, gsi);
		return;
	}
	if (flags & ISO_POLARITY_LOW)
		lo |= RTE_ACTIVE_LOW;
	if (flags & ISO_TRIGGER_LEVEL)
		lo |= RTE_LEVEL;
	spin_lock(&ioapic_lock);
	wr(REG_REDTBL + 2 * pin + 1, cpus[cpu].apic_id << 24);
	wr(REG_REDTBL + 2 * pin, lo);
	spin_unlock(&ioapic_lock);
}
