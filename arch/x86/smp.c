/*
 * SMP start-up.
 *
 * smp_config_detect() finds the CPUs (ACPI MADT first, MP table second)
 * and numbers them with the BSP as cpu 0. smp_boot_aps() then starts the
 * others one at a time with the INIT-SIPI-SIPI sequence of the Intel MP
 * specification: each AP wakes in real mode in boot/trampoline.asm, climbs
 * to paged protected mode on the boot page directory, lands in ap_entry()
 * on the stack of its idle thread, sets itself up and says it is online.
 *
 * One at a time keeps it simple: the trampoline's parameter words are
 * shared, and a CPU that does not come up is reported and skipped.
 */
#include <arch/x86/smp.h>
#include <arch/x86/smp_config.h>
#include <arch/x86/lapic.h>
#include <arch/x86/paging.h>
#include <arch/x86/trap.h>
#include <arch/x86/tsc.h>
#include <arch/x86/cpu.h>
#include <arch/x86/fpu.h>
#include <kernel/sched.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/cmdline.h>

struct smp_config smp_config;

static int acpi_off;
static const char *const acpi_choices[] = { "on", "off", NULL };
CMDLINE_PARAM_ENUM(acpi, acpi_off, acpi_choices,
		   "off: ignore the ACPI MADT and find CPUs in the MP table (the fallback path)");

void smp_config_detect(void)
{
	struct smp_config *cfg = &smp_config;
	u32 bsp;

	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < 16; i++)
		cfg->isa[i].gsi = i;
	if (acpi_off || !acpi_find_madt(cfg)) {
		memset(cfg, 0, sizeof(*cfg));
		for (int i = 0; i < 16; i++)
			cfg->isa[i].gsi = i;
		if (!mptable_find(cfg)) {
			printk("smp: no ACPI MADT and no MP table: one CPU, LAPIC at its default address\n");
			cfg->source = "none";
			cfg->lapic_pa = 0xFEE00000;
			cfg->ncpus = 1;
		}
	}
	/* Make the CPU we run on cpu 0, whatever order the firmware used. */
	bsp = *(volatile u32 *)(cfg->lapic_pa + 0x20) >> 24;
	for (int i = 1; i < cfg->ncpus; i++) {
		if (cfg->apic_ids[i] == bsp) {
			cfg->apic_ids[i] = cfg->apic_ids[0];
			cfg->apic_ids[0] = bsp;
		}
	}
	cfg->apic_ids[0] = bsp;
	ncpus_found = cfg->ncpus;
	for (int i = 0; i < cfg->ncpus; i++) {
		cpus[i].id = i;
		cpus[i].apic_id = cfg->apic_ids[i];
	}
	printk("smp: %s lists %d CPUs (LAPIC at %p)%s\n", cfg->source, cfg->ncpus,
	       (void *)cfg->lapic_pa, cfg->ncpus_ignored ? ", more than MAX_CPUS ignored" : "");
}

/* An AP's first C code: on its idle thread's stack, boot page directory,
 * interrupts off. */
static void ap_entry(void)
{
	struct thread *idle = current();
	struct cpu *c = idle->cpu;

	paging_enable_ap();
	gdt_init_cpu(c);
	idt_load();
	fpu_init_cpu(); /* every CPU: CR0/CR4 for user x87/SSE */
	lapic_init();
	sched_init_ap(c, idle);
	lapic_timer_start();
	c->online = true;
	atomic_inc((volatile u32 *)&ncpus_online);
	sched_idle_loop();
}

// LAB 1 BEGIN: wait_online and smp_boot_aps: INIT-SIPI-SIPI, one AP at a time
static bool wait_online(struct cpu *c, u32 ms)
{
	u64 end = rdtsc() + tsc_khz * ms;

	while (!c->online) {
		if (rdtsc() > end)
			return false;
		cpu_relax();
	}
	return true;
}

void smp_boot_aps(void)
{
	extern char trampoline_start[], trampoline_end[], trampoline_params[];
	u32 *params = P2V(TRAMPOLINE_PA + (trampoline_params - trampoline_start));

	memcpy(P2V(TRAMPOLINE_PA), trampoline_start, trampoline_end - trampoline_start);
	for (int i = 1; i < ncpus_found; i++) {
		struct cpu *c = &cpus[i];
		struct thread *idle = sched_alloc_idle(c);

		if (!idle) {
			printk("smp: no memory for cpu %d's stack\n", i);
			break;
		}
		params[0] = paging_ap_boot_pgdir();
		params[1] = (u32)idle + KSTACK_SIZE;
		params[2] = (u32)ap_entry;

		lapic_send_ipi(c->apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
		udelay(200);
		lapic_send_ipi(c->apic_id, ICR_INIT | ICR_LEVEL);
		udelay(10000);
		for (int k = 0; k < 2 && !c->online; k++) {
			lapic_send_ipi(c->apic_id, ICR_STARTUP | (TRAMPOLINE_PA >> 12));
			wait_online(c, k == 0 ? 1 : 1000);
		}
		/* QEMU under TCG can be slow to schedule a new vCPU thread. */
		if (!wait_online(c, 3000))
			printk("smp: cpu %d (apic %u) did not come online, going on without it\n", i,
			       c->apic_id);
	}
}
// LAB 1 STUB
//void smp_boot_aps(void)
//{
//	/* TODO: copy the trampoline to TRAMPOLINE_PA, then start each AP with
//	 * INIT-SIPI-SIPI and wait for it to come online; see
//	 * docs/labs/01-boot-smp.md. Until then the kernel runs on the BSP alone. */
//	(void)ap_entry;
//	printk("LAB 1: smp_boot_aps is not implemented: %d CPUs found, only cpu 0 started\n",
//	       ncpus_found);
//}
// LAB 1 END
