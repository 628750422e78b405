/*
 * Address-space life cycle: create, reference, fork-copy, activate, free,
 * and TLB flushes for an mm (see mm.h for the locks).
 *
 * fork shares pages copy-on-write (mm/cow.c): the parent's and the child's
 * VMAs leave PPS for the legacy page system (mm/rmap.h), and come back
 * once each is again the only user of its pages (mm/pps_reenter.c).
 */
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/tlb_gather.h>
#include <mm/kmalloc.h>
#include <mm/vmstat.h>
#include <mm/dftlb.h>
#include <mm/swapfile.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/rmap.h>
#include <mm/legacy_fault.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/lock_assert.h>
#include <kernel/string.h>
#include <kernel/panic.h>
#include <kernel/errno.h>
#include <arch/x86/paging.h>
#include <arch/x86/ipi.h>
#include <arch/x86/cpu.h>

LIST_HEAD(mm_list);
volatile u32 nr_mm_dying;
DEFINE_SPINLOCK(mm_list_lock);

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));
	struct page *pd;

	if (!mm)
		return NULL;
	pd = alloc_page();
	if (!pd) {
		kfree(mm);
		return NULL;
	}
	pd->flags |= PG_pgtable;        /* for the frame map; free_pages clears it */
	mm->pgdir = page_address(pd);
	memset(mm->pgdir, 0, KERNEL_PDE_FIRST * sizeof(pde_t));
	/* The kernel half is the same in every address space. */
	memcpy(mm->pgdir + KERNEL_PDE_FIRST, kernel_pgdir + KERNEL_PDE_FIRST,
	       (PDES_PER_PGDIR - KERNEL_PDE_FIRST) * sizeof(pde_t));
	list_init(&mm->vmas);
	mm->users = 1;
	rwsem_init(&mm->mmap_lock, "mmap_lock");
	rwsem_init(&mm->pps_lock, "pps_lock");
	spin_init(&mm->page_table_lock, "page_table_lock");
	spin_lock(&mm_list_lock);
	list_add_tail(&mm->mm_list, &mm_list);
	spin_unlock(&mm_list_lock);
	return mm;
}

void mm_get(struct mm *mm)
{
	atomic_inc(&mm->users);
}

/*
 * mm_put drops users to 0 before it takes mm_list_lock to unlist the mm,
 * so a walker of mm_list can still meet it there. A plain mm_get would
 * bring it back to 1 and the mm would be freed twice (once by that
 * mm_put, once by the walker's); the walker must skip it instead.
 */
static bool mm_tryget_users(struct mm *mm)
{
	for (;;) {
		u32 n = mm->users;
		if (n == 0)
			return false;
		if (cmpxchg(&mm->users, n, n + 1) == n)
			return true;
	}
}

bool mm_tryget(struct mm *mm)
{
	ASSERT_HELD(&mm_list_lock);
	return mm_tryget_users(mm);
}

/* The same from a reverse-map walk: rmap_lock keeps the VMA that led to
 * mm linked, and mm_put unlinks its VMAs before it frees the mm. */
bool mm_tryget_rmap(struct mm *mm)
{
	ASSERT_HELD(&rmap_lock);
	return mm_tryget_users(mm);
}

void mm_put(struct mm *mm)
{
	struct list_head *p, *n;
	struct tlb_gather tlb;

	if (atomic_add_return(&mm->users, -1) != 0)
		return;
	atomic_inc(&nr_mm_dying);
	spin_lock(&mm_list_lock);
	list_del(&mm->mm_list);
	spin_unlock(&mm_list_lock);
	/* Nobody else can reach this mm now, except a reverse-map walker
	 * that found one of its VMAs in an anon family: mm_tryget_rmap
	 * refuses it (users is 0), and the VMAs leave their families here.
	 * No CPU has the mm loaded (the last user switched away, sched.c),
	 * so the gather's flush sends no IPI, and the tables can go at once. */
	tlb_gather_init(&tlb, mm);
	list_for_each_safe(p, n, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, node);
		tlb_zap_range(&tlb, v->start, v->end);
		list_del(&v->node);
		vma_free(v);
	}
	tlb_finish(&tlb);
	spin_lock(&mm->page_table_lock);
	ASSERT(mm->rss == 0);
	pgtable_free_all(mm);
	spin_unlock(&mm->page_table_lock);
	ASSERT(mm->cpu_mask == 0);
	free_page(virt_to_page(mm->pgdir));
	kfree(mm);
	atomic_add_return(&nr_mm_dying, -1);
}

/*
 * fork: the child gets a copy of every VMA, and shares the parent's pages
 * copy-on-write (mm/cow.c): both leave PPS for the legacy page system
 * until each is again the only user of its pages (pps_reenter.c).
 *
 * The parent's mmap_lock is held for writing: its PTEs lose write access,
 * and no fault, PPS stepper or swap-in may be halfway through one of them.
 * The child's is held for writing while it is built: it is on the mm list
 * already, and kppsd must not walk its VMAs half-copied. (Parent, then
 * child: nobody else can know the child yet, so the order cannot
 * deadlock.) Other threads of the parent may have the write access the
 * copy took away cached in their TLBs: the parent is flushed everywhere
 * before the child can run.
 */
struct mm *mm_dup(struct mm *old)
{
	struct mm *mm = mm_create();
	struct list_head *p;
	int err = 0;

	if (!mm)
		return NULL;
	down_write(&old->mmap_lock);
	down_write(&mm->mmap_lock);
	list_for_each(p, &old->vmas) {
		struct vma *v = list_entry(p, struct vma, node), *nv;
		nv = kmalloc(sizeof(*nv));
		if (!nv) {
			err = -1;
			break;
		}
		*nv = *v;
		/* As in Linux, memory locks are not inherited: the child's
		 * copies are ordinary reclaimable pages (mlock(2)). */
		nv->flags &= ~VM_LOCKED;
		nv->mm = mm;
		nv->anon = NULL;
		list_init(&nv->anon_node);
		list_init(&nv->node);
		list_add_tail(&nv->node, &mm->vmas);
		mm->nr_vmas++;
		err = copy_vma_cow(mm, nv, old, v);
		if (err)
			break;
	}
	mm->brk_start = old->brk_start;
	mm->brk = old->brk;
	mm->stack_vm = old->stack_vm;
	mm->start_code = old->start_code;
	mm->end_code = old->end_code;
	mm->start_data = old->start_data;
	mm->end_data = old->end_data;
	up_write(&mm->mmap_lock);
	mm_flush_tlb_range(old, 0, USER_TOP);
	up_write(&old->mmap_lock);
	if (err) {
		mm_put(mm);
		return NULL;
	}
	return mm;
}

/*
 * Load mm's page directory on this CPU (NULL: the kernel's), interrupts off.
 *
 * mm->cpu_mask is the set of CPUs that have mm in CR3 right now, so the
 * only CPUs whose TLBs may hold its translations (there are no global user
 * pages and no PCIDs: a CR3 load drops them all). The bit is set before
 * the load and cleared after the switch away; a flusher that changed PTEs
 * and then reads the mask (after a full barrier) either sees the bit or
 * knows the CPU loads CR3 after its change and walks the new PTEs. For a
 * single-threaded process that is at most the CPU it runs on; the threads
 * of one mm may have it loaded on several CPUs at once, and those are the
 * CPUs that a shootdown interrupts (mm_flush_tlb_range) and that a delayed
 * flush task waits for (dftlb_close).
 *
 * Switching between two threads of the same mm loads nothing: the TLB
 * stays warm and the bit stays set. cr3_loads counts the real switches.
 */
void mm_activate(struct mm *mm)
{
	struct cpu *c = this_cpu();
	struct mm *old = c->loaded_mm;
	u32 me = 1u << c->id;

	ASSERT(!irqs_enabled());
	if (old == mm)
		return;
	if (mm)
		atomic_or(&mm->cpu_mask, me); /* a locked op: a full barrier before the load */
	write_cr3(mm ? V2P(mm->pgdir) : V2P(kernel_pgdir));
	c->loaded_mm = mm;
	dftlb_cr3_switched(); /* the CR3 load flushed every user TLB entry */
	c->cr3_loads++;       /* after the bits it cleared, as ticks (time.c) */
	/* old is still referenced: its last user switches away before the
	 * mm_put that frees it (proc_teardown, thread_exit, exec). */
	if (old)
		atomic_and(&old->cpu_mask, ~me);
}

void kthread_use_mm(struct mm *mm)
{
	struct thread *t = current();

	ASSERT(!t->proc && !t->use_mm);
	irq_push(); /* no switch between the field and the load */
	t->use_mm = mm;
	mm_activate(mm);
	irq_pop();
}

void kthread_unuse_mm(void)
{
	struct thread *t = current();

	ASSERT(t->use_mm);
	irq_push();
	t->use_mm = NULL;
	mm_activate(NULL);
	irq_pop();
}

/* Pages covered by the VMAs whose flags include all of `flags`. */
static u32 mm_vm_pages(struct mm *mm, u32 flags)
{
	struct list_head *p;
	u32 n = 0;

	list_for_each(p, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, node);
		if ((v->flags & flags) == flags)
			n += (v->end - v->start) >> PAGE_SHIFT;
	}
	return n;
}

u32 mm_total_vm(struct mm *mm)
{
	return mm_vm_pages(mm, 0);
}

u32 mm_locked_vm(struct mm *mm)
{
	return mm_vm_pages(mm, VM_LOCKED);
}

struct flush_req {
	phys_addr_t pgdir_pa;
	u32 start, end;
};

/* Runs on each target CPU, interrupts off. One that has switched away
 * since the mask was read has nothing to do: its CR3 load flushed. */
static void flush_local(void *arg)
{
	struct flush_req *r = arg;

	if (read_cr3() != r->pgdir_pa)
		return;
	if (r->end - r->start > 32 * PAGE_SIZE) {
		write_cr3(r->pgdir_pa); /* also drops cached directory entries */
		return;
	}
	for (u32 va = r->start; va < r->end; va += PAGE_SIZE)
		invlpg(va);
}

/*
 * The shootdown. The caller has changed the PTEs; after a full barrier the
 * mask names every CPU that may still cache them. A CPU that sets its bit
 * after our read loads CR3 after it (mm_activate: bit, then load), so it
 * walks the new entries; a CPU that clears its bit after our read has
 * loaded another CR3 first, and the IPI finds nothing to do. Each CPU
 * interrupted counts once in tlb_ipi. We wait for every target, so the
 * caller may free what the old entries mapped when this returns.
 */
void mm_flush_tlb_range(struct mm *mm, u32 start, u32 end)
{
	struct flush_req r = { V2P(mm->pgdir), start, end };
	u32 others;

	irq_push();
	smp_mb(); /* the PTE changes before the read of who has mm loaded */
	others = mm->cpu_mask & ~(1u << this_cpu_id());
	if (!others) {
		flush_local(&r);
		irq_pop();
		return;
	}
	/* Waiting for IPIs with a spinlock held could deadlock: a target
	 * spinning on it with interrupts off would never take ours. */
	ASSERT(this_cpu()->ncli == 1 && this_cpu()->intena);
	count_vm_events(TLB_IPI, __builtin_popcount(others)); /* only online CPUs load an mm */
	on_cpus(others | (1u << this_cpu_id()), flush_local, &r, true);
	irq_pop();
}
