/*
 * The buddy frame allocator.
 *
 * A free block of 2^k frames starting at pfn (pfn aligned to 2^k) is on
 * free_area[k] with PG_free set on its first page and order = k. Freeing a
 * block merges it with its buddy (pfn ^ 2^k) while the buddy is a free
 * block of the same order, so free memory stays in the largest blocks it
 * can, which is what makes multi-frame allocations (kernel stacks) succeed.
 *
 * When no block is big enough, frames may still be waiting on the per-CPU
 * deferred free lists (unmapped, their TLB flush done: mm/deferred_free.h):
 * alloc_pages collects every CPU's list and tries once more before it
 * fails, so it never reports "no memory" while deferred pages sit there.
 *
 * Lock: zone_lock, a spinlock, so frames can be freed from any context.
 * Debug builds fill freed frames with 0x6b ("use after free" shows up as
 * 0x6b6b6b6b in a register dump) and check every freed block is not
 * already free.
 */
#include <mm/frame.h>
#include <mm/deferred_free.h>
#include <kernel/spinlock.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>

struct page *page_array;
u32 max_pfn;

static DEFINE_SPINLOCK(zone_lock);
static struct list_head free_area[MAX_ORDER + 1];
static u32 nr_free[MAX_ORDER + 1];
static u32 free_frames, managed_frames;

void frame_init(u32 npfn, phys_addr_t array_pa)
{
	max_pfn = npfn;
	page_array = P2V(array_pa);
	memset(page_array, 0, npfn * sizeof(struct page));
	for (u32 i = 0; i < npfn; i++) {
		page_array[i].flags = PG_reserved;
		list_init(&page_array[i].list);
	}
	for (int k = 0; k <= MAX_ORDER; k++)
		list_init(&free_area[k]);
	deferred_free_init();
}

static void free_block_locked(u32 pfn, unsigned order)
{
	while (order < MAX_ORDER) {
		u32 buddy = pfn ^ (1u << order);
		struct page *b = &page_array[buddy];
		if (buddy >= max_pfn || !(b->flags & PG_free) || b->order != order)
			break;
		list_del(&b->list);
		b->flags &= ~PG_free;
		nr_free[order]--;
		pfn &= ~(1u << order);
		order++;
	}
	struct page *p = &page_array[pfn];
	p->flags = PG_free;
	p->order = order;
	list_add(&p->list, &free_area[order]);
	nr_free[order]++;
}

/* Boot: hand the frames of a usable RAM range to the allocator. */
void frame_add_free_range(phys_addr_t start, phys_addr_t end)
{
	u32 pfn = ALIGN_UP(start, PAGE_SIZE) >> PAGE_SHIFT;
	u32 last = end >> PAGE_SHIFT;

	if (last > max_pfn)
		last = max_pfn;
	spin_lock(&zone_lock);
	for (; pfn < last; pfn++) {
		if (!(page_array[pfn].flags & PG_reserved))
			continue; /* listed twice by the firmware */
		page_array[pfn].flags = 0;
		free_block_locked(pfn, 0);
		free_frames++;
		managed_frames++;
	}
	spin_unlock(&zone_lock);
}

static struct page *take_block(unsigned order)
{
	unsigned k;
	struct page *p;

	spin_lock(&zone_lock);
	for (k = order; k <= MAX_ORDER && list_empty(&free_area[k]); k++)
		;
	if (k > MAX_ORDER) {
		spin_unlock(&zone_lock);
		return NULL;
	}
	p = list_first_entry(&free_area[k], struct page, list);
	list_del(&p->list);
	nr_free[k]--;
	p->flags &= ~PG_free;
	/* Split: give the upper halves back until the block is `order`. */
	while (k > order) {
		k--;
		struct page *half = p + (1u << k);
		half->flags = PG_free;
		half->order = k;
		list_add(&half->list, &free_area[k]);
		nr_free[k]++;
	}
	p->order = order;
	free_frames -= 1u << order;
	spin_unlock(&zone_lock);
	return p;
}

struct page *alloc_pages(unsigned order)
{
	struct page *p;

	if (order > MAX_ORDER)
		return NULL;
	p = take_block(order);
	if (!p && deferred_free_drain_all())
		p = take_block(order); /* the lists gave some back */
	return p;
}

void free_pages(struct page *p, unsigned order)
{
	u32 pfn = page_to_pfn(p);

	if (pfn >= max_pfn || (pfn & ((1u << order) - 1)))
		panic("free_pages: bad block pfn %#x order %u", pfn, order);
	if (p->flags & (PG_free | PG_reserved | PG_deferred))
		panic("free_pages: pfn %#x is already free, reserved or deferred (flags %#x)", pfn, p->flags);
#ifdef DEBUG
	memset(page_address(p), 0x6b, PAGE_SIZE << order);
#endif
	if (p->owner_mm)
		panic("free_pages: pfn %#x is still mapped at %#x by mm %p", pfn, p->owner_va, p->owner_mm);
	if (p->flags & PG_legacy)
		panic("free_pages: pfn %#x is a legacy page (mapcount %u, count %u): legacy_page_put frees it",
		      pfn, p->mapcount, p->count);
	if (p->swap_slot)
		panic("free_pages: pfn %#x still has swap slot %u attached", pfn, p->swap_slot);
	spin_lock(&zone_lock);
	/* Again under the lock: two CPUs freeing one block at the same
	 * moment both pass the check above, and the second free would
	 * corrupt the free lists and count the frames twice. This catches
	 * it unless the first free merged the block into a larger one
	 * (then only the head of that one is marked free). */
	if (p->flags & PG_free)
		panic("free_pages: pfn %#x order %u freed twice at once", pfn, order);
	p->flags = 0;
	p->slab_cache = NULL;
	p->dftlb_seq = 0;
	free_block_locked(pfn, order);
	free_frames += 1u << order;
	spin_unlock(&zone_lock);
}

void *alloc_pages_virt(unsigned order)
{
	struct page *p = alloc_pages(order);
	return p ? page_address(p) : NULL;
}

void free_pages_virt(void *va, unsigned order)
{
	free_pages(virt_to_page(va), order);
}

u32 nr_free_pages(void) { return free_frames; }
u32 nr_managed_pages(void) { return managed_frames; }

void frame_dump(void (*out)(const char *fmt, ...))
{
	out("frames: %u managed, %u free (%u KiB); free blocks by order:", managed_frames,
	    free_frames, free_frames * 4);
	for (int k = 0; k <= MAX_ORDER; k++)
		out(" %u", nr_free[k]);
	out("\n");
}
