/*
 * kmain: the boot CPU's path from the loader to a running SMP kernel.
 *
 * The order matters and each step says what it needs:
 *  1. sched_init_bsp   this_cpu() works (spinlocks, hence printk, need it)
 *  2. serial_init      printk has somewhere to go
 *  3. cmdline          options such as hz= are known before they are used
 *  4. paging_init      the direct map of all RAM replaces the boot mapping
 *  5. memmap, kmalloc  frames and kernel objects can be allocated
 *  6. GDT, IDT         faults produce a report instead of a triple fault;
 *     FPU              CR0/CR4 allow user x87/SSE (every CPU, arch/x86/fpu.c)
 *  7. TSC, LAPIC, IOAPIC, timer: interrupts on, this CPU ticks
 *  8. smp_boot_aps     the other CPUs come up and tick too
 * Steps 9 and 10 run in kinit, a kernel thread: disk I/O sleeps, and kmain
 * is the boot CPU's idle thread, which must never sleep.
 *  9. the disks (ATA), the VFS (/dev/console, /proc, the initrd's files),
 *     the swap area on the second disk, kppsd, and the frame map
 *     (kframemapd; framemap=on takes the VGA screen from here on)
 * 10. the first thread: ktests, or pid 1 (init), or the kernel monitor
 */
#include <boot/multiboot.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/cmdline.h>
#include <kernel/time.h>
#include <kernel/ktest.h>
#include <kernel/kmon.h>
#include <kernel/crash.h>
#include <kernel/framemap.h>
#include <mm/memmap.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <arch/x86/paging.h>
#include <arch/x86/trap.h>
#include <arch/x86/fpu.h>
#include <arch/x86/gdt.h>
#include <arch/x86/tsc.h>
#include <arch/x86/lapic.h>
#include <arch/x86/ioapic.h>
#include <arch/x86/ipi.h>
#include <arch/x86/smp.h>
#include <arch/x86/smp_config.h>
#include <drivers/serial.h>
#include <drivers/vga.h>
#include <drivers/ata/ata.h>
#include <mm/swapfile.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/rmap.h>
#include <kernel/proc.h>
#include <kernel/fs/vfs.h>

void proc_system_init(void);
void proc_pid_init(void);
void reclaim_request_init(void);
void kppsd_proc_init(void);
void fault_latency_proc_init(void);
void kppsd_cost_proc_init(void);
void framemap_proc_init(void);
void time_init_wallclock(void);

/* Boot, part two, in a thread of its own: the disks, the file systems,
 * swap, then the first real work. */
static void kinit(void *arg)
{
	(void)arg;
	ata_init();

	vfs_init();
	console_init();
	procfs_init();
	proc_system_init();
	proc_pid_init();
	reclaim_request_init();
	initrd_init();
	time_init_wallclock();
	swap_init();
	legacy_init();
	kppsd_init();
	kppsd_proc_init();
	fault_latency_proc_init();
	kppsd_cost_proc_init();
	framemap_init();
	framemap_proc_init();

	if (ata_bench_requested())
		kthread_run(ata_bench_thread, NULL, "ata_bench");
	else if (ktest_requested())
		kthread_run((void (*)(void *))ktest_run, NULL, "ktest");
	else if (crash_requested())
		kthread_run(crash_thread, NULL, "crash");
	else if (proc_init_available())
		proc_start_init();
	else
		kthread_run(kmon_thread, NULL, "kmon");
}

void kmain(u32 magic, u32 mbi_pa)
{
	struct multiboot_info *mbi = P2V(mbi_pa);
	const char *loader = "unknown loader";

	sched_init_bsp();
	serial_init();
	printk("ppsos: booting\n");
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not loaded by a multiboot loader (magic %#x)", magic);
	if (mbi->flags & MBI_LOADER_NAME)
		loader = P2V(mbi->boot_loader_name);
	cmdline_save(mbi->flags & MBI_CMDLINE ? P2V(mbi->cmdline) : "");
	printk("ppsos: loaded by %s, command line '%s'\n", loader, cmdline_get());
	cmdline_parse();

	phys_addr_t ram_end = memmap_ram_end(mbi);
	paging_init(ram_end);
	vga_init();
	gdt_init_cpu(&cpus[0]);
	idt_init();
	idt_load();
	fpu_init_cpu();
	initrd_note_modules(mbi);
	memmap_init(mbi, ram_end);
	kmalloc_init();

	tsc_calibrate();
	pic_disable();
	smp_config_detect();
	lapic_init();
	cpus[0].apic_id = lapic_id();
	ipi_init();
	ioapic_init();
	lapic_timer_calibrate();
	lapic_timer_start();
	cpus[0].online = true;
	ncpus_online = 1;
	sti();
	printk("time: TSC %llu kHz, LAPIC timer %u counts per tick at hz=%u\n", tsc_khz,
	       lapic_timer_count, hz);
	serial_enable_irq();

	smp_boot_aps();
	printk("smp: %d CPUs online in %llu ms\n", ncpus_online, uptime_ms());
	/* The rest may sleep (disk I/O), which the idle thread we are must
	 * never do: a kernel thread finishes the boot. */
	kthread_run(kinit, NULL, "kinit");
	sched_idle_loop();
}
