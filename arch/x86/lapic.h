/*
 * The local APIC of each CPU: its id, end-of-interrupt, the per-CPU timer,
 * and sending inter-processor interrupts. Mapped uncached at its physical
 * address (see memlayout.h).
 */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include <kernel/types.h>

#define ICR_INIT 0x00000500
#define ICR_STARTUP 0x00000600
#define ICR_NMI 0x00000400
#define ICR_FIXED 0x00000000
#define ICR_ASSERT 0x00004000
#define ICR_LEVEL 0x00008000
#define ICR_ALL_BUT_SELF 0x000C0000

extern u32 lapic_timer_count; /* initial count for one tick at `hz` */

void lapic_init(void);              /* this CPU */
u32 lapic_id(void);
void lapic_eoi(void);
void lapic_timer_calibrate(void);   /* BSP, once, against the PIT */
void lapic_timer_start(void);       /* this CPU, periodic at hz */
void lapic_timer_stop(void);        /* this CPU: no more ticks (tickless idle) */
void lapic_timer_resume(void);      /* this CPU: ticks again after a stop */
void lapic_send_ipi(u32 apic_id, u32 icr_lo);
void lapic_send_ipi_all_but_self(u32 icr_lo);
bool lapic_present(void);

#endif
