/*
 * VMA bookkeeping: find, insert, split, merge, unmap.
 *
 * mm->vmas is a sorted list: with a few dozen VMAs per process a linear
 * walk is fast and easy to follow in GDB (Linux uses a maple tree). Every
 * function here needs mmap_lock, for writing when it changes the list
 * (asserted). A VMA's flags and bounds change only under the write lock
 * too, so a reader may use a VMA it found until it drops the lock.
 * VM_PURE_PRIVATE is a property of what a VMA is (private anonymous), so
 * split halves keep it and only VMAs with equal flags and backing merge.
 */
#include <mm/mm.h>
#include <mm/kmalloc.h>
#include <mm/tlb_gather.h>
#include <mm/anon.h>
#include <mm/rmap.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/lock_assert.h>

struct vma *vma_find(struct mm *mm, u32 addr)
{
	struct list_head *p;

	ASSERT_HELD(&mm->mmap_lock);
	list_for_each(p, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, node);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* The first VMA that overlaps [start, end), or NULL. */
struct vma *vma_find_intersect(struct mm *mm, u32 start, u32 end)
{
	struct list_head *p;

	ASSERT_HELD(&mm->mmap_lock);
	list_for_each(p, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, node);
		if (v->start >= end)
			return NULL;
		if (v->end > start)
			return v;
	}
	return NULL;
}

struct vma *vma_new(struct mm *mm, u32 start, u32 end, u32 flags, const char *name)
{
	struct vma *v = kzalloc(sizeof(*v));

	if (!v)
		return NULL;
	/* reclaim=clock: no VMA is pure private, every page is the clock's */
	if (reclaim_mode == RECLAIM_CLOCK)
		flags &= ~VM_PURE_PRIVATE;
	v->mm = mm;
	v->start = start;
	v->end = end;
	v->flags = flags;
	v->name = name;
	v->pgoff = start >> PAGE_SHIFT; /* as Linux does for anonymous memory */
	list_init(&v->node);
	list_init(&v->anon_node);
	return v;
}

bool vma_is_legacy(const struct vma *v)
{
	return v->anon || (v->flags & VM_SHARED) || reclaim_mode == RECLAIM_CLOCK;
}

void vma_free(struct vma *v)
{
	anon_unlink_vma(v);
	kfree(v);
}

int vma_insert(struct mm *mm, struct vma *v)
{
	struct list_head *p;

	ASSERT_WRITE_HELD(&mm->mmap_lock);
	ASSERT(v->start < v->end && !(v->start & (PAGE_SIZE - 1)) && !(v->end & (PAGE_SIZE - 1)));
	if (vma_find_intersect(mm, v->start, v->end))
		return -EEXIST;
	list_for_each(p, &mm->vmas)
		if (list_entry(p, struct vma, node)->start > v->start)
			break;
	list_add_tail(&v->node, p); /* before p: keeps the order */
	mm->nr_vmas++;
	return 0;
}

/* Split v at addr: v keeps [start, addr), a new VMA gets [addr, end). */
int vma_split(struct vma *v, u32 addr)
{
	struct vma *n;

	ASSERT_WRITE_HELD(&v->mm->mmap_lock);
	if (addr <= v->start || addr >= v->end)
		return 0;
	n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *v;
	n->start = addr;
	list_init(&n->node);
	anon_split(v, n);
	v->end = addr;
	list_add(&n->node, &v->node);
	v->mm->nr_vmas++;
	return 0;
}

static bool mergeable(struct vma *a, struct vma *b)
{
	if (a->end != b->start || a->flags != b->flags || a->name != b->name || !anon_mergeable(a, b))
		return false;
	/* va reads file_data + file_off + (va - file_start) (mm.h): one
	 * mapping only if all four are the same, as in a split's halves. */
	if (a->flags & VM_FILE)
		return a->file_data == b->file_data && a->file_off == b->file_off &&
		       a->file_start == b->file_start && a->file_end == b->file_end;
	return true;
}

/* Merge b, the VMA right after a, into a if they are the same kind of
 * memory; true if it did. */
static bool try_merge(struct mm *mm, struct vma *a, struct vma *b)
{
	if (!mergeable(a, b))
		return false;
	a->end = b->end;
	list_del(&b->node);
	anon_merge(a, b);
	kfree(b);
	mm->nr_vmas--;
	return true;
}

/* Merge v with its neighbours when they are the same kind of memory. */
void vma_merge_around(struct mm *mm, struct vma *v)
{
	ASSERT_WRITE_HELD(&mm->mmap_lock);
	if (v->node.prev != &mm->vmas) {
		struct vma *prev = list_entry(v->node.prev, struct vma, node);
		if (try_merge(mm, prev, v))
			v = prev;
	}
	if (v->node.next != &mm->vmas)
		try_merge(mm, v, list_entry(v->node.next, struct vma, node));
}

struct vma *vma_clip(struct vma *v, u32 start, u32 end)
{
	ASSERT_WRITE_HELD(&v->mm->mmap_lock);
	if (v->start < start) {
		if (vma_split(v, start))
			return NULL;
		v = list_entry(v->node.next, struct vma, node);
	}
	if (v->end > end && vma_split(v, end))
		return NULL;
	return v;
}

/*
 * Remove [start, end) from the address space: split VMAs at the edges,
 * clear their entries, and free the page tables that no VMA reaches any
 * more (their whole 4 MiB between the VMAs around the hole: Linux's floor
 * and ceiling). One gather collects the frames and tables; tlb_finish
 * flushes every CPU that has the mm loaded before any of them is freed,
 * so when this returns no CPU can use an old translation (munmap, brk
 * shrink, MAP_FIXED over a mapping all come here).
 */
int vma_unmap_range(struct mm *mm, u32 start, u32 end)
{
	struct tlb_gather tlb;
	struct vma *v, *prev = NULL, *next = NULL;
	struct list_head *p;
	u32 floor, ceiling;
	int r = 0;

	ASSERT_WRITE_HELD(&mm->mmap_lock);
	tlb_gather_init(&tlb, mm);
	while ((v = vma_find_intersect(mm, start, end))) {
		if (!(v = vma_clip(v, start, end))) {
			r = -ENOMEM; /* what is gone so far is still flushed */
			break;
		}
		tlb_zap_range(&tlb, v->start, v->end);
		list_del(&v->node);
		mm->nr_vmas--;
		vma_free(v);
	}
	if (!r) {
		list_for_each(p, &mm->vmas) {
			v = list_entry(p, struct vma, node);
			if (v->end <= start)
				prev = v;
			else if (!next && v->start >= end)
				next = v;
		}
		floor = prev ? prev->end : 0;
		ceiling = next ? next->start : USER_TOP;
		spin_lock(&mm->page_table_lock);
		pgtable_free_range(&tlb, MAX(floor, ALIGN_DOWN(start, BIGPAGE_SIZE)),
				   MIN(ceiling, ALIGN_UP(end, BIGPAGE_SIZE)));
		spin_unlock(&mm->page_table_lock);
	}
	tlb_finish(&tlb);
	return r;
}

/* A free gap of len bytes for mmap: the first one at or above MMAP_BASE,
 * else the first anywhere below the stack's reach. 0 if none. */
u32 vma_find_free(struct mm *mm, u32 len)
{
	u32 floors[2] = { MMAP_BASE, PAGE_SIZE * 16 };
	u32 ceiling = STACK_TOP - STACK_LIMIT - PAGE_SIZE;

	ASSERT_HELD(&mm->mmap_lock);
	for (int i = 0; i < 2; i++) {
		u32 addr = floors[i];
		struct list_head *p;
		list_for_each(p, &mm->vmas) {
			struct vma *v = list_entry(p, struct vma, node);
			if (v->end <= addr)
				continue;
			if (v->start >= addr + len && addr + len > addr)
				break;
			addr = v->end;
		}
		if (addr + len > addr && addr + len <= ceiling)
			return addr;
	}
	return 0;
}

const char *vma_name(struct vma *v)
{
	return v->name ? v->name : "";
}
