/* Low-memory firmware scans shared by acpi.c and mptable.c (bios_scan.h).
 * Everything scanned is below 1 MiB, inside the direct map. */
#include <arch/x86/bios_scan.h>
#include <arch/x86/memlayout.h>
#include <kernel/string.h>

bool bios_checksum_ok(const void *p, u32 len)
{
	u8 sum = 0;

	for (u32 i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

phys_addr_t bios_ebda(void)
{
	phys_addr_t ebda = (phys_addr_t)(*(u16 *)P2V(0x40E)) << 4;

	return ebda >= 0x80000 && ebda < 0xA0000 ? ebda : 0;
}

void *bios_scan(phys_addr_t pa, u32 len, const char *sig, u32 siglen, u32 sumlen)
{
	for (phys_addr_t a = pa; a + sumlen <= pa + len; a += 16) {
		void *p = P2V(a);
		if (!memcmp(p, sig, siglen) && bios_checksum_ok(p, sumlen))
			return p;
	}
	return NULL;
}
