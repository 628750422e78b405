/*
 * What the firmware tells us about the machine's CPUs and interrupt
 * controllers, from the ACPI MADT (acpi.c) or, failing that, the Intel MP
 * table (mptable.c). Filled once by the BSP before any AP starts; read-only
 * afterwards.
 */
#ifndef ARCH_X86_SMP_CONFIG_H
#define ARCH_X86_SMP_CONFIG_H

#include <kernel/types.h>
#include <kernel/percpu.h>

#define ISO_POLARITY_LOW 0x1
#define ISO_TRIGGER_LEVEL 0x2

struct smp_config {
	const char *source;         /* "ACPI MADT", "MP table" or "none" */
	u32 lapic_pa;
	int ncpus;
	u32 apic_ids[MAX_CPUS];     /* [0] is the BSP */
	int ncpus_ignored;          /* beyond MAX_CPUS */
	u32 ioapic_pa;
	u32 ioapic_gsi_base;
	struct {
		u32 gsi;            /* ISA IRQ n is wired to this GSI */
		u32 flags;          /* ISO_* */
	} isa[16];
};

extern struct smp_config smp_config;

bool acpi_find_madt(struct smp_config *cfg);
bool mptable_find(struct smp_config *cfg);
void smp_config_detect(void);

#endif
