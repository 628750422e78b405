/*
 * Address-space life cycle: create, reference, fork-copy, activate, free,
 * and TLB flushes for an mm (see mm.h for the locks).
 *
 * fork copies eagerly: every page of the parent gets a frame of the child's
 * own, so the one-to-one model holds in both and no page is ever shared
 * (docs/design.md, "fork"). It costs memory and time at fork; it saves a reverse
 * map and makes every page's owner obvious.
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
bool mm_tryget(struct mm *mm)
{
	ASSERT_HELD(&mm_list_lock);
	for (;;) {
		u32 n = mm->users;
		if (n == 0)
			return false;
		if (cmpxchg(&mm->users, n, n + 1) == n)
			return true;
	}
}

void mm_put(struct mm *mm)
{
	struct list_head *p, *n;
	struct tlb_gather tlb;

	if (atomic_add_return(&mm->users, -1) != 0)
		return;
	spin_lock(&mm_list_lock);
	list_del(&mm->mm_list);
	spin_unlock(&mm_list_lock);
	/* Nobody else can reach this mm now: no lock needed for the VMAs,
	 * but the page-table helpers expect page_table_lock. No CPU has it
	 * loaded (the last user switched away, sched.c), so the gather's
	 * flush sends no IPI, and the tables can go at once. */
	tlb_gather_init(&tlb, mm);
	spin_lock(&mm->page_table_lock);
	list_for_each_safe(p, n, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, node);
		pte_zap_range(&tlb, v->start, v->end);
		list_del(&v->node);
		kfree(v);
	}
	ASSERT(mm->rss == 0);
	pgtable_free_all(mm);
	spin_unlock(&mm->page_table_lock);
	ASSERT(mm->cpu_mask == 0);
	tlb_finish(&tlb);
	free_page(virt_to_page(mm->pgdir));
	kfree(mm);
}

/*
 * Copy one PTE of the parent (*sp, at va) into the child, both page-table
 * locks held. *np is a frame the caller allocated (or NULL): -EAGAIN says
 * the page needs one, and the caller drops the locks to allocate it. On
 * success *np has been used (NULL), or is still free for the next page.
 */
static int copy_one_pte(struct mm *dst, struct mm *src, u32 va, pte_t *sp, struct page **np)
{
	pte_t *dp, pte = *sp;

	ASSERT_HELD(&src->page_table_lock);
	ASSERT_HELD(&dst->page_table_lock);
	if (pte_swapped(pte)) {
		/* The child shares the slot (its use count says so) and reads
		 * its own copy if it ever touches the page. A page being read
		 * in right now (busy) is still on its slot: the child gets an
		 * idle SwappedPTE, and the parent's reader, seeing a second
		 * use, leaves the slot to the child. */
		if (swap_slot_dup(&swap_area_main, pte_swp_slot(pte)))
			return -ENOMEM;
		dp = pte_alloc(dst, va);
		if (!dp) {
			swap_slot_free(&swap_area_main, pte_swp_slot(pte));
			return -ENOMEM;
		}
		*dp = pte_mkswapin_idle(pte);
		return 0;
	}
	if (!pte_has_page(pte))
		return 0;
	if (!*np)
		return -EAGAIN; /* a frame, please (allocating may sleep) */
	dp = pte_alloc(dst, va);
	if (!dp)
		return -ENOMEM;
	memcpy(page_address(*np), P2V(pte_pfn(pte) << PAGE_SHIFT), PAGE_SIZE);
	page_set_owner(*np, dst, va);
	/* The child's copy of a present, PROT_NONE or Unmapped page is the
	 * same kind of entry for a frame of its own (no slot yet). */
	*dp = pte_with_pfn(pte, page_to_pfn(*np));
	dst->rss++;
	*np = NULL;
	return 0;
}

/*
 * Both page-table locks are held while a page is copied: the parent's PTE
 * must hold still (the CPU, a rescue or kppsd may change it), the child's
 * helpers expect theirs. A frame is allocated with the locks dropped, as
 * a faulting process would: below the min watermark it waits for kppsd
 * (pps_alloc_user_page), then looks at the PTE again, which may have moved
 * on meanwhile. So a fork under memory pressure waits for reclaim instead
 * of failing with ENOMEM while the swap disk has room. The walker's PTE
 * pointer stays good across the unlocked wait: the parent's mmap_lock is
 * held, and page tables go only with their mm.
 */
static int copy_vma_pages(struct mm *dst, struct mm *src, struct vma *v)
{
	struct page *np = NULL;
	struct pte_walk w;
	int err = 0;

	ASSERT_HELD(&src->mmap_lock);
	ASSERT_WRITE_HELD(&dst->mmap_lock);
	for_each_pte(w, src, v->start, v->end) {
		do {
			spin_lock(&src->page_table_lock);
			spin_lock(&dst->page_table_lock);
			err = copy_one_pte(dst, src, w.va, w.pte, &np);
			spin_unlock(&dst->page_table_lock);
			spin_unlock(&src->page_table_lock);
			if (err == -EAGAIN) {
				np = pps_alloc_user_page(); /* may sleep */
				err = np ? -EAGAIN : -ENOMEM;
			}
		} while (err == -EAGAIN);
		if (err)
			break;
	}
	if (np)
		free_page(np);
	return err;
}

/*
 * The child's mmap_lock is held for writing while it is built: it is on
 * the mm list already, and kppsd must not walk its VMAs half-copied.
 * (Parent, then child: nobody else can know the child yet, so the order
 * cannot deadlock.)
 */
struct mm *mm_dup(struct mm *old)
{
	struct mm *mm = mm_create();
	struct list_head *p;
	int err = 0;

	if (!mm)
		return NULL;
	down_read(&old->mmap_lock);
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
		list_init(&nv->node);
		list_add_tail(&nv->node, &mm->vmas);
		mm->nr_vmas++;
		err = copy_vma_pages(mm, old, v);
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
	up_read(&old->mmap_lock);
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
	c->cr3_loads++;
	c->loaded_mm = mm;
	dftlb_cr3_switched(); /* the CR3 load flushed every user TLB entry */
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
