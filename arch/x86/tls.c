/*
 * Thread-local storage segments: set_thread_area (243), get_thread_area
 * (244), and the per-thread GDT slots behind them (see tls.h).
 *
 * Invariants:
 * - t->tls[i] is 0 (empty) or a descriptor built by encode(): present,
 *   DPL 3, S=1, data (never code, never a system segment such as a call
 *   gate or TSS), 32-bit. Whatever user_desc a program passes, it cannot
 *   get a ring-0 or a code segment, so a TLS selector is only ever a way
 *   to add a base to its own data accesses; paging still protects.
 * - While a thread runs on a CPU, that CPU's GDT slots SEG_TLS_MIN..MAX
 *   equal its tls[] (tls_load at every switch, and again after
 *   set_thread_area or exec changes them, with interrupts off so the
 *   thread cannot move between the two writes).
 * - The kernel runs with %fs = %gs = 0 (vectors.asm zeroes them on entry),
 *   so a trap taken in kernel mode never reloads a user TLS selector; the
 *   user's values live in its trap frame and are popped on the way out,
 *   after tls_fixup_user_segments() (from proc_return_to_user, every way
 *   to user mode) has zeroed any that name an empty slot: set_thread_area
 *   cleared the slot %gs points at, or clone's CLONE_SETTLS did for a new
 *   thread that inherited %gs.
 *
 * Locks: none. tls[] is written only by its own thread (or before a new
 * thread first runs), the GDT slots only by their CPU with interrupts off.
 */
#include <arch/x86/tls.h>
#include <arch/x86/gdt.h>
#include <arch/x86/trap.h>
#include <arch/x86/cpu.h>
#include <kernel/sched.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <mm/uaccess.h>
#include <uapi/ppsos/ldt.h>

/* Linux's LDT_empty: the documented way to ask for "no segment". */
static bool desc_is_empty(const struct user_desc *u)
{
	return u->base_addr == 0 && u->limit == 0 && u->contents == 0 && u->read_exec_only == 1 &&
	       u->seg_32bit == 0 && u->limit_in_pages == 0 && u->seg_not_present == 1 &&
	       u->useable == 0;
}

/* Linux's LDT_zero: all zero but entry_number, which programs also use to
 * mean "no segment" (Linux accepts both). */
static bool desc_is_zero(const struct user_desc *u)
{
	return u->base_addr == 0 && u->limit == 0 && u->contents == 0 && u->read_exec_only == 0 &&
	       u->seg_32bit == 0 && u->limit_in_pages == 0 && u->seg_not_present == 0 &&
	       u->useable == 0;
}

/* Linux's tls_desc_okay: only present 32-bit data segments (contents 0,
 * expand-up, or 1, expand-down; 2 and 3 would be code). A 16-bit segment
 * would need espfix; a non-present one is an attack surface for nothing. */
static bool desc_ok(const struct user_desc *u)
{
	if (desc_is_empty(u) || desc_is_zero(u))
		return true;
	return u->seg_32bit && u->contents <= 1 && !u->seg_not_present;
}

static u64 encode(const struct user_desc *u)
{
	u8 access = SEG_P | SEG_DPL(3) | SEG_S | SEG_ACCESSED;
	u8 flags = SEG_FLAG_DB;

	if (!u->read_exec_only)
		access |= SEG_DATA_W;
	if (u->contents == 1)
		access |= SEG_DATA_E;
	if (u->limit_in_pages)
		flags |= SEG_FLAG_G;
	if (u->useable)
		flags |= SEG_FLAG_AVL;
	return seg_desc(u->base_addr, u->limit, access, flags);
}

/* Linux's fill_user_desc: an empty slot reads back as LDT_empty. */
static void decode(u64 d, u32 entry, struct user_desc *u)
{
	u8 access = seg_desc_access(d), flags = seg_desc_flags(d);

	memset(u, 0, sizeof(*u));
	u->entry_number = entry;
	u->base_addr = seg_desc_base(d);
	u->limit = seg_desc_limit(d);
	u->seg_32bit = !!(flags & SEG_FLAG_DB);
	u->contents = (access >> 2) & 3;
	u->read_exec_only = !(access & SEG_DATA_W);
	u->limit_in_pages = !!(flags & SEG_FLAG_G);
	u->seg_not_present = !(access & SEG_P);
	u->useable = !!(flags & SEG_FLAG_AVL);
}

void tls_load(struct cpu *c, struct thread *t)
{
	ASSERT(!irqs_enabled());
	for (int i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		c->gdt.seg[SEG_TLS_MIN + i] = t->tls[i];
}

/* Store t's slot idx; if t is running here, its CPU's GDT too. */
static void set_slot(struct thread *t, int idx, u64 desc)
{
	irq_push();
	t->tls[idx - SEG_TLS_MIN] = desc;
	if (t == current())
		tls_load(this_cpu(), t);
	irq_pop();
}

int tls_set_area(struct thread *t, u32 uaddr, bool write_back)
{
	struct user_desc u;
	int idx;

	if (copy_from_user(&u, uaddr, sizeof(u)))
		return -EFAULT;
	if (!desc_ok(&u))
		return -EINVAL;
	idx = (int)u.entry_number;
	if (idx == -1 && write_back) {
		for (idx = SEG_TLS_MIN; idx <= SEG_TLS_MAX; idx++)
			if (t->tls[idx - SEG_TLS_MIN] == 0)
				break;
		if (idx > SEG_TLS_MAX)
			return -ESRCH;
		if (copy_to_user(uaddr + offsetof(struct user_desc, entry_number), &idx, sizeof(idx)))
			return -EFAULT;
	}
	if (idx < SEG_TLS_MIN || idx > SEG_TLS_MAX)
		return -EINVAL;
	set_slot(t, idx, desc_is_empty(&u) || desc_is_zero(&u) ? 0 : encode(&u));
	return 0;
}

void tls_inherit(struct thread *child, const struct thread *parent)
{
	memcpy(child->tls, parent->tls, sizeof(child->tls));
}

void tls_clear(struct thread *t)
{
	for (int idx = SEG_TLS_MIN; idx <= SEG_TLS_MAX; idx++)
		set_slot(t, idx, 0);
}

/* Would loading sel into a data segment register fault with this CPU's
 * GDT? Only a TLS selector can: the flat user segments never change, and
 * user code could not have loaded anything else (no LDT; the kernel's
 * descriptors are DPL 0). */
static bool tls_sel_dead(struct cpu *c, u32 sel)
{
	u32 idx = (sel & 0xFFFF) >> 3;

	return !(sel & 4) && idx >= SEG_TLS_MIN && idx <= SEG_TLS_MAX && c->gdt.seg[idx] == 0;
}

void tls_fixup_user_segments(struct trapframe *tf)
{
	struct cpu *c = this_cpu();
	u32 ss = tf->user_ss & 0xFFFF, idx = ss >> 3;

	ASSERT(!irqs_enabled());
	if (tls_sel_dead(c, tf->gs))
		tf->gs = 0;
	if (tls_sel_dead(c, tf->fs))
		tf->fs = 0;
	if (tls_sel_dead(c, tf->es))
		tf->es = 0;
	if (tls_sel_dead(c, tf->ds))
		tf->ds = 0;
	/* %ss cannot be null in ring 3: a stack segment that became empty or
	 * read-only would fault iret. Linux sends SIGILL (do_iret_error). */
	if (!(ss & 4) && idx >= SEG_TLS_MIN && idx <= SEG_TLS_MAX &&
	    !(seg_desc_access(c->gdt.seg[idx]) & SEG_DATA_W)) {
		sti();
		proc_kill_fatal(SIGILL, "stack segment emptied under it, killed");
	}
}

long sys_set_thread_area(u32 uaddr, u32 a2, u32 a3, u32 a4, u32 a5)
{
	return tls_set_area(current(), uaddr, true);
}

long sys_get_thread_area(u32 uaddr, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct user_desc u;
	u32 idx;

	if (copy_from_user(&idx, uaddr + offsetof(struct user_desc, entry_number), sizeof(idx)))
		return -EFAULT;
	if (idx < SEG_TLS_MIN || idx > SEG_TLS_MAX)
		return -EINVAL;
	decode(current()->tls[idx - SEG_TLS_MIN], idx, &u);
	return copy_to_user(uaddr, &u, sizeof(u)) ? -EFAULT : 0;
}
