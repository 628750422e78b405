/* The IOAPIC: routes device interrupt lines (GSIs) to CPUs and vectors. */
#ifndef ARCH_X86_IOAPIC_H
#define ARCH_X86_IOAPIC_H

#include <kernel/types.h>

void ioapic_init(void);
/* Route ISA IRQ `irq` (after the MADT's overrides) to `vector` on cpu. */
void ioapic_route_isa(int irq, int vector, int cpu);
void pic_disable(void);

#endif
