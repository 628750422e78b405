/*
 * Shared anonymous memory (see shmem.h): the shared object's table and
 * the fault that maps its pages.
 */
#include <mm/shmem.h>
#include <mm/anon.h>
#include <mm/rmap.h>
#include <mm/legacy_fault.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/swapfile.h>
#include <mm/swap_io.h>
#include <mm/vmstat.h>
#include <kernel/waitqueue.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/errno.h>

#define ENTRIES_PER_LEAF (PAGE_SIZE / sizeof(u32))

int shmem_init(struct anon *a, u32 npages)
{
	a->shared = true;
	a->npages = npages;
	a->ntable = (npages + ENTRIES_PER_LEAF - 1) / ENTRIES_PER_LEAF;
	a->table = kzalloc(a->ntable * sizeof(u32 *));
	if (!a->table)
		return -ENOMEM;
	atomic_add_return(&nr_anon_bytes, a->ntable * sizeof(u32 *));
	return 0;
}

/* The entry as it is now, for a sleeper's condition (no lock: one word). */
static u32 peek(struct anon *a, u32 index)
{
	return a->table[index / ENTRIES_PER_LEAF][index % ENTRIES_PER_LEAF];
}

static bool entry_is_slot(u32 e) { return (e & 1) != 0; }
static bool entry_is_page(u32 e) { return e && e != SHM_BUSY && !entry_is_slot(e); }

void shmem_destroy(struct anon *a)
{
	for (u32 t = 0; t < a->ntable; t++) {
		u32 *leaf = a->table[t];
		if (!leaf)
			continue;
		for (u32 i = 0; i < ENTRIES_PER_LEAF; i++) {
			/* Under rmap_lock: the clock may hold one of these pages
			 * pinned across its write, and must find it no longer
			 * the object's (anon NULL) when it comes back. */
			spin_lock(&rmap_lock);
			u32 e = leaf[i];
			leaf[i] = 0;
			ASSERT(e != SHM_BUSY); /* a fault holds a VMA of the object */
			if (entry_is_page(e))
				((struct page *)e)->anon = NULL;
			spin_unlock(&rmap_lock);
			if (entry_is_slot(e))
				swap_slot_free(&swap_area_main, e >> 1);
			else if (e)
				legacy_page_put((struct page *)e); /* the table's reference */
		}
		free_page(virt_to_page(leaf));
		atomic_add_return(&nr_anon_bytes, -(int)PAGE_SIZE);
	}
	kfree(a->table);
	atomic_add_return(&nr_anon_bytes, -(int)(a->ntable * sizeof(u32 *)));
	a->table = NULL;
}

/* The entry of index, or NULL if its leaf is not there yet. rmap_lock. */
static u32 *entry(struct anon *a, u32 index)
{
	ASSERT_HELD(&rmap_lock);
	ASSERT(index < a->npages);
	u32 *leaf = a->table[index / ENTRIES_PER_LEAF];
	return leaf ? &leaf[index % ENTRIES_PER_LEAF] : NULL;
}

bool shmem_evict_done(struct page *p, u32 slot)
{
	u32 *e;

	ASSERT_HELD(&rmap_lock);
	if (!p->anon)
		return false; /* its object went with its last VMA */
	ASSERT(p->anon->shared && p->mapcount == 0);
	e = entry(p->anon, p->index);
	if (!e || *e != (u32)p)
		return false;
	*e = slot << 1 | 1;
	return true;
}

/* A frame for the object's page at index: zeros, or the contents of
 * slot. PG_legacy, anon and index set, count 1 (the table's). */
static struct page *new_shared_page(struct anon *a, u32 index, u32 slot, int *err)
{
	struct page *p = pps_alloc_user_page();

	*err = 0;
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	if (slot) {
		u32 bad = 0;
		*err = swap_io_sync(&p, 1, slot, false, &bad);
		if (*err) {
			printk("shmem: reading slot %u failed (%d)\n", slot, *err);
			free_page(p);
			return NULL;
		}
		count_vm_event(SHM_SWAPIN);
		count_vm_event(PGMAJFAULT);
	} else {
		memset(page_address(p), 0, PAGE_SIZE);
		count_vm_event(PGALLOC);
	}
	p->flags |= PG_legacy | PG_dirty; /* no copy on disk once the slot goes */
	p->anon = a;
	p->index = index;
	p->mapcount = 0;
	p->count = 1;
	p->chain = NULL;
	atomic_inc(&nr_legacy_pages);
	return p;
}

/* The object's page at index, pinned (count + 1), filling the entry first
 * if needed. NULL and *err on failure. */
static struct page *shmem_get_page(struct anon *a, u32 index, int *err)
{
	for (;;) {
		spin_lock(&rmap_lock);
		u32 *e = entry(a, index);
		if (!e) {
			spin_unlock(&rmap_lock);
			void *leaf = alloc_pages_virt(0);
			if (!leaf) {
				*err = -ENOMEM;
				return NULL;
			}
			memset(leaf, 0, PAGE_SIZE);
			spin_lock(&rmap_lock);
			if (!a->table[index / ENTRIES_PER_LEAF]) {
				a->table[index / ENTRIES_PER_LEAF] = leaf;
				atomic_add_return(&nr_anon_bytes, PAGE_SIZE);
				leaf = NULL;
			}
			spin_unlock(&rmap_lock);
			if (leaf)
				free_pages_virt(leaf, 0);
			continue;
		}
		u32 v = *e;
		if (entry_is_page(v)) {
			struct page *p = (struct page *)v;
			p->count++; /* the pin */
			spin_unlock(&rmap_lock);
			return p;
		}
		if (v == SHM_BUSY) {
			spin_unlock(&rmap_lock);
			wait_event(&legacy_wq, peek(a, index) != SHM_BUSY);
			continue;
		}
		/* Empty or on disk: fill it, with the entry busy meanwhile so
		 * that no other fault fills it twice. */
		*e = SHM_BUSY;
		a->busy++;
		spin_unlock(&rmap_lock);
		u32 slot = entry_is_slot(v) ? v >> 1 : 0;
		struct page *p = new_shared_page(a, index, slot, err);
		spin_lock(&rmap_lock);
		e = entry(a, index);
		*e = p ? (u32)p : v;
		a->busy--;
		spin_unlock(&rmap_lock);
		wake_up(&legacy_wq);
		if (!p)
			return NULL;
		if (slot)
			swap_slot_free(&swap_area_main, slot); /* the page is the only copy now (dirty) */
	}
}

int shmem_fault(struct mm *mm, struct vma *v, u32 va, bool write)
{
	struct anon *a = v->anon;
	struct page *p;
	pte_t *ptep;
	int err = 0;

	(void)write;
	ASSERT_HELD(&mm->mmap_lock);
	ASSERT(a && a->shared);
	p = shmem_get_page(a, vma_page_index(v, va), &err);
	if (!p)
		return err;
	spin_lock(&mm->page_table_lock);
	ptep = pte_alloc(mm, va);
	if (!ptep) {
		err = -ENOMEM;
	} else if (pte_none(*ptep)) {
		*ptep = pte_mkuser(page_to_pfn(p), v->flags & VM_WRITE);
		mm->rss++;
		page_add_rmap(p, v, va, ptep);
	} else if (pte_protnone(*ptep)) {
		*ptep = pte_mkaccessible(*ptep, v->flags & VM_WRITE);
	}
	spin_unlock(&mm->page_table_lock);
	legacy_page_put(p); /* the pin */
	return err;
}
