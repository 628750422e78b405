/*
 * The Intel MultiProcessor Specification table: the fallback when there is
 * no ACPI MADT. Note that QEMU's lists only the first CPU of each socket
 * for a plain `-smp N`, which is why the MADT comes first.
 */
#include <arch/x86/smp_config.h>
#include <arch/x86/paging.h>
#include <arch/x86/memlayout.h>
#include <arch/x86/bios_scan.h>
#include <kernel/string.h>

struct mp_fp {
	char sig[4];            /* "_MP_" */
	u32 config_pa;
	u8 length, spec, checksum, feature1;
	u8 feature2, reserved[3];
} __packed;

struct mp_config {
	char sig[4];            /* "PCMP" */
	u16 length;
	u8 spec, checksum;
	char oem[20];
	u32 oem_table, oem_size_count_etc;
	u32 lapic_pa;
	u16 ext_length;
	u8 ext_checksum, reserved;
} __packed;

#define MP_PROC 0
#define MP_BUS 1
#define MP_IOAPIC 2
#define MP_IOINTR 3
#define MP_LINTR 4
#define MP_PROC_ENABLED 0x1
#define MP_PROC_BSP 0x2

bool mptable_find(struct smp_config *cfg)
{
	phys_addr_t ebda = bios_ebda();
	struct mp_fp *fp = NULL;

	if (ebda)
		fp = bios_scan(ebda, 1024, "_MP_", 4, 16);
	if (!fp)
		fp = bios_scan(0x9FC00, 1024, "_MP_", 4, 16);
	if (!fp)
		fp = bios_scan(0xF0000, 0x10000, "_MP_", 4, 16);
	if (!fp || !fp->config_pa)
		return false;
	struct mp_config *mc = fw_map(fp->config_pa, sizeof(*mc));
	u16 len = mc->length;
	if (memcmp(mc->sig, "PCMP", 4) || len < sizeof(*mc))
		return false;
	mc = fw_map(fp->config_pa, len);
	if (!bios_checksum_ok(mc, len))
		return false;

	cfg->lapic_pa = mc->lapic_pa;
	u8 *p = (u8 *)(mc + 1), *end = (u8 *)mc + len;
	while (p < end) {
		switch (*p) {
		case MP_PROC:
			if (p[3] & MP_PROC_ENABLED) {
				if (cfg->ncpus >= MAX_CPUS) {
					cfg->ncpus_ignored++;
				} else if (p[3] & MP_PROC_BSP && cfg->ncpus) {
					/* keep the BSP first */
					cfg->apic_ids[cfg->ncpus++] = cfg->apic_ids[0];
					cfg->apic_ids[0] = p[1];
				} else {
					cfg->apic_ids[cfg->ncpus++] = p[1];
				}
			}
			p += 20;
			break;
		case MP_IOAPIC:
			if (!cfg->ioapic_pa && (p[3] & 1))
				cfg->ioapic_pa = *(u32 *)(p + 4);
			p += 8;
			break;
		case MP_BUS:
		case MP_IOINTR:
		case MP_LINTR:
			p += 8;
			break;
		default:
			return cfg->ncpus > 0; /* unknown entry: stop, keep what we have */
		}
	}
	cfg->source = "MP table";
	return cfg->ncpus > 0;
}
