/*
 * PTE chains (seed 002, LaHaise 1997): from a legacy page to every PTE
 * that maps it, the other reverse map (rmap=chain; the anon objects are
 * rmap=anon).
 *
 * With rmap=chain every user page table is paired with a page of
 * next-pointers: entry k of the pair holds the pte_t * of the next PTE on
 * the chain of the page that PTE k maps (NULL: the end). page->chain is the
 * first. pte_link/pte_unlink are called through rmap_chain_ops, under the
 * PTE's page_table_lock and rmap_lock. From a PTE pointer the walker finds
 * its table's struct page, and from it the mm and the address
 * (LaHaise's pte_getpmd / pmd_getpgd / pgd_getmm).
 *
 * Cost: one page per page table (counted in nr_chain_pages, meminfo's
 * PteChain), one store per link and a walk of the chain per unlink.
 */
#ifndef MM_PTE_CHAIN_H
#define MM_PTE_CHAIN_H

#include <kernel/types.h>
#include <arch/x86/pte.h>

struct page;
struct mm;

/* A new page table pt of mm for the 4 MiB at va: give it its pair
 * (rmap=chain only; 0 or -ENOMEM). page_table_lock held. */
int pte_chain_table_init(struct page *pt, struct mm *mm, u32 va);
/* pt is being freed: its pair goes too (no PTE of it may be linked). */
void pte_chain_table_free(struct page *pt);
void pte_link(struct page *p, pte_t *ptep);
void pte_unlink(struct page *p, pte_t *ptep);

#endif
