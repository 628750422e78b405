/*
 * ktests for the page directory and page table entry encodings
 * (arch/x86/pte.h): each constructor makes exactly the kind of entry its
 * predicate recognises, keeps what it promises (frame or slot, permissions)
 * and drops what it promises to drop; no soft entry ever looks present to
 * the CPU. Pure functions of u32s: no mm, no frames.
 */
#include <kernel/ktest.h>
#include <arch/x86/pte.h>

/* The kinds of entry; exactly one is true of any entry. */
enum pte_kind { K_NONE, K_PRESENT, K_PROTNONE, K_UNMAPPED, K_SWAPPED, NR_KINDS };

static int kinds_of(pte_t p)
{
	return pte_none(p) + pte_present(p) + pte_protnone(p) + pte_unmapped(p) + pte_swapped(p);
}

static enum pte_kind kind_of(pte_t p)
{
	return pte_present(p) ? K_PRESENT : pte_protnone(p) ? K_PROTNONE : pte_unmapped(p) ? K_UNMAPPED :
	       pte_swapped(p) ? K_SWAPPED : K_NONE;
}

/* One entry of the given kind, pfn or slot n, writable or not, made by
 * the constructors the kernel uses for it. */
static pte_t make(enum pte_kind k, u32 n, bool w)
{
	switch (k) {
	case K_PRESENT: return pte_mkuser(n, w);
	case K_PROTNONE: return pte_mkprotnone(pte_mkuser(n, w));
	case K_UNMAPPED: return pte_mkunmapped(pte_mkuser(n, w));
	case K_SWAPPED: return pte_mkswapped(n, w);
	default: return 0;
	}
}

/* A tour of every kind, and the atomic updates; the tests after it go
 * into each kind. */
KTEST(pte_encodings)
{
	pte_t p = pte_mkuser(0x1234, true);
	KT_EXPECT(t, pte_present(p) && pte_write(p) && pte_user(p) && pte_pfn(p) == 0x1234);
	KT_EXPECT(t, !pte_unmapped(p) && !pte_swapped(p) && pte_has_page(p));

	pte_t u = pte_mkunmapped(p | _PAGE_ACCESSED | _PAGE_DIRTY);
	KT_EXPECT(t, !pte_present(u) && pte_unmapped(u) && !pte_swapped(u));
	KT_EXPECT_EQ(t, pte_pfn(u), 0x1234);            /* still linked to its page */
	KT_EXPECT(t, pte_write(u) && pte_has_page(u));   /* and its permission */
	KT_EXPECT(t, !pte_young(u) && !pte_dirty(u));

	pte_t r = pte_rescue(u, false);
	KT_EXPECT(t, pte_present(r) && !pte_write(r) && pte_pfn(r) == 0x1234 && !pte_unmapped(r));

	pte_t s = pte_mkswapped(0xABCDE, true);
	KT_EXPECT(t, !pte_present(s) && pte_swapped(s) && !pte_unmapped(s) && !pte_has_page(s));
	KT_EXPECT_EQ(t, pte_swp_slot(s), 0xABCDE);
	KT_EXPECT(t, !pte_swapin_busy(s) && pte_swapin_busy(pte_mkswapin_busy(s)));
	KT_EXPECT_EQ(t, pte_swp_slot(pte_mkswapin_busy(s)), 0xABCDE);

	pte_t n = pte_mkprotnone(p);
	KT_EXPECT(t, pte_protnone(n) && !pte_unmapped(n) && !pte_swapped(n) && pte_has_page(n));
	KT_EXPECT(t, pte_none(0) && !pte_unmapped(0) && !pte_swapped(0));

	pte_t c = pte_mkuser(7, true);
	KT_EXPECT(t, pte_cmpxchg(&c, c, pte_mkunmapped(c)) && pte_unmapped(c));
	KT_EXPECT(t, !pte_cmpxchg(&c, pte_mkuser(7, true), 0)); /* stale expectation fails */
	KT_EXPECT(t, pte_unmapped(c));                          /* and changes nothing */
	KT_EXPECT_EQ(t, pte_xchg(&c, 0), pte_mkunmapped(pte_mkuser(7, true)));
	KT_EXPECT(t, pte_none(c));
}

KTEST(pte_present_entries)
{
	pte_t p = pte_mkuser(0x1234, true), r = pte_mkuser(0xFFFFF, false);

	KT_EXPECT(t, pte_present(r) && !pte_write(r) && pte_user(r) && pte_pfn(r) == 0xFFFFF);
	KT_EXPECT(t, !pte_young(p) && !pte_dirty(p) && pte_has_page(p) && kinds_of(p) == 1);
	KT_EXPECT_EQ(t, pte_mkpresent(0x42, _PAGE_RW), 0x42000 | _PAGE_PRESENT | _PAGE_RW);

	/* A and D: set as a CPU would, cleared one at a time */
	pte_t yd = pte_mkdirty(pte_mkyoung(p));
	KT_EXPECT(t, pte_young(yd) && pte_dirty(yd) && pte_pfn(yd) == 0x1234);
	KT_EXPECT(t, !pte_young(pte_mkold(yd)) && pte_dirty(pte_mkold(yd)));
	KT_EXPECT(t, pte_young(pte_mkclean(yd)) && !pte_dirty(pte_mkclean(yd)));
	KT_EXPECT_EQ(t, pte_mkclean(pte_mkold(yd)), p);

	/* write permission on and off, nothing else changes */
	KT_EXPECT_EQ(t, pte_wrprotect(yd), yd & ~_PAGE_RW);
	KT_EXPECT(t, !pte_write(pte_wrprotect(yd)) && pte_present(pte_wrprotect(yd)));
	KT_EXPECT_EQ(t, pte_mkwrite(pte_wrprotect(yd)), yd);
	KT_EXPECT_EQ(t, pte_mkwrite(r), pte_mkuser(0xFFFFF, true));

	KT_EXPECT(t, pte_none(0) && !pte_has_page(0) && kinds_of(0) == 1);
}

KTEST(pte_protnone_entries)
{
	pte_t p = pte_mkdirty(pte_mkyoung(pte_mkuser(0x1234, true)));
	pte_t n = pte_mkprotnone(p);

	KT_EXPECT(t, !pte_present(n) && pte_protnone(n) && kinds_of(n) == 1);
	KT_EXPECT(t, pte_has_page(n) && pte_pfn(n) == 0x1234); /* the frame is kept */
	/* back to accessible, with the permission asked for, same frame */
	pte_t rw = pte_mkaccessible(n, true), ro = pte_mkaccessible(n, false);
	KT_EXPECT(t, pte_present(rw) && pte_write(rw) && pte_user(rw) && !pte_protnone(rw));
	KT_EXPECT(t, pte_present(ro) && !pte_write(ro) && pte_user(ro) && !pte_protnone(ro));
	KT_EXPECT(t, pte_pfn(rw) == 0x1234 && pte_pfn(ro) == 0x1234);
	KT_EXPECT_EQ(t, rw, p); /* a round trip loses nothing, A and D included */
	/* a read-only page made accessible read-write and a present one
	 * re-protected */
	KT_EXPECT(t, pte_write(pte_mkaccessible(pte_mkprotnone(pte_mkuser(9, false)), true)));
	KT_EXPECT_EQ(t, pte_mkaccessible(pte_mkuser(9, true), false), pte_mkuser(9, false));
}

KTEST(pte_unmapped_entries)
{
	pte_t p = pte_mkuser(0x1234, true);
	pte_t u = pte_mkunmapped(p | _PAGE_ACCESSED | _PAGE_DIRTY);

	KT_EXPECT(t, kinds_of(u) == 1 && pte_user(u));
	KT_EXPECT(t, !pte_write(pte_mkunmapped(pte_mkuser(0x1234, false))));

	/* a rescue maps the same frame, with the permission the VMA gives now */
	pte_t r = pte_rescue(u, false), w = pte_rescue(pte_mkunmapped(pte_mkuser(0x1234, false)), true);
	KT_EXPECT(t, pte_present(r) && !pte_write(r) && pte_user(r) && pte_pfn(r) == 0x1234);
	KT_EXPECT(t, pte_present(w) && pte_write(w) && pte_user(w) && pte_pfn(w) == 0x1234);
	KT_EXPECT(t, kinds_of(r) == 1 && !(r & _PAGE_SOFT_TYPES) && !(w & _PAGE_SOFT_TYPES));
	KT_EXPECT_EQ(t, w, p);

	/* read-ahead installs UnmappedPTEs directly: the same as unmapping */
	KT_EXPECT_EQ(t, pte_mkunmapped_pfn(0x1234, true), u);
	KT_EXPECT_EQ(t, pte_mkunmapped_pfn(0x1234, false), pte_mkunmapped(pte_mkuser(0x1234, false)));
}

KTEST(pte_swapped_entries)
{
	static const u32 slots[] = { 1, 2, 0xABCDE, PTE_SWP_SLOTS / 2, PTE_SWP_SLOTS - 1 };

	KT_EXPECT_EQ(t, PTE_SWP_SLOTS, 1u << 20);
	for (u32 i = 0; i < ARRAY_SIZE(slots); i++) {
		for (int w = 0; w < 2; w++) {
			pte_t s = pte_mkswapped(slots[i], w);
			KT_EXPECT(t, !pte_present(s) && pte_swapped(s) && kinds_of(s) == 1);
			KT_EXPECT(t, !pte_has_page(s) && !pte_swapin_busy(s));
			KT_EXPECT_EQ(t, pte_swp_slot(s), slots[i]);
			KT_EXPECT_EQ(t, pte_write(s), w);

			/* busy while read in: still the same SwappedPTE */
			pte_t b = pte_mkswapin_busy(s);
			KT_EXPECT(t, pte_swapin_busy(b) && pte_swapped(b) && kinds_of(b) == 1);
			KT_EXPECT(t, !pte_present(b) && !pte_has_page(b));
			KT_EXPECT_EQ(t, pte_swp_slot(b), slots[i]);
			KT_EXPECT_EQ(t, pte_write(b), w);
			KT_EXPECT(t, b != s);
			/* idle again: exactly the entry it was; idle is idempotent */
			KT_EXPECT_EQ(t, pte_mkswapin_idle(b), s);
			KT_EXPECT_EQ(t, pte_mkswapin_idle(s), s);
			KT_EXPECT_EQ(t, pte_mkswapin_busy(b), b);
		}
	}
	/* the busy bit means nothing on the other kinds */
	KT_EXPECT(t, !pte_swapin_busy(pte_mkunmapped(pte_mkuser(5, true)) | _PAGE_SWAPIN));
	KT_EXPECT(t, !pte_swapin_busy(pte_mkuser(5, true) | _PAGE_SWAPIN));
}

/* fork's copy: the same kind and permissions for another frame, young and
 * clean (A and D dropped). */
KTEST(pte_with_pfn_keeps_kind)
{
	for (enum pte_kind k = K_PRESENT; k <= K_UNMAPPED; k++) {
		for (int w = 0; w < 2; w++) {
			pte_t p = make(k, 0x1234, w);
			if (k != K_UNMAPPED) /* an UnmappedPTE has no A and D */
				p = pte_mkdirty(pte_mkyoung(p));
			pte_t c = pte_with_pfn(p, 0xFEDCB);
			KT_EXPECT_EQ(t, kind_of(c), k);
			KT_EXPECT_EQ(t, pte_pfn(c), 0xFEDCB);
			KT_EXPECT_EQ(t, pte_write(c), w);
			KT_EXPECT(t, pte_user(c) && !pte_young(c) && !pte_dirty(c));
			/* nothing else changes: only the frame, A and D */
			KT_EXPECT_EQ(t, c & ~_PAGE_FRAME, p & ~(_PAGE_FRAME | _PAGE_ACCESSED | _PAGE_DIRTY));
		}
	}
}

/*
 * The CPU looks at bit 0 only: every combination of the soft bits
 * (PROTNONE, UNMAPPED, SWAPPED, SWAPIN) with any frame or slot and any
 * permission must leave P clear, and the constructors of non-present
 * entries must clear P even when given a present entry.
 */
KTEST(pte_soft_bits_never_present)
{
	static const u32 pfns[] = { 1, 0x1234, 0xFFFFF };
	const u32 soft = _PAGE_SOFT_TYPES | _PAGE_SWAPIN;

	KT_EXPECT_EQ(t, soft & (_PAGE_FRAME | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER), 0);
	KT_EXPECT_EQ(t, soft & (_PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE), 0);
	/* four distinct bits, one per meaning */
	KT_EXPECT_EQ(t, __builtin_popcount(soft), 4);
	for (u32 i = 0; i < ARRAY_SIZE(pfns); i++) {
		for (u32 bits = 0; bits <= soft; bits += _PAGE_PROTNONE) {
			for (u32 perm = 0; perm <= (_PAGE_RW | _PAGE_USER); perm += _PAGE_RW) {
				pte_t e = (pfns[i] << PAGE_SHIFT) | bits | perm;
				if (pte_present(e))
					ktest_fail(t, __FILE__, __LINE__, "%#x looks present", e);
			}
		}
		pte_t p = pte_mkdirty(pte_mkyoung(pte_mkuser(pfns[i], true)));
		pte_t made[] = {
			pte_mkprotnone(p), pte_mkunmapped(p), pte_mkunmapped_pfn(pfns[i], true),
			pte_mkswapped(pfns[i], true), pte_mkswapin_busy(pte_mkswapped(pfns[i], true)),
		};
		for (u32 k = 0; k < ARRAY_SIZE(made); k++)
			KT_EXPECT(t, !pte_present(made[k]) && kinds_of(made[k]) == 1);
	}
	/* and each kind is exactly one kind, for every constructor */
	for (enum pte_kind k = K_NONE; k < NR_KINDS; k++)
		for (int w = 0; w < 2; w++)
			KT_EXPECT_EQ(t, kind_of(make(k, 0x777, w)), k);
}

KTEST(pte_pde_helpers)
{
	pde_t big = pde_mkbig(0x12345678, _PAGE_RW);
	KT_EXPECT(t, pde_present(big) && pde_big(big) && (big & _PAGE_RW));
	KT_EXPECT_EQ(t, pde_big_pa(big), 0x12000000); /* 4 MiB aligned */

	pde_t tab = pde_mktable(0x12345678, 0);
	KT_EXPECT(t, pde_present(tab) && !pde_big(tab) && !(tab & (_PAGE_RW | _PAGE_USER)));
	KT_EXPECT_EQ(t, pde_table_pa(tab), 0x12345000);

	pde_t ut = pde_mkuser_table(0x00ABC000);
	KT_EXPECT(t, pde_present(ut) && !pde_big(ut) && (ut & _PAGE_USER) && (ut & _PAGE_RW));
	KT_EXPECT_EQ(t, pde_table_pa(ut), 0x00ABC000);
	KT_EXPECT(t, !pde_present(0));

	/* indices: 10 bits of directory, 10 bits of table */
	KT_EXPECT_EQ(t, PDE_INDEX(0x00400000), 1);
	KT_EXPECT_EQ(t, PDE_INDEX(0xBFFFFFFF), 767);
	KT_EXPECT_EQ(t, PDE_INDEX(KERNEL_BASE), KERNEL_PDE_FIRST);
	KT_EXPECT_EQ(t, KERNEL_PDE_FIRST, 768);
	KT_EXPECT_EQ(t, PTE_INDEX(0x00401FFF), 1);
	KT_EXPECT_EQ(t, PTE_INDEX(0x007FF000), 1023);
	KT_EXPECT_EQ(t, PTE_INDEX(0x00800000), 0);
}
