/*
 * Thread-local storage segments (set_thread_area, get_thread_area, and
 * clone's CLONE_SETTLS): three GDT slots, GDT_ENTRY_TLS_MIN.. (uapi
 * ppsos/ldt.h), whose descriptors belong to the thread. Each thread keeps
 * its three descriptors (struct thread's tls[]); a context switch copies
 * the next thread's into this CPU's GDT before it can return to user mode,
 * so %gs reloaded by user code always reads its own thread's base.
 * A descriptor is always a present, 32-bit, DPL 3 data segment, or empty.
 */
#ifndef ARCH_X86_TLS_H
#define ARCH_X86_TLS_H

#include <kernel/types.h>

struct thread;
struct cpu;

struct trapframe;

/* set_thread_area's work on thread t (current, or a new thread that has
 * not run yet) from the user_desc at uaddr. With write_back, entry -1
 * picks a free slot and its number is stored back; without (clone's
 * CLONE_SETTLS) the entry must be explicit, as on Linux. 0 or -errno
 * (-EFAULT, -EINVAL, -ESRCH: no free slot). */
int tls_set_area(struct thread *t, u32 uaddr, bool write_back);
/* Copy this CPU's TLS descriptors from t (scheduler, interrupts off). */
void tls_load(struct cpu *c, struct thread *t);
/* fork and clone: the child starts with its parent's descriptors. */
void tls_inherit(struct thread *child, const struct thread *parent);
/* exec: the current thread's descriptors are emptied. */
void tls_clear(struct thread *t);
/* Last thing before any return to user mode (proc_return_to_user),
 * interrupts off: a data segment register in tf that names an empty TLS
 * slot is zeroed (Linux does the same), so popping it cannot fault the
 * kernel; a %ss there ends the process (SIGILL). The slot may have been
 * emptied by set_thread_area since the load, or by CLONE_SETTLS for a new
 * thread that inherited the register. */
void tls_fixup_user_segments(struct trapframe *tf);

#endif
