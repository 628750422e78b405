/*
 * PCI configuration space through configuration mechanism #1 (ports 0xCF8
 * and 0xCFC), enough to find a device by class and read its BARs.
 *
 * Locks: an access is two port operations (address, then data), so every
 * access runs under pci_lock; otherwise two CPUs could interleave and one
 * would read the other's register.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <kernel/types.h>

/* Standard configuration header offsets. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_CLASS_PROG 0x09
#define PCI_SUBCLASS 0x0A
#define PCI_CLASS 0x0B
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_BAR_COUNT 6

#define PCI_CMD_IO 0x0001           /* respond to I/O space accesses */
#define PCI_CMD_BUS_MASTER 0x0004   /* may start DMA */
#define PCI_BAR_IO 0x00000001       /* bit 0 of a BAR: I/O space */
#define PCI_BAR_IO_MASK 0xFFFFFFFC

#define PCI_CLASS_STORAGE 0x01
#define PCI_SUBCLASS_IDE 0x01

/* A device (function) on the bus: bus/slot/function and what it is. */
struct pci_dev {
	u8 bus, slot, func;
	u16 vendor, device;
	u8 class, subclass, prog_if;
};

u32 pci_read32(const struct pci_dev *d, u8 off);
u16 pci_read16(const struct pci_dev *d, u8 off);
void pci_write32(const struct pci_dev *d, u8 off, u32 v);
void pci_write16(const struct pci_dev *d, u8 off, u16 v);

/* The first function on bus 0 with this class and subclass; false if none. */
bool pci_find_class(u8 class, u8 subclass, struct pci_dev *out);
/* BAR n's I/O port base, or 0 if it is not an I/O BAR (or unset). */
u16 pci_bar_io(const struct pci_dev *d, int n);
/* Let the device master the bus (DMA), and answer I/O accesses. */
void pci_enable_bus_master(const struct pci_dev *d);

#endif
