/*
 * Page directory and page table entries: the only place that knows their
 * bit layout. Everyone else builds, tests and changes entries through these
 * helpers, PPS's non-present types (UnmappedPTE and SwappedPTE) included.
 *
 * i386 non-PAE: a 32-bit PDE points at a page table or, with PS set and
 * CR4.PSE on, maps a 4 MiB page; a 32-bit PTE maps a 4 KiB page.
 */
#ifndef ARCH_X86_PTE_H
#define ARCH_X86_PTE_H

#include <kernel/types.h>
#include <arch/x86/memlayout.h>
#include <kernel/panic.h>

typedef u32 pte_t;
typedef u32 pde_t;

#define _PAGE_PRESENT 0x001
#define _PAGE_RW 0x002
#define _PAGE_USER 0x004
#define _PAGE_PWT 0x008
#define _PAGE_PCD 0x010
#define _PAGE_ACCESSED 0x020
#define _PAGE_DIRTY 0x040
#define _PAGE_PSE 0x080          /* in a PDE: 4 MiB page */
#define _PAGE_GLOBAL 0x100
#define _PAGE_FRAME 0xFFFFF000u

#define PDE_INDEX(va) ((u32)(va) >> 22)
#define PTE_INDEX(va) (((u32)(va) >> 12) & 0x3FF)
#define PDES_PER_PGDIR 1024
#define PTES_PER_TABLE 1024
#define KERNEL_PDE_FIRST PDE_INDEX(KERNEL_BASE)

/* Page directory entries. */
static inline pde_t pde_mkbig(phys_addr_t pa, u32 flags)
{
	return (pa & 0xFFC00000u) | _PAGE_PSE | _PAGE_PRESENT | flags;
}
static inline pde_t pde_mktable(phys_addr_t pt_pa, u32 flags)
{
	return (pt_pa & _PAGE_FRAME) | _PAGE_PRESENT | flags;
}
static inline bool pde_present(pde_t d) { return d & _PAGE_PRESENT; }
static inline bool pde_big(pde_t d) { return d & _PAGE_PSE; }
static inline phys_addr_t pde_table_pa(pde_t d) { return d & _PAGE_FRAME; }
static inline phys_addr_t pde_big_pa(pde_t d) { return d & 0xFFC00000u; }

/* Page table entries. */
static inline pte_t pte_mkpresent(u32 pfn, u32 flags)
{
	return (pfn << PAGE_SHIFT) | _PAGE_PRESENT | flags;
}
static inline bool pte_none(pte_t p) { return p == 0; }
static inline bool pte_present(pte_t p) { return p & _PAGE_PRESENT; }
static inline u32 pte_pfn(pte_t p) { return p >> PAGE_SHIFT; }
static inline bool pte_young(pte_t p) { return p & _PAGE_ACCESSED; }
static inline bool pte_dirty(pte_t p) { return p & _PAGE_DIRTY; }
static inline bool pte_write(pte_t p) { return p & _PAGE_RW; }
static inline bool pte_user(pte_t p) { return p & _PAGE_USER; }

/*
 * Non-present entries that still own a frame. The CPU ignores every bit of
 * a PTE whose P bit is clear, so the kernel defines these:
 *
 *   PROT_NONE PTE: P=0, _PAGE_PROTNONE set, frame kept. mprotect(PROT_NONE)
 *   makes pages inaccessible without losing them (x86 has no "present but
 *   no access" for user pages).
 *
 *   UnmappedPTE (PPS stage 2, seed 000): P=0, _PAGE_UNMAPPED set, frame and
 *   RW/USER kept. Still linked to its page; invisible to the CPU, so the
 *   next touch faults and the kernel maps the same frame back (a rescue).
 *
 *   SwappedPTE (PPS stage 5): P=0, _PAGE_SWAPPED set, bits 12-31 hold the
 *   swap slot, RW kept. The page lives only on the swap disk. 20 bits of
 *   slot number: slots below PTE_SWP_SLOTS (4 GiB of swap); the swap area
 *   is cut to that size when it is enabled (mm/swapfile.c).
 *
 *   _PAGE_SWAPIN marks a SwappedPTE whose page is being read right now. The
 *   busy entry belongs to the reader in flight: a second CPU faulting on it
 *   waits for that read, and whoever clears it meanwhile (MADV_DONTNEED)
 *   leaves the slot to the reader, which finds its entry gone (see
 *   mm/pps_fault.c).
 *
 *  bit: 31..12        11     10      9        8        2   1   0
 *       frame/slot    SWAPIN SWAPPED UNMAPPED PROTNONE U   RW  P
 */
#define _PAGE_PROTNONE 0x100    /* bit 8: the G bit's place, unused when P=0 */
#define _PAGE_UNMAPPED 0x200    /* bit 9 (an "available" bit) */
#define _PAGE_SWAPPED 0x400     /* bit 10 */
#define _PAGE_SWAPIN 0x800      /* bit 11 */
#define _PAGE_SOFT_TYPES (_PAGE_PROTNONE | _PAGE_UNMAPPED | _PAGE_SWAPPED)

static inline bool pte_protnone(pte_t p) { return !(p & _PAGE_PRESENT) && (p & _PAGE_PROTNONE); }
static inline bool pte_unmapped(pte_t p) { return !(p & _PAGE_PRESENT) && (p & _PAGE_UNMAPPED); }
static inline bool pte_swapped(pte_t p) { return !(p & _PAGE_PRESENT) && (p & _PAGE_SWAPPED); }
static inline bool pte_swapin_busy(pte_t p) { return pte_swapped(p) && (p & _PAGE_SWAPIN); }
/* Does this entry hold a frame (that is ours to free or copy)? */
static inline bool pte_has_page(pte_t p)
{
	return pte_present(p) || pte_protnone(p) || pte_unmapped(p);
}

/* present (old, clean) -> UnmappedPTE: same frame and permissions */
static inline pte_t pte_mkunmapped(pte_t p)
{
	return (p & (_PAGE_FRAME | _PAGE_RW | _PAGE_USER)) | _PAGE_UNMAPPED;
}
/* UnmappedPTE -> present again (a rescue), writable if the VMA says so */
static inline pte_t pte_rescue(pte_t p, bool writable)
{
	return (p & (_PAGE_FRAME | _PAGE_USER)) | _PAGE_PRESENT | (writable ? _PAGE_RW : 0);
}
/* a page installed as UnmappedPTE directly (read-ahead) */
static inline pte_t pte_mkunmapped_pfn(u32 pfn, bool writable)
{
	return (pfn << PAGE_SHIFT) | _PAGE_UNMAPPED | _PAGE_USER | (writable ? _PAGE_RW : 0);
}
#define PTE_SWP_SLOTS (1u << (32 - PAGE_SHIFT))
static inline pte_t pte_mkswapped(u32 slot, bool writable)
{
	ASSERT(slot > 0 && slot < PTE_SWP_SLOTS);
	return (slot << PAGE_SHIFT) | _PAGE_SWAPPED | (writable ? _PAGE_RW : 0);
}
static inline u32 pte_swp_slot(pte_t p) { return p >> PAGE_SHIFT; }
static inline pte_t pte_mkswapin_busy(pte_t p) { return p | _PAGE_SWAPIN; }
/* The same SwappedPTE, not (or no longer) being read. */
static inline pte_t pte_mkswapin_idle(pte_t p) { return p & ~_PAGE_SWAPIN; }
static inline pte_t pte_mkprotnone(pte_t p)
{
	return (p & ~_PAGE_PRESENT) | _PAGE_PROTNONE;
}
static inline pte_t pte_mkaccessible(pte_t p, bool writable)
{
	p = (p & ~(_PAGE_PROTNONE | _PAGE_RW)) | _PAGE_PRESENT;
	return writable ? p | _PAGE_RW : p;
}

/* The same kind of entry with the same permissions, for another frame,
 * young and clean (fork's copy of a page). */
static inline pte_t pte_with_pfn(pte_t p, u32 pfn)
{
	return (p & ~_PAGE_FRAME & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) | (pfn << PAGE_SHIFT);
}

/* Changing entries: user mappings are built from these flags only. */
#define PTE_USER_FLAGS(writable) (_PAGE_USER | ((writable) ? _PAGE_RW : 0))
static inline pte_t pte_mkuser(u32 pfn, bool writable)
{
	return pte_mkpresent(pfn, PTE_USER_FLAGS(writable));
}
static inline pte_t pte_wrprotect(pte_t p) { return p & ~_PAGE_RW; }
static inline pte_t pte_mkwrite(pte_t p) { return p | _PAGE_RW; }
static inline pte_t pte_mkold(pte_t p) { return p & ~_PAGE_ACCESSED; }
static inline pte_t pte_mkclean(pte_t p) { return p & ~_PAGE_DIRTY; }
/* What a CPU does to a PTE it reads and writes through (used by tests). */
static inline pte_t pte_mkyoung(pte_t p) { return p | _PAGE_ACCESSED; }
static inline pte_t pte_mkdirty(pte_t p) { return p | _PAGE_DIRTY; }
/* Page tables of user space: present, user, writable (the PTEs decide). */
static inline pde_t pde_mkuser_table(phys_addr_t pt_pa)
{
	return pde_mktable(pt_pa, _PAGE_USER | _PAGE_RW);
}

/* Atomic updates: the CPU sets A and D bits behind our back, so a
 * read-modify-write of a live PTE must be a cmpxchg. */
static inline pte_t pte_xchg(volatile pte_t *p, pte_t v)
{
	__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}
static inline bool pte_cmpxchg(volatile pte_t *p, pte_t old, pte_t new)
{
	pte_t prev;
	__asm__ volatile("lock cmpxchgl %2, %1" : "=a"(prev), "+m"(*p) : "r"(new), "0"(old) : "memory");
	return prev == old;
}

#endif
