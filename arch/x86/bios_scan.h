/*
 * Finding firmware structures in low memory: both the ACPI RSDP and the MP
 * floating pointer sit on a 16-byte boundary in the EBDA's first KiB or in
 * the BIOS ROM area, and both are checked by a byte sum of zero.
 */
#ifndef ARCH_X86_BIOS_SCAN_H
#define ARCH_X86_BIOS_SCAN_H

#include <kernel/types.h>

bool bios_checksum_ok(const void *p, u32 len);
/* Where the EBDA starts (from the BIOS data area), or 0 if implausible. */
phys_addr_t bios_ebda(void);
/* First 16-byte-aligned structure in [pa, pa+len) starting with sig
 * (siglen bytes) whose first sumlen bytes sum to zero; NULL if none. */
void *bios_scan(phys_addr_t pa, u32 len, const char *sig, u32 siglen, u32 sumlen);

#endif
