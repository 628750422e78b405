/*
 * Address spaces (struct mm) and their VMAs: the Space and VMA layers.
 *
 * An mm owns a page directory whose kernel half (PDEs 768..1023) is copied
 * from kernel_pgdir and never changes, and whose user half is built on
 * demand by page faults. Its VMAs are kept sorted and non-overlapping on
 * mm->vmas; each is a run of pages with one set of permissions and one
 * backing (anonymous zero pages, or a read-only initrd file image).
 *
 * Every private page has exactly one owner: the one PTE of one mm that maps
 * it; struct page records (owner_mm, owner_va) and debug builds check it.
 *
 * Locks:
 *  - mmap_lock (rwsem, sleeps): VMAs. Read for faults, write for changes.
 *  - pps_lock (rwsem, sleeps): one PPS stepper at a time, and no page
 *    leaves the mm under one (mm/pps.h). Taken under mmap_lock.
 *  - page_table_lock (spinlock): the PTEs and page tables of this mm, rss,
 *    and the PPS fields of the pages it owns. Taken under both of the above,
 *    never the other way round.
 * docs/design.md lists which lock makes each PTE transition safe.
 *  - mm_list_lock (spinlock in mm.c): the list of all mms.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <kernel/types.h>
#include <mm/swap_ra.h>
#include <kernel/panic.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/rwsem.h>
#include <arch/x86/pte.h>

/* vma->flags */
#define VM_READ 0x0001
#define VM_WRITE 0x0002
#define VM_EXEC 0x0004
#define VM_GROWSDOWN 0x0100   /* the stack: grows down on faults below it */
#define VM_PURE_PRIVATE 0x0200 /* private anonymous: PPS reclaims it (seed 000) */
#define VM_LOCKED 0x0400      /* mlock: never reclaimed */
#define VM_FILE 0x0800        /* backed by an initrd file image (text, data) */
#define VM_HEAP 0x1000        /* the brk heap */
#define VM_SHARED 0x2000      /* MAP_SHARED|MAP_ANONYMOUS: one object, pages shared by every mapping */

#define STACK_TOP 0xBFFFF000u   /* one guard page below KERNEL_BASE */
#define STACK_LIMIT (8u << 20)  /* like Linux's default ulimit -s */
#define USER_TOP KERNEL_BASE
#define MMAP_BASE 0x40000000u   /* where mmap looks for free space first */

struct mm;
struct page;
struct tlb_gather;

struct vma {
	struct mm *mm;
	u32 start, end;         /* [start, end), page aligned */
	u32 flags;
	struct list_head node;  /* on mm->vmas, sorted by start */
	/* VM_FILE: bytes [file_start, file_end) of the VMA come from
	 * file_data + (va - file_start) + file_off; the rest are zero. */
	const u8 *file_data;
	u32 file_off, file_start, file_end;
	const char *name;       /* for /proc/PID/maps: a path, "[stack]", "[heap]" */
	/* The legacy page system (mm/anon.h): the VMA family's anon object
	 * (NULL: the VMA's pages are its own, one-to-one), the link on its
	 * list of VMAs (rmap_lock), and the offset in pages of the VMA's
	 * first page in that object (seed 001's vm_pgoff). */
	struct anon *anon;
	struct list_head anon_node;
	u32 pgoff;
	/* PPS swap-in read-ahead (mm/swap_ra.h; page_table_lock). */
	struct swap_ra ra;
};

struct mm {
	pde_t *pgdir;                   /* kernel virtual address */
	struct list_head vmas;
	u32 nr_vmas;
	volatile u32 users;             /* references (mm_get/mm_put) */
	volatile u32 cpu_mask;          /* CPUs with pgdir in CR3 now (mm_activate) */
	struct rwsem mmap_lock;
	struct rwsem pps_lock;          /* one PPS stepper at a time (mm/pps.h) */
	struct spinlock page_table_lock;
	struct list_head mm_list;       /* all mms: kppsd walks it */
	u32 brk_start, brk;             /* heap: [brk_start, brk) */
	u32 def_flags;                  /* VM_LOCKED after mlockall(MCL_FUTURE) */
	u32 rss;                        /* resident user pages */
	/* Set when one of its legacy VMAs may have become its pages' only
	 * user (a family lost a member, a shared page lost a mapping, a COW
	 * took a page over): kppsd then tries to give it back to PPS. */
	volatile u32 reenter_hint;
	u32 stack_vm;                   /* pages the stack VMA covers */
	u32 start_code, end_code, start_data, end_data;
	u32 exec_entry, exec_phdr, exec_phnum;
};

struct mm *mm_create(void);
void mm_get(struct mm *mm);     /* the caller already holds a reference */
/* A reference from the mm list (mm_list_lock held): fails if the mm's last
 * reference is gone and it is on its way out, still on the list. */
bool mm_tryget(struct mm *mm);
void mm_put(struct mm *mm);     /* the last put frees everything */
struct mm *mm_dup(struct mm *old);      /* fork: eager copy of every page */
void mm_activate(struct mm *mm);        /* load it on this CPU */
u32 mm_total_vm(struct mm *mm);         /* pages covered by VMAs */
u32 mm_locked_vm(struct mm *mm);        /* pages in VM_LOCKED VMAs */
extern struct list_head mm_list;
/* mms being torn down right now: their memory is on its way back (the
 * OOM killer waits for it rather than kill again). */
extern volatile u32 nr_mm_dying;
extern struct spinlock mm_list_lock;

/* VMAs (mm/vma.c); callers hold mmap_lock as noted. */
/* Does PPS reclaim v's pages? Private anonymous (VM_PURE_PRIVATE), not
 * mlocked, and accessible: the entries of a PROT_NONE VMA are not PPS's to
 * age or page out (kppsd and the reclaim requests both ask this). */
static inline bool vma_pps_reclaimable(const struct vma *v)
{
	return (v->flags & (VM_PURE_PRIVATE | VM_LOCKED)) == VM_PURE_PRIVATE &&
	       (v->flags & (VM_READ | VM_WRITE | VM_EXEC));
}

/* Are v's pages legacy pages (mm/rmap.h)? It has an anon object (forked,
 * shared), or reclaim=clock puts every page on the clock. */
bool vma_is_legacy(const struct vma *v);
/* A new page's contents at va of v: zeros, or the file image's bytes. */
void fault_fill_page(struct vma *v, u32 va, void *dst);

struct vma *vma_find(struct mm *mm, u32 addr);                  /* read */
struct vma *vma_find_intersect(struct mm *mm, u32 start, u32 end);
struct vma *vma_new(struct mm *mm, u32 start, u32 end, u32 flags, const char *name);
int vma_insert(struct mm *mm, struct vma *v);                   /* write */
void vma_free(struct vma *v);   /* leaves its anon family too; its PTEs are gone */
int vma_split(struct vma *v, u32 addr);                         /* write */
/* Split v where start and end cut it; returns the part within [start, end)
 * (NULL: no memory). */
struct vma *vma_clip(struct vma *v, u32 start, u32 end);        /* write */
void vma_merge_around(struct mm *mm, struct vma *v);            /* write */
int vma_unmap_range(struct mm *mm, u32 start, u32 end);         /* write */
u32 vma_find_free(struct mm *mm, u32 len);                      /* read */
const char *vma_name(struct vma *v);

/*
 * Page tables (mm/pgtable.c). Lookups need only what keeps the tables
 * alive (the mm's mmap_lock in either mode, or the last reference); the
 * functions that change entries need page_table_lock (asserted).
 */
pte_t *pte_lookup(struct mm *mm, u32 va);               /* NULL if no table */
pte_t *pte_alloc(struct mm *mm, u32 va);                /* NULL if no memory */
/* Clear [start, end) of tlb->mm; its frames go into the gather. Returns
 * where it stopped: end, or earlier when the gather's legacy batch is
 * full (finish the gather and call again; tlb_zap_range does). */
u32 pte_zap_range(struct tlb_gather *tlb, u32 start, u32 end);
/* Gather the tables wholly inside [floor, ceiling) (mmap_lock for writing). */
void pgtable_free_range(struct tlb_gather *tlb, u32 floor, u32 ceiling);
void pgtable_free_all(struct mm *mm);
void pte_protect_range(struct mm *mm, u32 start, u32 end, u32 vm_flags);

/*
 * The one page-table walker: each existing PTE of [start, end) in order.
 *
 *     struct pte_walk w;
 *     for_each_pte(w, mm, start, end)
 *             if (pte_present(*w.pte)) ... w.va ...
 *
 * pte_walk_skip(&w, n) makes the next step land n pages after w.va (n
 * entries of w's table, the current one included, are done).
 */
struct pte_walk {
	struct mm *mm;
	u32 va;                 /* the address *pte maps */
	pte_t *pte;
	u32 next, end;
};
void pte_walk_start(struct pte_walk *w, struct mm *mm, u32 start, u32 end);
bool pte_walk_next(struct pte_walk *w);
void pte_walk_skip(struct pte_walk *w, u32 npages);
#define for_each_pte(w, mm, start, end) \
	for (pte_walk_start(&(w), (mm), (start), (end)); pte_walk_next(&(w));)

/* Page faults (mm/fault.c). */
#define FAULT_WRITE 0x2
#define FAULT_USER 0x4
int handle_mm_fault(struct mm *mm, u32 addr, u32 err);  /* 0 or -EFAULT/-ENOMEM */

/* MADV_DONTNEED on [start, end) (mm/mmap.c); mmap_lock held for reading. */
int madvise_dontneed(struct mm *mm, u32 start, u32 end);

/* Flush this mm's translations for [start, end) on every CPU that has it
 * loaded (IPIs to the others, counted in tlb_ipi) and wait for them; no
 * spinlock held. The unmap paths call it through tlb_finish. */
void mm_flush_tlb_range(struct mm *mm, u32 start, u32 end);

/* A kernel thread borrows a user address space (tests; Linux's
 * kthread_use_mm): the scheduler loads t->use_mm for a thread without a
 * process, so the thread counts in mm->cpu_mask like one of the mm's own.
 * The caller holds a reference on mm until kthread_unuse_mm. */
void kthread_use_mm(struct mm *mm);
void kthread_unuse_mm(void);

/* The owner of a private page (the one-to-one model). */
void page_set_owner(struct page *p, struct mm *mm, u32 va);
void page_clear_owner(struct page *p, struct mm *mm, u32 va);
/* Debug builds: the one-to-one model, p is mapped by (mm, va) and nobody else. */
#define ASSERT_OWNER(p, mm, va) ASSERT((p)->owner_mm == (mm) && (p)->owner_va == (va))

#endif
