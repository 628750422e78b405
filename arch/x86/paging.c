/*
 * Kernel page directory set-up.
 *
 * The boot directory (boot/entry.asm) maps only 16 MiB; here the BSP builds
 * kernel_pgdir: every 4 MiB of RAM up to DIRECT_MAP_END at KERNEL_BASE +
 * pa, global (so CR3 reloads keep them in the TLB), and the 4 MiB holding
 * the IOAPIC and LAPIC registers uncached at their own address. The low
 * half stays empty: it belongs to user address spaces, and an empty low
 * half makes a kernel NULL dereference fault.
 *
 * RAM above DIRECT_MAP_END (768 MiB) is not used: ppsos has no highmem.
 */
#include <arch/x86/paging.h>
#include <arch/x86/cpu.h>
#include <kernel/string.h>
#include <kernel/printk.h>

#define FW_WINDOW DIRECT_MAP_END /* two PDEs for fw_map() */

pde_t kernel_pgdir[PDES_PER_PGDIR] __aligned(PAGE_SIZE);
static phys_addr_t direct_end;

void paging_init(phys_addr_t ram_end)
{
	u32 i;

	if (ram_end > DIRECT_MAP_MAX)
		ram_end = DIRECT_MAP_MAX;
	direct_end = ALIGN_UP(ram_end, BIGPAGE_SIZE);
	if (direct_end > DIRECT_MAP_MAX)
		direct_end = DIRECT_MAP_MAX;
	memset(kernel_pgdir, 0, sizeof(kernel_pgdir));
	for (i = 0; i < direct_end; i += BIGPAGE_SIZE)
		kernel_pgdir[PDE_INDEX(KERNEL_BASE + i)] = pde_mkbig(i, _PAGE_RW | _PAGE_GLOBAL);
	kernel_pgdir[PDE_INDEX(MMIO_WINDOW)] =
		pde_mkbig(MMIO_WINDOW, _PAGE_RW | _PAGE_PCD | _PAGE_PWT | _PAGE_GLOBAL);
	write_cr4(read_cr4() | CR4_PSE | CR4_PGE);
	write_cr3(V2P(kernel_pgdir));
}

void paging_enable_ap(void)
{
	write_cr4(read_cr4() | CR4_PSE | CR4_PGE);
	write_cr3(V2P(kernel_pgdir));
}

phys_addr_t paging_direct_map_end(void)
{
	return direct_end;
}

void *fw_map(phys_addr_t pa, u32 len)
{
	phys_addr_t base = pa & ~(BIGPAGE_SIZE - 1);

	if (pa + len <= direct_end && pa + len >= pa)
		return P2V(pa);
	if (pa + len - base > 2 * BIGPAGE_SIZE)
		return NULL;
	for (u32 i = 0; i < 2; i++) {
		kernel_pgdir[PDE_INDEX(FW_WINDOW) + i] = pde_mkbig(base + i * BIGPAGE_SIZE, _PAGE_RW);
		invlpg(FW_WINDOW + i * BIGPAGE_SIZE);
	}
	return (void *)(FW_WINDOW + (pa - base));
}

phys_addr_t paging_ap_boot_pgdir(void)
{
	extern pde_t boot_pgdir[];
	pde_t *bp = P2V((phys_addr_t)boot_pgdir);

	/* Keep its low identity entries (the trampoline runs there), take
	 * the whole kernel half, so the AP's stack is mapped wherever it is. */
	memcpy(bp + KERNEL_PDE_FIRST, kernel_pgdir + KERNEL_PDE_FIRST,
	       (PDES_PER_PGDIR - KERNEL_PDE_FIRST) * sizeof(pde_t));
	return (phys_addr_t)boot_pgdir;
}
