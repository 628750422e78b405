/*
 * ACPI, just enough to find the CPUs: RSDP -> RSDT -> MADT ("APIC").
 *
 * QEMU's MP table lists only the first CPU of each socket for a plain
 * `-smp 4`, so the MADT is the source we trust; mptable.c is the fallback
 * for firmware without ACPI. Tables are read through fw_map() because they
 * may lie above the direct map on machines with a lot of RAM; a fw_map()
 * pointer is good only until the next fw_map() call.
 */
#include <arch/x86/smp_config.h>
#include <arch/x86/paging.h>
#include <arch/x86/memlayout.h>
#include <arch/x86/bios_scan.h>
#include <kernel/string.h>
#include <kernel/printk.h>

struct rsdp {
	char sig[8];            /* "RSD PTR " */
	u8 checksum;
	char oem[6];
	u8 revision;
	u32 rsdt_pa;
} __packed;

struct sdt_header {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __packed;

struct madt {
	struct sdt_header h;
	u32 lapic_pa;
	u32 flags;
	u8 entries[];
} __packed;

#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_ENABLED 0x1
#define MADT_LAPIC_ONLINE_CAPABLE 0x2

static void madt_parse(struct madt *m, struct smp_config *cfg)
{
	u8 *p = m->entries, *end = (u8 *)m + m->h.length;

	cfg->lapic_pa = m->lapic_pa;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		switch (p[0]) {
		case MADT_LAPIC: {
			// LAB 1 BEGIN: a Processor Local APIC entry: record the CPU's APIC id
			u8 apic_id = p[3];
			u32 flags = *(u32 *)(p + 4);
			if (!(flags & (MADT_LAPIC_ENABLED | MADT_LAPIC_ONLINE_CAPABLE)))
				break;
			if (cfg->ncpus < MAX_CPUS)
				cfg->apic_ids[cfg->ncpus++] = apic_id;
			else
				cfg->ncpus_ignored++;
			// LAB 1 STUB
			//	/* TODO: read the entry's APIC id (byte 3) and flags (bytes 4-7) and
			//	 * add the usable CPUs to cfg->apic_ids; see docs/labs/01-boot-smp.md.
			//	 * With none listed, smp_config_detect() falls back to the MP table. */
			// LAB 1 END
			break;
		}
		case MADT_IOAPIC:
			if (!cfg->ioapic_pa) { /* the first one: QEMU has only one */
				cfg->ioapic_pa = *(u32 *)(p + 4);
				cfg->ioapic_gsi_base = *(u32 *)(p + 8);
			}
			break;
		case MADT_ISO: {
			u8 irq = p[3];
			u32 gsi = *(u32 *)(p + 4);
			u16 flags = *(u16 *)(p + 8);
			if (irq < 16) {
				cfg->isa[irq].gsi = gsi;
				cfg->isa[irq].flags = ((flags & 3) == 3 ? ISO_POLARITY_LOW : 0) |
						      (((flags >> 2) & 3) == 3 ? ISO_TRIGGER_LEVEL : 0);
			}
			break;
		}
		}
		p += p[1];
	}
}

bool acpi_find_madt(struct smp_config *cfg)
{
	phys_addr_t ebda = bios_ebda();
	struct rsdp *r = NULL;
	u32 entries[64];
	u32 n;

	if (ebda)
		r = bios_scan(ebda, 1024, "RSD PTR ", 8, 20);
	if (!r)
		r = bios_scan(0xE0000, 0x20000, "RSD PTR ", 8, 20);
	if (!r)
		return false;

	struct sdt_header *rsdt = fw_map(r->rsdt_pa, sizeof(*rsdt));
	u32 len = rsdt->length;
	if (memcmp(rsdt->sig, "RSDT", 4) || len < sizeof(*rsdt) || len > 4096) {
		printk("acpi: RSDT at %p is not valid\n", (void *)r->rsdt_pa);
		return false;
	}
	rsdt = fw_map(r->rsdt_pa, len);
	if (!bios_checksum_ok(rsdt, len)) {
		printk("acpi: RSDT checksum is wrong\n");
		return false;
	}
	n = (len - sizeof(*rsdt)) / 4;
	if (n > ARRAY_SIZE(entries))
		n = ARRAY_SIZE(entries);
	memcpy(entries, rsdt + 1, n * 4);

	for (u32 i = 0; i < n; i++) {
		struct sdt_header *h = fw_map(entries[i], sizeof(*h));
		if (memcmp(h->sig, "APIC", 4))
			continue;
		u32 mlen = h->length;
		if (mlen < sizeof(struct madt) || mlen > 65536) {
			printk("acpi: MADT length %u is not valid\n", mlen);
			return false;
		}
		struct madt *m = fw_map(entries[i], mlen);
		if (!bios_checksum_ok(m, mlen)) {
			printk("acpi: MADT checksum is wrong\n");
			return false;
		}
		madt_parse(m, cfg);
		cfg->source = "ACPI MADT";
		return cfg->ncpus > 0;
	}
	return false;
}
