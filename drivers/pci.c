/*
 * PCI configuration mechanism #1: write the address of a dword
 * (enable | bus | slot | function | register) to CONFIG_ADDRESS, then read
 * or write it at CONFIG_DATA. Word accesses go through the dword that holds
 * them, at CONFIG_DATA + (offset & 2), as the mechanism allows.
 *
 * Only bus 0 is scanned: QEMU's i440FX/PIIX machine puts everything the
 * kernel drives there, and a teaching kernel need not walk bridges.
 *
 * Lock: pci_lock around each address/data pair (see pci.h).
 */
#include <drivers/pci.h>
#include <kernel/spinlock.h>
#include <arch/x86/cpu.h>

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_ENABLE 0x80000000u
#define PCI_SLOTS 32
#define PCI_FUNCS 8
#define PCI_VENDOR_NONE 0xFFFF          /* nothing answers at this address */
#define PCI_HEADER_MULTIFUNC 0x80

static DEFINE_SPINLOCK(pci_lock);

static u32 pci_addr(u8 bus, u8 slot, u8 func, u8 off)
{
	return PCI_ENABLE | (u32)bus << 16 | (u32)slot << 11 | (u32)func << 8 | (off & 0xFC);
}

static u32 raw_read32(u8 bus, u8 slot, u8 func, u8 off)
{
	u32 v;

	spin_lock(&pci_lock);
	outl(PCI_CONFIG_ADDRESS, pci_addr(bus, slot, func, off));
	v = inl(PCI_CONFIG_DATA);
	spin_unlock(&pci_lock);
	return v;
}

u32 pci_read32(const struct pci_dev *d, u8 off)
{
	return raw_read32(d->bus, d->slot, d->func, off);
}

u16 pci_read16(const struct pci_dev *d, u8 off)
{
	return (u16)(pci_read32(d, off) >> ((off & 2) * 8));
}

void pci_write32(const struct pci_dev *d, u8 off, u32 v)
{
	spin_lock(&pci_lock);
	outl(PCI_CONFIG_ADDRESS, pci_addr(d->bus, d->slot, d->func, off));
	outl(PCI_CONFIG_DATA, v);
	spin_unlock(&pci_lock);
}

void pci_write16(const struct pci_dev *d, u8 off, u16 v)
{
	spin_lock(&pci_lock);
	outl(PCI_CONFIG_ADDRESS, pci_addr(d->bus, d->slot, d->func, off));
	outw(PCI_CONFIG_DATA + (off & 2), v);
	spin_unlock(&pci_lock);
}

static bool probe_func(u8 slot, u8 func, struct pci_dev *d)
{
	u32 id = raw_read32(0, slot, func, PCI_VENDOR_ID);
	u32 cls;

	if ((id & 0xFFFF) == PCI_VENDOR_NONE)
		return false;
	d->bus = 0;
	d->slot = slot;
	d->func = func;
	d->vendor = (u16)id;
	d->device = (u16)(id >> 16);
	cls = raw_read32(0, slot, func, PCI_CLASS_PROG & 0xFC);
	d->prog_if = (u8)(cls >> 8);
	d->subclass = (u8)(cls >> 16);
	d->class = (u8)(cls >> 24);
	return true;
}

bool pci_find_class(u8 class, u8 subclass, struct pci_dev *out)
{
	struct pci_dev d;

	for (u8 slot = 0; slot < PCI_SLOTS; slot++) {
		if (!probe_func(slot, 0, &d))
			continue;
		/* Functions 1-7 exist only on a multi-function device; PIIX's
		 * IDE is function 1 of the ISA bridge in slot 1. */
		bool multi = pci_read32(&d, PCI_HEADER_TYPE & 0xFC) >> 16 & PCI_HEADER_MULTIFUNC;
		for (u8 func = 0; func < (multi ? PCI_FUNCS : 1); func++) {
			if (!probe_func(slot, func, &d))
				continue;
			if (d.class == class && d.subclass == subclass) {
				*out = d;
				return true;
			}
		}
	}
	return false;
}

u16 pci_bar_io(const struct pci_dev *d, int n)
{
	u32 bar = pci_read32(d, (u8)(PCI_BAR0 + 4 * n));

	if (!(bar & PCI_BAR_IO))
		return 0;
	return (u16)(bar & PCI_BAR_IO_MASK);
}

void pci_enable_bus_master(const struct pci_dev *d)
{
	u16 cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, cmd | PCI_CMD_IO | PCI_CMD_BUS_MASTER);
}
