/*
 * The kernel's page directory: the direct map of RAM and the LAPIC/IOAPIC
 * window, all with 4 MiB global pages (see memlayout.h). Every address
 * space will share its PDEs from KERNEL_PDE_FIRST up.
 */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <kernel/types.h>
#include <arch/x86/pte.h>

extern pde_t kernel_pgdir[PDES_PER_PGDIR];

void paging_init(phys_addr_t ram_end);   /* BSP: build and load it */
void paging_enable_ap(void);             /* AP: load it */
phys_addr_t paging_direct_map_end(void);
/* Map firmware tables that may lie outside the direct map. The pointer is
 * good until the next call (one window, reused); boot CPU, early only. */
void *fw_map(phys_addr_t pa, u32 len);
/* Prepare boot_pgdir for the AP trampoline (identity low + kernel half). */
phys_addr_t paging_ap_boot_pgdir(void);

#endif
