/*
 * kmon: a tiny kernel monitor on the serial console, the interactive end of
 * the kernel when there is no user space to start (no init program). It is
 * also the quickest way to see the machine layer at work: type `cpus` and
 * watch every CPU's tick count move, `ipi` to reach every CPU.
 *
 * Commands are table entries (KMON_CMD) so a lab can add one in one place.
 */
#include <kernel/kmon.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/cmdline.h>
#include <kernel/crash.h>
#include <arch/x86/ipi.h>
#include <arch/x86/tsc.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <drivers/serial.h>
#include <drivers/qemu_exit.h>

extern const struct kmon_cmd __kmon_cmds_start[], __kmon_cmds_end[];

static void cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (const struct kmon_cmd *c = __kmon_cmds_start; c < __kmon_cmds_end; c++)
		kprintf("  %-10s %s\n", c->name, c->help);
}
KMON_CMD(help, cmd_help, "list commands");

static void cmd_cpus(int argc, char **argv)
{
	struct cpu *c;
	(void)argc, (void)argv;
	for (c = &cpus[0]; c < &cpus[ncpus_found]; c++)
		kprintf("cpu%d apic %u %s ticks %llu switches %llu cr3-loads %llu ipi-calls %u deferred %u running %s\n",
			c->id, c->apic_id, c->online ? "online" : "offline", c->ticks, c->ctx_switches,
			c->cr3_loads, c->ipi_calls, c->dfree_count, c->curr ? c->curr->name : "-");
}
KMON_CMD(cpus, cmd_cpus, "per-CPU state: LAPIC id, timer ticks, context switches");

static void cmd_ticks(int argc, char **argv)
{
	(void)argc, (void)argv;
	kprintf("jiffies %llu at hz=%u, uptime %llu ms, TSC %llu kHz\n", jiffies, hz, uptime_ms(),
		tsc_khz);
}
KMON_CMD(ticks, cmd_ticks, "the global tick counter and uptime");

static void cmd_threads(int argc, char **argv)
{
	(void)argc, (void)argv;
	sched_dump(kprintf);
}
KMON_CMD(threads, cmd_threads, "kernel threads and where they ran (ran-on is a CPU bitmask)");

static void cmd_mem(int argc, char **argv)
{
	(void)argc, (void)argv;
	frame_dump(kprintf);
	kmalloc_dump(kprintf);
}
KMON_CMD(mem, cmd_mem, "free frames and kernel heap use");

static volatile u32 ipi_reached;
static void ipi_mark(void *arg)
{
	(void)arg;
	atomic_or(&ipi_reached, 1u << this_cpu_id());
}

static void cmd_ipi(int argc, char **argv)
{
	(void)argc, (void)argv;
	ipi_reached = 0;
	on_each_cpu(ipi_mark, NULL, true);
	kprintf("ipi: reached %d of %d cpus (mask 0x%x)\n", __builtin_popcount(ipi_reached),
		ncpus_online, ipi_reached);
}
KMON_CMD(ipi, cmd_ipi, "run a function on every CPU with on_each_cpu()");

static void cmd_cmdline(int argc, char **argv)
{
	(void)argc, (void)argv;
	kprintf("command line: %s\noptions:\n", cmdline_get());
	cmdline_help(kprintf);
}
KMON_CMD(cmdline, cmd_cmdline, "the kernel command line and every option it takes");

static void cmd_crash(int argc, char **argv)
{
	if (argc < 2 || !crash_by_name(argv[1]))
		kprintf("usage: crash null|ud|div0|lock  (a deliberate kernel fault, to see a panic)\n");
}
KMON_CMD(crash, cmd_crash, "crash null|ud|div0|lock: fault on purpose and show the panic report");

static void cmd_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	kprintf("poweroff\n");
	qemu_exit(QEMU_EXIT_PASS);
}
KMON_CMD(poweroff, cmd_poweroff, "leave QEMU (exit status 1)");

static int read_line(char *buf, int size)
{
	int n = 0;

	for (;;) {
		int c = serial_getc();
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			buf[n] = 0;
			return n;
		}
		if (c == 0x7F || c == '\b') {
			if (n > 0) {
				n--;
				kprintf("\b \b");
			}
			continue;
		}
		if (c == 0x15) { /* Ctrl-U: kill the line */
			while (n > 0) {
				n--;
				kprintf("\b \b");
			}
			continue;
		}
		if (c < 0x20 || c > 0x7E || n >= size - 1)
			continue;
		buf[n++] = (char)c;
		kprintf("%c", c);
	}
}

static int split(char *s, char **argv, int max)
{
	int argc = 0;

	while (*s && argc < max) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	return argc;
}

void kmon_thread(void *arg)
{
	char line[128], *argv[8];

	(void)arg;
	printk("kmon: type 'help' for commands\n");
	for (;;) {
		kprintf("kmon> ");
		read_line(line, sizeof(line));
		int argc = split(line, argv, ARRAY_SIZE(argv));
		if (!argc)
			continue;
		const struct kmon_cmd *c;
		for (c = __kmon_cmds_start; c < __kmon_cmds_end; c++)
			if (!strcmp(c->name, argv[0]))
				break;
		if (c == __kmon_cmds_end)
			kprintf("kmon: unknown command '%s' (try 'help')\n", argv[0]);
		else
			c->fn(argc, argv);
	}
}
