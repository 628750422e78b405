/*
 * A small slab allocator.
 *
 * Each size class is a kmem_cache with a list of slab pages that still have
 * free objects. A slab page is one frame carved into equal objects; its
 * free objects form a singly linked list threaded through their first word
 * (page->slab_free). A page whose last object is freed goes back to the
 * buddy allocator, so kmalloc holds no memory it does not use.
 *
 * Lock: each cache's spinlock protects its list and its pages' slab fields.
 * Debug builds poison freed objects with 0x6b and catch double frees.
 */
#include <mm/kmalloc.h>
#include <mm/frame.h>
#include <kernel/spinlock.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <arch/x86/cpu.h>

#define MIN_SHIFT 4
#define MAX_SHIFT 11
#define NCACHES (MAX_SHIFT - MIN_SHIFT + 1)

struct kmem_cache {
	struct spinlock lock;
	u32 size;
	u32 per_page;
	struct list_head partial;   /* slab pages with a free object */
	u32 inuse;                  /* objects handed out */
};

static struct kmem_cache caches[NCACHES];
static volatile u32 large_bytes;

void kmalloc_init(void)
{
	for (int i = 0; i < NCACHES; i++) {
		spin_init(&caches[i].lock, "kmem_cache");
		caches[i].size = 1u << (i + MIN_SHIFT);
		caches[i].per_page = PAGE_SIZE / caches[i].size;
		list_init(&caches[i].partial);
	}
}

static struct kmem_cache *cache_for(size_t size)
{
	for (int i = 0; i < NCACHES; i++)
		if (size <= caches[i].size)
			return &caches[i];
	return NULL;
}

static struct page *slab_new(struct kmem_cache *c)
{
	struct page *pg = alloc_page();
	char *base;

	if (!pg)
		return NULL;
	pg->flags |= PG_slab;
	pg->slab_cache = c;
	pg->slab_inuse = 0;
	base = page_address(pg);
	for (u32 i = 0; i < c->per_page; i++)
		*(void **)(base + i * c->size) = i + 1 < c->per_page ? base + (i + 1) * c->size : NULL;
	pg->slab_free = base;
	return pg;
}

void *kmalloc(size_t size)
{
	struct kmem_cache *c;
	struct page *pg;
	void *obj;

	if (size == 0)
		size = 1;
	c = cache_for(size);
	if (!c) {
		unsigned order = 0;
		if (size > (PAGE_SIZE << MAX_ORDER))
			return NULL;
		while (((size_t)PAGE_SIZE << order) < size)
			order++;
		pg = alloc_pages(order);
		if (!pg)
			return NULL;
		pg->flags |= PG_large;
		atomic_add_return(&large_bytes, PAGE_SIZE << order);
		return page_address(pg);
	}
	spin_lock(&c->lock);
	if (list_empty(&c->partial)) {
		pg = slab_new(c);
		if (!pg) {
			spin_unlock(&c->lock);
			return NULL;
		}
		list_add(&pg->list, &c->partial);
	}
	pg = list_first_entry(&c->partial, struct page, list);
	obj = pg->slab_free;
	pg->slab_free = *(void **)obj;
	if (++pg->slab_inuse == c->per_page)
		list_del(&pg->list);
	c->inuse++;
	spin_unlock(&c->lock);
	return obj;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(const void *p)
{
	struct page *pg;
	struct kmem_cache *c;

	if (!p)
		return;
	pg = virt_to_page(p);
	if (pg->flags & PG_large) {
		unsigned order = pg->order;
		pg->flags &= ~PG_large;
		atomic_add_return(&large_bytes, -(PAGE_SIZE << order));
		free_pages(pg, order);
		return;
	}
	if (!(pg->flags & PG_slab))
		panic("kfree(%p): not a kmalloc pointer", p);
	c = pg->slab_cache;
	if (((uintptr_t)p - (uintptr_t)page_address(pg)) % c->size)
		panic("kfree(%p): not the start of a %u-byte object", p, c->size);
	spin_lock(&c->lock);
#ifdef DEBUG
	for (void *f = pg->slab_free; f; f = *(void **)f)
		if (f == p)
			panic("kfree(%p): double free", p);
	memset((void *)p, 0x6b, c->size);
#endif
	*(void **)p = pg->slab_free;
	pg->slab_free = (void *)p;
	if (pg->slab_inuse-- == c->per_page)
		list_add(&pg->list, &c->partial);
	c->inuse--;
	if (pg->slab_inuse == 0) {
		list_del(&pg->list);
		pg->flags &= ~PG_slab;
		spin_unlock(&c->lock);
		free_page(pg);
		return;
	}
	spin_unlock(&c->lock);
}

size_t kmalloc_bytes_in_use(void)
{
	size_t n = large_bytes;

	for (int i = 0; i < NCACHES; i++)
		n += (size_t)caches[i].inuse * caches[i].size;
	return n;
}

void kmalloc_dump(void (*out)(const char *fmt, ...))
{
	out("kmalloc: %u bytes in use;", (u32)kmalloc_bytes_in_use());
	for (int i = 0; i < NCACHES; i++)
		out(" %u:%u", caches[i].size, caches[i].inuse);
	out(" large:%u\n", large_bytes);
}
