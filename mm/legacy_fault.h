/*
 * Faults and fork in the legacy page system (mm/cow.c, mm/shmem.c).
 *
 *   legacy_fault: a fault in a VMA with an anon object (v->anon): demand
 *     zero into a new legacy page, a write to a page shared after fork
 *     (copy-on-write: copy it, or take it over when nobody else has it),
 *     a SwappedPTE (from the swap cache when another mapping read it
 *     already, else from the disk), or a shared object's page.
 *   copy_vma_cow: fork's copy of one VMA: the child maps the same pages,
 *     read-only in both for private VMAs (seed 001's contract, xv6's cow
 *     lab), writable for shared ones.
 *
 * Locks: mmap_lock held by the caller (fault: reading; fork: the parent's
 * and the child's for writing, asserted); page_table_lock and rmap_lock
 * taken inside.
 */
#ifndef MM_LEGACY_FAULT_H
#define MM_LEGACY_FAULT_H

#include <kernel/types.h>

struct mm;
struct vma;

int legacy_fault(struct mm *mm, struct vma *v, u32 va, bool write);
int copy_vma_cow(struct mm *dst, struct vma *dv, struct mm *src, struct vma *sv);
/* shmem.c: the fault on an empty PTE of a VM_SHARED VMA */
int shmem_fault(struct mm *mm, struct vma *v, u32 va, bool write);
/* kppsd: give back to PPS the VMAs of mm whose pages are all their own
 * again (pps_reenter.c). Tries mmap_lock for writing, returns the VMAs
 * moved. */
u32 pps_reenter_mm(struct mm *mm);

#endif
