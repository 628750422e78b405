/*
 * The per-CPU array and how a CPU finds its own entry (see percpu.h).
 */
#include <kernel/percpu.h>
#include <kernel/sched.h>

struct cpu cpus[MAX_CPUS];
int ncpus_found = 1;
volatile int ncpus_online;

struct cpu *this_cpu(void)
{
	return current()->cpu;
}
