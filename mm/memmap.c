/*
 * From the loader's memory map to free frames.
 *
 * Reserved for good: everything below 1 MiB (BIOS data, the AP trampoline
 * page, VGA, ROMs), the kernel image, the multiboot modules (the initrd),
 * and the struct page array, which is placed right after the highest of
 * those. Everything else the map calls available RAM, below the end of the
 * direct map, goes to the buddy allocator.
 */
#include <mm/memmap.h>
#include <mm/frame.h>
#include <arch/x86/paging.h>
#include <kernel/printk.h>
#include <kernel/panic.h>

extern char _end[];

static phys_addr_t reserved_end; /* end of kernel + modules + page array */
static u64 ram_bytes;

static phys_addr_t highest_module_end(struct multiboot_info *mbi)
{
	phys_addr_t end = 0;

	if (!(mbi->flags & MBI_MODS))
		return 0;
	struct multiboot_module *m = P2V(mbi->mods_addr);
	for (u32 i = 0; i < mbi->mods_count; i++)
		if (m[i].end > end)
			end = m[i].end;
	return end;
}

/* Highest usable RAM address, before paging_init (the boot page directory
 * maps 16 MiB, enough for the multiboot structures, which loaders put low). */
phys_addr_t memmap_ram_end(struct multiboot_info *mbi)
{
	u64 top = 0;

	if (mbi->flags & MBI_MMAP) {
		u32 off = 0;
		while (off + sizeof(struct multiboot_mmap_entry) <= mbi->mmap_length) {
			struct multiboot_mmap_entry *e = P2V(mbi->mmap_addr + off);
			if (e->type == 1) {
				ram_bytes += e->len;
				if (e->addr + e->len > top)
					top = e->addr + e->len;
			}
			off += e->size + 4;
		}
	} else if (mbi->flags & MBI_MEMORY) {
		top = 0x100000 + (u64)mbi->mem_upper * 1024;
		ram_bytes = top - 0x100000 + mbi->mem_lower * 1024;
	} else {
		panic("memmap: the boot loader gave no memory map");
	}
	if (top > DIRECT_MAP_MAX) {
		printk("memmap: %llu MiB of RAM, using the first %u MiB (no highmem)\n",
		       top >> 20, DIRECT_MAP_MAX >> 20);
		top = DIRECT_MAP_MAX;
	}
	return (phys_addr_t)top;
}

static void add_range(u64 start, u64 end)
{
	phys_addr_t limit = paging_direct_map_end();

	if (start < reserved_end)
		start = reserved_end;
	if (end > limit)
		end = limit;
	if (start < end)
		frame_add_free_range((phys_addr_t)start, (phys_addr_t)end);
}

void memmap_init(struct multiboot_info *mbi, phys_addr_t ram_end)
{
	phys_addr_t kend = V2P(_end), mend = highest_module_end(mbi);
	u32 npfn = ram_end >> PAGE_SHIFT;
	phys_addr_t array_pa;

	array_pa = ALIGN_UP(MAX(kend, mend), PAGE_SIZE);
	reserved_end = ALIGN_UP(array_pa + npfn * sizeof(struct page), PAGE_SIZE);
	if (reserved_end >= ram_end)
		panic("memmap: no RAM left after the kernel and modules");
	frame_init(npfn, array_pa);

	if (mbi->flags & MBI_MMAP) {
		u32 off = 0;
		while (off + sizeof(struct multiboot_mmap_entry) <= mbi->mmap_length) {
			struct multiboot_mmap_entry *e = P2V(mbi->mmap_addr + off);
			if (e->type == 1)
				add_range(e->addr, e->addr + e->len);
			off += e->size + 4;
		}
	} else {
		add_range(0x100000, ram_end);
	}
	printk("mm: %llu KiB RAM, %u frames free, kernel %u KiB, struct page array %u KiB\n",
	       ram_bytes >> 10, nr_free_pages(), (kend - KERNEL_LOAD_PA) >> 10,
	       (reserved_end - array_pa) >> 10);
}
