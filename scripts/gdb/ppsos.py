"""GDB helpers for watching PPS reclaim in ppsos: page tables, struct page
owners, the delayed-flush table, kppsd's current series, and a manual kppsd;
and for the legacy page system beside it (pages shared copy-on-write after
fork): a page's anon object, the PTEs that map it, its PTE chain.

Loaded by scripts/gdb/ppsos.gdb (`source`); `help ppsos-py` lists the
commands, `help pps-pte` and so on explains each. The lab that uses them:
docs/gdb-walkthrough.md.

Everything is read through the kernel's own DWARF types (gdb.lookup_type,
gdb.parse_and_eval): no struct offset is written down here, and the names
and numbers of C enums (the PPS stages of enum pps_stage, process states,
an enum kppsd mode) are read from DWARF too (gdb.lookup_type(...).fields()),
as are the names of the vmstat counters (vm_event_names[]) and of kppsd's
modes (kppsd_modes[]). The only numbers mirrored from C are preprocessor
macros, which a `-g` build does not put in DWARF; they are all in the
CONSTANTS block below, next to the header each comes from.

Page tables are walked from Python, by one walker that mirrors the
kernel's (mm/pgtable.c, for_each_pte): _table_runs() below, under
walk_ptes() and pte_lookup(). A PDE or PTE holds a physical address, and
the kernel's direct map makes physical address pa readable at
pa + KERNEL_BASE (all RAM up to 768 MiB), whatever CR3 the stopped CPU has
loaded. The entries of one page table are one memory read.

Errors (no kernel running, paging still off, a bad PID) are one line, never
a Python traceback.
"""
import collections
import struct

import gdb

# ---- CONSTANTS: macros mirrored from the kernel's headers --------------------
# (Enums, structs and variables come from DWARF; #defines do not, so they
# live here, once. Keep in step with the header named on each block.)

# arch/x86/memlayout.h
KERNEL_BASE = 0xC0000000        # P2V(pa) == pa + KERNEL_BASE
PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
BIGPAGE_SIZE = 0x400000         # a 4 MiB PSE page: what one PDE covers

# arch/x86/pte.h
_PAGE_PRESENT = 0x001
_PAGE_RW = 0x002
_PAGE_USER = 0x004
_PAGE_ACCESSED = 0x020
_PAGE_DIRTY = 0x040
_PAGE_PSE = 0x080               # in a PDE: a 4 MiB page
_PAGE_PROTNONE = 0x100          # bit 8, only when P=0
_PAGE_UNMAPPED = 0x200          # bit 9: UnmappedPTE, frame kept
_PAGE_SWAPPED = 0x400           # bit 10: SwappedPTE, slot in bits 12-31
_PAGE_SWAPIN = 0x800            # bit 11: a SwappedPTE being read in
_PAGE_FRAME = 0xFFFFF000
PDE_SHIFT = 22                  # PDE_INDEX(va) == va >> 22
PTES_PER_TABLE = 1024           # PTE_INDEX(va) == (va >> 12) & 0x3FF

# mm/mm.h (vma->flags)
VM_FLAGS = [(0x0001, "READ"), (0x0002, "WRITE"), (0x0004, "EXEC"),
            (0x0100, "GROWSDOWN"), (0x0200, "PURE_PRIVATE"), (0x0400, "LOCKED"),
            (0x0800, "FILE"), (0x1000, "HEAP"), (0x2000, "SHARED")]
VM_PURE_PRIVATE = 0x0200
VM_LOCKED = 0x0400
VM_FILE = 0x0800
VM_SHARED = 0x2000

# mm/frame.h (page->flags)
PG_FLAGS = [(0x01, "reserved"), (0x02, "free"), (0x04, "slab"), (0x08, "large"),
            (0x10, "dirty"), (0x20, "readahead"), (0x40, "deferred"), (0x80, "legacy"),
            (0x100, "swapcache"), (0x200, "locked"), (0x400, "writeback"), (0x800, "referenced"),
            (0x4000, "pgtable")]
PG_dirty = 0x10
PG_legacy = 0x80
PG_swapcache = 0x100

# kernel/proc.h
NPROC_FALLBACK = 64             # only if proc_table's type lacks a length

# ---- reading the kernel ------------------------------------------------------


class PpsError(Exception):
    """A one-line explanation for the user (bad argument, no such pid)."""


def val(expr):
    return gdb.parse_and_eval(expr)


def u32(v):
    return int(v) & 0xFFFFFFFF


def ptr(v):
    """A pointer value as an int (0 for NULL)."""
    return int(v.cast(gdb.lookup_type("unsigned long"))) & 0xFFFFFFFF


def p2v(pa):
    return pa + KERNEL_BASE


def inferior():
    inf = gdb.selected_inferior()
    if inf is None or inf.pid == 0 or not gdb.selected_thread():
        raise PpsError("no kernel to look at: attach first (target remote :PORT, or make debug)")
    return inf


def read_u32s(addr, n):
    """n consecutive 32-bit words at kernel address addr, in one read."""
    return struct.unpack(f"<{n}I", bytes(inferior().read_memory(addr, 4 * n)))


def static_var(name, file=None):
    """A variable, possibly file-static (kppsd.c's `passes`, frame.c's
    `free_frames`): by 'file'::name first, so another file's static of the
    same name is never taken; None if the symbol is missing."""
    for expr in ([f"'{file}'::{name}"] if file else []) + [name]:
        try:
            return val(expr)
        except gdb.error:
            pass
    return None


def cstr(v, limit=64):
    """A char * or char[] as a Python str ('' for NULL, '?' if unreadable)."""
    try:
        if v.type.strip_typedefs().code == gdb.TYPE_CODE_PTR and ptr(v) == 0:
            return ""
        return v.string(errors="replace")[:limit]
    except gdb.error:     # gdb.MemoryError is a gdb.error
        return "?"


def field_offset(type_name, field):
    """Byte offset of a field in a struct, from DWARF (for container_of)."""
    t = gdb.lookup_type(type_name)
    for f in t.fields():
        if f.name == field:
            return f.bitpos // 8
    raise PpsError(f"{type_name} has no field {field} in this kernel's DWARF")


def list_entries(head, type_name, member):
    """Walk a struct list_head (head is a gdb.Value of struct list_head)
    and yield the containing structs, as Linux's list_for_each_entry."""
    off = field_offset(type_name, member)
    ptype = gdb.lookup_type(type_name).pointer()
    head_addr = u32(head.address)
    node = head["next"]
    for _ in range(100000):
        a = ptr(node)
        if a == head_addr or a == 0:
            return
        yield gdb.Value(a - off).cast(ptype)
        node = node.dereference()["next"]


def enumerators(enum_type):
    """[(name, value)] of a C enum (a type name such as "enum pps_stage",
    or a gdb.Type), in declaration order, from DWARF."""
    try:
        t = gdb.lookup_type(enum_type) if isinstance(enum_type, str) else enum_type
    except gdb.error:
        raise PpsError(f"no {enum_type} in this kernel's DWARF (is build/kernel.elf this kernel?)")
    return [(f.name, f.enumval) for f in t.strip_typedefs().fields()]


def enum_value(enum_type, name):
    for n, v in enumerators(enum_type):
        if n == name:
            return v
    raise PpsError(f"{enum_type} has no {name} in this kernel's DWARF: the kernel changed")


def enum_name(enum_type, value):
    """The name of value in the enum, or the number itself as a string."""
    return next((n for n, v in enumerators(enum_type) if v == value), str(value))


def bits(value, table):
    names = [n for b, n in table if value & b]
    return " ".join(names) if names else "-"


def cpu_list(mask):
    cpus = [str(i) for i in range(32) if mask & (1 << i)]
    return ",".join(cpus) if cpus else "none"


# ---- processes and address spaces --------------------------------------------


def procs():
    """Every live slot of proc_table, as (struct proc *) values."""
    table = val("proc_table")
    lo, hi = table.type.range() if table.type.code == gdb.TYPE_CODE_ARRAY else (0, NPROC_FALLBACK - 1)
    for i in range(lo, hi + 1):
        p = table[i]
        if ptr(p):
            yield p


def proc_state(p):
    """enum proc_state's name, short: P_ALIVE -> alive."""
    return enum_name(p["state"].type, int(p["state"])).removeprefix("P_").lower()


def find_proc(pid):
    for p in procs():
        if int(p["pid"]) == pid:
            return p
    raise PpsError(f"no process with pid {pid} (pps-ps lists them)")


def proc_threads(p):
    """The live threads of a process (p->threads, via thread_node)."""
    return list_entries(p["threads"], "struct thread", "thread_node")


def thread_state(t):
    """enum thread_state's name, short: T_RUNNING -> running."""
    return enum_name(t["state"].type, int(t["state"])).removeprefix("T_").lower()


def proc_of_mm(mm_addr):
    for p in procs():
        if ptr(p["mm"]) == mm_addr:
            return p
    return None


def current_mm():
    """The address space the selected CPU has loaded (its CR3), and the
    process that owns it. Fails on a CPU that runs only kernel threads."""
    try:
        cr3 = u32(val("$cr3")) & _PAGE_FRAME
    except gdb.error:
        raise PpsError("cannot read CR3 of this CPU: give a PID (pps-ps lists them)")
    for p in procs():
        mm = p["mm"]
        if ptr(mm) and ptr(mm["pgdir"]) - KERNEL_BASE == cr3:
            return p, mm
    raise PpsError(f"this CPU (CR3 {cr3:#x}) runs no process: give a PID (pps-ps lists them), "
                   f"or `thread N` to a CPU that is in one")


def parse_int(s, what):
    try:
        return int(gdb.parse_and_eval(s))
    except gdb.error:
        raise PpsError(f"{what} '{s}' is not a number or expression")


# ---- page tables: the one walker (mm/pgtable.c) -------------------------------


# What _table_runs() hands out for one PDE: the page-directory entry
# covering va (pdi, its index, and its value pde) and `ptes`, the entries
# pti, pti+1, ... of its page table for the part of the walk's range in
# this 4 MiB, or None when the PDE holds no page table (not present, or a
# 4 MiB page).
TableRun = collections.namedtuple("TableRun", "va pdi pde pti ptes")


def _table_runs(mm_val, start, end):
    """The walk itself, as the kernel's pte_walk_next(): [start, end) in
    address order, one TableRun per 4 MiB (one PDE), the PTEs of each page
    table read in one go. The only place here that indexes a page
    directory or a page table."""
    pgdir = ptr(mm_val["pgdir"])
    if not pgdir:
        raise PpsError("this mm has no page directory")
    va = start & _PAGE_FRAME
    while va < end:
        pdi = va >> PDE_SHIFT
        next_pde = (pdi + 1) * BIGPAGE_SIZE
        pde = read_u32s(pgdir + 4 * pdi, 1)[0]
        pti = (va >> PAGE_SHIFT) & (PTES_PER_TABLE - 1)
        ptes = None
        if pde & _PAGE_PRESENT and not pde & _PAGE_PSE:
            n = (min(end, next_pde) - va + PAGE_SIZE - 1) >> PAGE_SHIFT
            ptes = read_u32s(p2v(pde & _PAGE_FRAME) + 4 * pti, n)
        yield TableRun(va, pdi, pde, pti, ptes)
        va = next_pde


def walk_ptes(mm_val, start, end):
    """for_each_pte(w, mm, start, end) from GDB: (va, pte) for each
    existing PTE of [start, end), in address order, skipping the 4 MiB of
    every PDE without a page table."""
    for run in _table_runs(mm_val, start, end):
        if run.ptes is not None:
            yield from zip(range(run.va, run.va + len(run.ptes) * PAGE_SIZE, PAGE_SIZE), run.ptes)


def pte_lookup(mm_val, va):
    """pte_lookup(mm, va) from GDB, by the same walk over va's one page:
    its TableRun (run.ptes is (pte,), or None without a page table)."""
    return next(_table_runs(mm_val, va, (va & _PAGE_FRAME) + PAGE_SIZE))


def pte_type(pte):
    """The kernel's pte_*() predicates, in the same order (arch/x86/pte.h)."""
    if pte == 0:
        return "none"
    if pte & _PAGE_PRESENT:
        return "present"
    if pte & _PAGE_SWAPPED:
        return "SwappedPTE (swap-in busy)" if pte & _PAGE_SWAPIN else "SwappedPTE"
    if pte & _PAGE_UNMAPPED:
        return "UnmappedPTE"
    if pte & _PAGE_PROTNONE:
        return "PROT_NONE"
    return "unknown non-present entry"


def pte_has_frame(pte):
    return bool(pte & _PAGE_PRESENT) or (not pte & _PAGE_SWAPPED and
                                         bool(pte & (_PAGE_UNMAPPED | _PAGE_PROTNONE)))


def page_at(pfn):
    return val("page_array")[pfn]


def count_vma_ptes(mm_val, start, end):
    """{present, unmapped, swapped, protnone} over [start, end)."""
    c = {"present": 0, "unmapped": 0, "swapped": 0, "protnone": 0}
    key = {"present": "present", "UnmappedPTE": "unmapped", "SwappedPTE": "swapped",
           "PROT_NONE": "protnone"}
    for _, pte in walk_ptes(mm_val, start, end):
        k = key.get(pte_type(pte).split()[0])
        if k:
            c[k] += 1
    return c


def vmas(mm_val):
    return list_entries(mm_val["vmas"], "struct vma", "node")


def dftlb_task_of(seq):
    """The dftlb_table slot holding task `seq`, or None (no slot: done)."""
    table = val("dftlb_table")
    lo, hi = table.type.range()
    for i in range(lo, hi + 1):
        if u32(table[i]["seq"]) == seq:
            return i, table[i]
    return None


# ---- the legacy page system (mm/rmap.h, mm/anon.h) -----------------------------
#
# A page shared copy-on-write after fork (or by MAP_SHARED) has no one
# owner: PG_legacy, owner_mm NULL, page->anon the VMA family's anon object
# and page->index its offset there. The helpers find its PTEs as the kernel
# does: through the object's VMAs (rmap=anon), and with rmap=chain also
# along page->chain.


def proc_label(mm_addr):
    """'pid 2 (cowpause)' for an mm, or the mm's address if no process has it."""
    p = proc_of_mm(mm_addr) if mm_addr else None
    return f"pid {int(p['pid'])} ({cstr(p['name'])})" if p is not None else f"mm {mm_addr:#x}"


def legacy_vma_kind(v):
    """What /proc/PID/pps_maps says of a VMA (kernel/fs/proc_pid.c): pps,
    own, legacy anon:ID vmas:N, or legacy (vma_is_legacy() without an
    object yet: VM_SHARED, or reclaim=clock)."""
    f = u32(v["flags"])
    if ptr(v["anon"]):
        a = v["anon"]
        return f"legacy anon:{u32(a['id'])} vmas:{u32(a['nr_vmas'])}"
    if f & VM_PURE_PRIVATE:
        return "pps"
    clock = enum_value("enum reclaim_mode", "RECLAIM_CLOCK")
    if f & VM_SHARED or int(val("reclaim_mode")) == clock:
        return "legacy"
    return "own"


def page_pfn(page):
    """The frame number of a struct page (pointer arithmetic in GDB: no
    struct size written here)."""
    pp = page.address if page.type.code != gdb.TYPE_CODE_PTR else page
    return int(pp - val("page_array"))


def slot_uses(slot):
    """The swap slot's use count (swap_area_main.count[slot]), or None."""
    try:
        area = val("swap_area_main")
        if ptr(area["count"]) and 0 < slot < u32(area["nslots"]):
            return int(area["count"][slot])
    except gdb.error:
        pass
    return None


def legacy_state(page):
    """One line: a legacy page's counts, object, offset and swap cache."""
    pf = u32(page["flags"])
    a = page["anon"]
    obj = f"anon {u32(a['id'])}" if ptr(a) else "anon none (no mapping left)"
    if pf & PG_swapcache:
        slot = u32(page["swap_slot"])
        uses = slot_uses(slot)
        cache = f"swap cache slot {slot}" + (f" (use count {uses})" if uses is not None else "")
    else:
        cache = "not in the swap cache"
    return (f"mapcount {u32(page['mapcount'])} count {u32(page['count'])} {obj} "
            f"index {u32(page['index']):#x}, {cache}")


def pte_verdict(pte, pfn, page):
    """Does this PTE hold frame pfn? (maps, text): maps is True when it
    does: present or PROT_NONE (an UnmappedPTE too, which a legacy page
    never has: flagged)."""
    kind = pte_type(pte)
    if kind in ("present", "PROT_NONE", "UnmappedPTE") and pte >> PAGE_SHIFT == pfn:
        how = ("present " + ("RW" if pte & _PAGE_RW else "read-only")) if kind == "present" else kind
        note = " (a legacy page is never one: wrong!)" if kind == "UnmappedPTE" else ""
        return True, f"maps it ({how}){note}"
    if kind.startswith("SwappedPTE"):
        slot = pte >> PAGE_SHIFT
        mine = (u32(page["flags"]) & PG_swapcache) and slot == u32(page["swap_slot"])
        return False, f"{kind} slot {slot}" + (" (this page's swap cache slot)" if mine else "")
    if kind == "none":
        return False, "none (never touched here)"
    if pte_has_frame(pte):
        return False, f"something else: {kind}, pfn {pte >> PAGE_SHIFT:#x} (another frame)"
    return False, f"something else: {kind} ({pte:#010x})"


def pte_at(mm, va):
    """The PTE value at va of mm, or None without a page table."""
    run = pte_lookup(mm, va)
    if run.ptes is None:
        return None
    return run.ptes[0]


def anon_vmas(a):
    """The VMAs of an anon object's family (a->vmas, via vma->anon_node)."""
    return list_entries(a["vmas"], "struct vma", "anon_node")


def anon_walk(page):
    """The object-based rmap walk (mm/rmap.c, anon_collect) from GDB: for
    each VMA of the page's family, (vma, va or None if its range does not
    cover the page's offset, maps, verdict)."""
    a = page["anon"]
    index, pfn = u32(page["index"]), page_pfn(page)
    for v in anon_vmas(a):
        start, pgoff = u32(v["start"]), u32(v["pgoff"])
        npages = (u32(v["end"]) - start) >> PAGE_SHIFT
        if index < pgoff or index - pgoff >= npages:
            yield v, None, False, f"does not cover index {index:#x} (pgoff {pgoff:#x}, {npages} pages)"
            continue
        va = start + ((index - pgoff) << PAGE_SHIFT)
        pte = pte_at(v["mm"], va)
        if pte is None:
            yield v, va, False, "no page table there"
            continue
        maps, text = pte_verdict(pte, pfn, page)
        yield v, va, maps, f"PTE {pte:#010x} {text}"


def chain_pte_owner(ptep):
    """rmap=chain (mm/pte_chain.c): the page table holding the PTE at
    kernel address ptep records, in its struct page, its mm (owner_mm), the
    base of the 4 MiB it maps (owner_va) and its pair of next-pointers
    (sc_next). Returns (mm, va, the next PTE's address or 0), or None if the
    table has no pair. The one place that knows the pair's layout: slot k
    of the pair belongs to entry k of the table."""
    table = page_at((ptep - KERNEL_BASE) >> PAGE_SHIFT)
    mm, pair = ptr(table["owner_mm"]), table["sc_next"]
    if not mm or not ptr(pair):
        return None
    k = (ptep & (PAGE_SIZE - 1)) // 4              # 4: a pte_t, and a pointer
    nxt = read_u32s(p2v(page_pfn(pair) << PAGE_SHIFT) + 4 * k, 1)[0]
    return mm, u32(table["owner_va"]) + k * PAGE_SIZE, nxt


def chain_walk(page, limit=1024):
    """page->chain and its next pointers: (ptep, mm, va, maps, verdict)
    for each PTE on the chain, or (ptep, None, None, False, why) where
    the walk cannot go on."""
    ptep, pfn = ptr(page["chain"]), page_pfn(page)
    for _ in range(limit):
        if not ptep:
            return
        if ptep < KERNEL_BASE:
            yield ptep, None, None, False, "not a kernel address: the chain is broken"
            return
        own = chain_pte_owner(ptep)
        if own is None:
            yield ptep, None, None, False, "its page table has no pair (made while rmap=anon?)"
            return
        mm, va, nxt = own
        pte = read_u32s(ptep, 1)[0]
        maps, text = pte_verdict(pte, pfn, page)
        yield ptep, mm, va, maps, f"PTE {pte:#010x} {text}"
        ptep = nxt
    yield ptep, None, None, False, f"still going after {limit} entries: a loop?"


def find_anon(anon_id):
    """The anon object with this id, found through the VMAs of every
    process (the kernel keeps no list of objects)."""
    for p in procs():
        if ptr(p["mm"]):
            for v in vmas(p["mm"]):
                a = v["anon"]
                if ptr(a) and u32(a["id"]) == anon_id:
                    return a
    return None


def rmap_mode_name():
    """RMAP_ANON or RMAP_CHAIN (enum rmap_mode, the boot option rmap=)."""
    return enum_name("enum rmap_mode", int(val("rmap_mode")))


# ---- PPS stages (enum pps_stage, mm/pps.h) -------------------------------------

PPS_STAGE = "enum pps_stage"

# pps-pte's `stage:` line: the PTE the stage holds, and what the next step
# of that stage does. Keyed by enum pps_stage's names; {n} is the stage's
# number, from DWARF.
STAGE_TEXT = {
    "PPS_STAGE_NONE": "not a PPS page",
    "PPS_STAGE_AGE": "present, young: a stage-{n} step clears A (D goes to PG_dirty) and queues a dftlb task",
    "PPS_STAGE_UNMAP": "present, old: a stage-{n} step makes it an UnmappedPTE ({gate})",
    "PPS_STAGE_ATTACH": "UnmappedPTE, no slot: a stage-{n} step attaches a swap slot",
    "PPS_STAGE_WRITE": "UnmappedPTE, slot attached, dirty: a stage-{n} step writes it to the slot",
    "PPS_STAGE_FREE": "UnmappedPTE, clean copy on swap: a stage-{n} step makes it a SwappedPTE "
                      "and frees the frame",
    "PPS_STAGE_SWAPPED": "SwappedPTE: only on the swap disk; the next touch reads it back (pps_swapin)",
}


def stage_num(name):
    return enum_value(PPS_STAGE, name)


def stage_label(n):
    """A stage as the helpers print it: 2 (PPS_STAGE_UNMAP)."""
    return f"{n} ({enum_name(PPS_STAGE, n)})"


def stage_short(n):
    """UNMAP for stage 2: its enum pps_stage name without PPS_STAGE_."""
    return enum_name(PPS_STAGE, n).removeprefix("PPS_STAGE_")


def moving_stages():
    """The stages a series can leave, PPS_STAGE_AGE..PPS_STAGE_FREE (as
    pps_step_range() tests them), by number."""
    return list(range(stage_num("PPS_STAGE_AGE"), stage_num("PPS_STAGE_FREE") + 1))


def moving_stages_text():
    """'1..5 (PPS_STAGE_AGE..PPS_STAGE_FREE)', for messages."""
    st = moving_stages()
    return f"{st[0]}..{st[-1]} ({enum_name(PPS_STAGE, st[0])}..{enum_name(PPS_STAGE, st[-1])})"


def parse_stage(s):
    """A stage given as a number, an expression, or a name: 3, ATTACH,
    PPS_STAGE_ATTACH."""
    for n, v in enumerators(PPS_STAGE):
        if s.upper() in (n, n.removeprefix("PPS_STAGE_")):
            return v
    return parse_int(s, "stage")


def tally(res):
    """A struct pps_result (kppsd_last): scanned, moves by stage, freed."""
    moved = res["moved"]
    return (f"scanned {u32(res['scanned'])}, moved "
            + " ".join(f"{stage_short(n)}={u32(moved[n])}" for n in moving_stages())
            + f", freed {u32(res['freed'])}")


def stage_of(pte, page):
    """mm/pps.c's stage_of(): the name (in enum pps_stage) of the stage
    this PTE waits to leave."""
    kind = pte_type(pte)
    if kind == "present":
        return "PPS_STAGE_AGE" if pte & _PAGE_ACCESSED else "PPS_STAGE_UNMAP"
    if kind == "UnmappedPTE":
        if page is None or not u32(page["swap_slot"]):
            return "PPS_STAGE_ATTACH"
        return "PPS_STAGE_WRITE" if u32(page["flags"]) & PG_dirty else "PPS_STAGE_FREE"
    if kind.startswith("SwappedPTE"):
        return "PPS_STAGE_SWAPPED"
    return "PPS_STAGE_NONE"


def dftlb_gate(page, n):
    """Whether stage n (UNMAP) may unmap this old page yet: its stage-1
    step's dftlb task must be done on every CPU."""
    seq = u32(page["dftlb_seq"]) if page is not None else 0
    if seq:
        t = dftlb_task_of(seq)
        if t is not None and (not bool(t[1]["closed"]) or u32(t[1]["cpu_mask"])):
            return (f"dftlb task {seq} (slot {t[0]}) still owed by CPUs "
                    f"{cpu_list(u32(t[1]['cpu_mask']))}: stage {n} waits for their timer ticks")
    return "its dftlb task is done"


def stage_line(pte, page):
    """pps-pte's `stage:` line: 2 (PPS_STAGE_UNMAP): present, old: ..."""
    name = stage_of(pte, page)
    n = stage_num(name)
    gate = dftlb_gate(page, n) if name == "PPS_STAGE_UNMAP" else ""
    why = STAGE_TEXT.get(name, "(ppsos.py has no notes on this stage)")
    return f"{stage_label(n)}: {why.format(n=n, gate=gate)}"


# ---- the commands ---------------------------------------------------------------


class PpsCommand(gdb.Command):
    """Base: one-line errors instead of tracebacks."""

    name = None

    def __init__(self):
        super().__init__(self.name, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            inferior()      # a live kernel, not just the ELF's initial data
            self.run(gdb.string_to_argv(arg))
        except PpsError as e:
            print(f"{self.name}: {e}")
        except gdb.MemoryError as e:
            print(f"{self.name}: cannot read kernel memory ({e}); is the kernel booted "
                  f"with paging on? (ppsos-boot, then continue)")
        except gdb.error as e:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            if "No symbol" in msg:
                msg += " (is build/kernel.elf loaded, and is it this kernel?)"
            elif "no registers" in msg or "not being run" in msg:
                msg += " (attach first: target remote :PORT)"
            print(f"{self.name}: {msg}")
        except KeyboardInterrupt:
            print(f"{self.name}: interrupted")
        except Exception as e:  # a bug here: still one line, never a traceback
            print(f"{self.name}: internal error: {type(e).__name__}: {e}")


class PpsosPy(gdb.Command):
    """The PPS helpers of scripts/gdb/ppsos.py (docs/gdb-walkthrough.md):

  pps-ps              processes and their threads, rss, PTE types in their PURE_PRIVATE VMAs
  pps-vmas PID        a process's VMAs and their flags
  pps-pte ADDR [PID]  walk to one PTE: type, frame or slot, struct page, stage
  pps-page PFN | ADDR [PID]  one frame: owner, or legacy state and every PTE that maps it
  pps-anon [ID]       anon objects (the families of forked VMAs) and their VMAs
  pps-stats           vmstat counters, swap usage, kppsd mode and last pass
  pps-dftlb           the delayed TLB flush tasks and the CPUs that owe them
  pps-series          the series kppsd is moving right now
  pps-cpus            per-CPU state
  pps-break-stage N [ADDR]  stop when kppsd is about to move a series out of stage N
  pps-step [N]        ask kppsd for one pass (all stages, or stage N only)
  pps-step-wait [N]   the same, then continue until the pass is over
  pps-finish-pass     continue until the pass under way is over"""

    def __init__(self):
        super().__init__("ppsos-py", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        print(self.__doc__)


class PpsPte(PpsCommand):
    """pps-pte ADDR [PID]: walk a process's page tables to the PTE of ADDR.

Without PID: the process whose page directory the selected CPU has loaded
(its CR3); `thread N` selects CPU N-1. Prints the PDE, the PTE's raw value
and its type:
  none         never touched
  present      mapped; A (accessed/young), D (dirty), RW, US as the CPU sees them
  UnmappedPTE  not present, still holding its frame (PPS stage 2 done)
  SwappedPTE   not present, bits 12-31 are a swap slot (stage 5 done);
               "swap-in busy" while a fault is reading it back
  PROT_NONE    mprotect(PROT_NONE): not present, frame kept
For an entry that holds a frame: its struct page (flags, owner_mm, owner_va,
swap_slot, dftlb_seq) and whether the owner is this very PTE (the
one-to-one model: every private page has exactly one owner). A legacy page
(PG_legacy: shared copy-on-write after fork, or MAP_SHARED) has no owner:
then its mapcount, count, anon object, index and swap cache slot instead,
and the PTEs of its family that map it (pps-page shows the whole walk).
The VMA's line ends with its page system, as /proc/PID/pps_maps says it.
Last, for a PURE_PRIVATE VMA, the PPS stage the PTE waits to leave, by
number and enum pps_stage name, and what the next step of that stage
does."""

    name = "pps-pte"

    def run(self, argv):
        if len(argv) not in (1, 2):
            raise PpsError("usage: pps-pte ADDR [PID]")
        va = parse_int(argv[0], "address") & 0xFFFFFFFF
        if len(argv) == 2:
            p = find_proc(parse_int(argv[1], "pid"))
            mm = p["mm"]
            if not ptr(mm):
                raise PpsError(f"pid {int(p['pid'])} has no address space (a zombie?)")
        else:
            p, mm = current_mm()
        print(f"pid {int(p['pid'])} ({cstr(p['name'])}) mm {ptr(mm):#x} "
              f"pgdir {ptr(mm['pgdir']):#x}  va {va:#010x}")
        if va >= KERNEL_BASE:
            print("note: a kernel address (the shared kernel half of every page directory)")
        run = pte_lookup(mm, va)
        pdi, pde = run.pdi, run.pde
        if not pde & _PAGE_PRESENT:
            print(f"PDE[{pdi}] = {pde:#010x}  not present: no page table here")
            print("type: none (no page table)")
            return
        if pde & _PAGE_PSE:
            print(f"PDE[{pdi}] = {pde:#010x}  a 4 MiB page at pa {pde & ~(BIGPAGE_SIZE - 1):#010x}")
            print("type: present (4 MiB page)")
            return
        print(f"PDE[{pdi}] = {pde:#010x}  page table at pa {pde & _PAGE_FRAME:#010x}")
        pti, pte = run.pti, run.ptes[0]
        kind = pte_type(pte)
        flags = [n for b, n in [(_PAGE_ACCESSED, "A"), (_PAGE_DIRTY, "D"), (_PAGE_RW, "RW"),
                                (_PAGE_USER, "US")] if pte & b]
        print(f"PTE[{pti}] = {pte:#010x}")
        extra = ""
        if kind == "present":
            extra = "  (young)" if pte & _PAGE_ACCESSED else "  (old)"
        print(f"type: {kind}{extra}")
        print(f"bits: {' '.join(flags) if flags else '-'}"
              + ("  (A and D mean nothing when P=0)" if not pte & _PAGE_PRESENT and
                 pte & (_PAGE_ACCESSED | _PAGE_DIRTY) else ""))
        page = None
        if kind.startswith("SwappedPTE"):
            slot = pte >> PAGE_SHIFT
            count = ""
            try:
                area = val("swap_area_main")
                if ptr(area["count"]) and slot < u32(area["nslots"]):
                    count = f", use count {int(area['count'][slot])}"
            except gdb.error:
                pass
            print(f"slot: {slot} (disk byte offset {slot * PAGE_SIZE:#x}{count})")
        elif kind != "none" and pte_has_frame(pte):
            pfn = pte >> PAGE_SHIFT
            print(f"frame: pfn {pfn:#x} (pa {pfn << PAGE_SHIFT:#010x}, "
                  f"kernel va {p2v(pfn << PAGE_SHIFT):#010x})")
            if pfn >= u32(val("max_pfn")):
                print(f"page: pfn beyond max_pfn {u32(val('max_pfn')):#x}: no struct page!")
            else:
                page = page_at(pfn)
                pf = u32(page["flags"])
                owner_mm, owner_va = ptr(page["owner_mm"]), u32(page["owner_va"])
                print(f"page: (struct page *){u32(page.address):#x} flags {pf:#x} "
                      f"[{bits(pf, PG_FLAGS)}] owner_mm {owner_mm:#x} owner_va {owner_va:#x} "
                      f"swap_slot {u32(page['swap_slot'])} dftlb_seq {u32(page['dftlb_seq'])}")
                want_va = va & _PAGE_FRAME
                if pf & PG_legacy:
                    print(f"owner: none: a legacy page (shared copy-on-write or MAP_SHARED; "
                          f"mm/rmap.h): {legacy_state(page)}")
                    print_legacy_mappings(page, ptr(mm), want_va)
                elif owner_mm == ptr(mm) and owner_va == want_va:
                    print("owner: matches this PTE (one-to-one model holds)")
                elif owner_mm == 0:
                    print("owner: none recorded (not a private page, e.g. a file image page)")
                else:
                    op = proc_of_mm(owner_mm)
                    who = f" (pid {int(op['pid'])})" if op is not None else ""
                    print(f"owner: MISMATCH: the page says mm {owner_mm:#x}{who} va {owner_va:#x}, "
                          f"but this PTE is mm {ptr(mm):#x} va {want_va:#x}")
        if kind != "none":
            v = next((x for x in vmas(mm) if u32(x["start"]) <= va < u32(x["end"])), None)
            if v is None:
                print("vma: none covers this address")
            else:
                vf = u32(v["flags"])
                print(f"vma: {u32(v['start']):#x}-{u32(v['end']):#x} [{bits(vf, VM_FLAGS)}] "
                      f"{legacy_vma_kind(v)}")
                if vf & VM_PURE_PRIVATE:
                    line = stage_line(pte, page)
                    if vf & VM_LOCKED:
                        line += " (but the VMA is mlocked: kppsd skips it)"
                    print(f"stage: {line}")


def print_legacy_mappings(page, this_mm=0, this_va=0):
    """pps-pte's `maps:` line for a legacy page: the places of its family
    whose PTE holds it (the object-based walk), this PTE marked."""
    if not ptr(page["anon"]):
        print("maps: nothing (no anon object: the page waits in the swap cache)")
        return
    where = []
    for v, va, maps, _ in anon_walk(page):
        if maps:
            mm = ptr(v["mm"])
            here = " (this PTE)" if (mm, va) == (this_mm, this_va) else ""
            where.append(f"{proc_label(mm)} va {va:#x}{here}")
    print(f"maps: {len(where)} PTE{'' if len(where) == 1 else 's'}: "
          + ("; ".join(where) if where else "none")
          + ("" if len(where) == u32(page["mapcount"]) else
             f"  (but mapcount is {u32(page['mapcount'])}: MISMATCH)"))


class PpsVmas(PpsCommand):
    """pps-vmas [PID]: the VMAs of a process (default: the selected CPU's).

One line each: start-end, size in pages, flags (READ WRITE EXEC GROWSDOWN
PURE_PRIVATE LOCKED FILE HEAP SHARED), the name /proc/PID/maps shows, the
page system of its pages as /proc/PID/pps_maps says it: "pps" (pure
private: kppsd's), "own" (one owner, not reclaimed: a file image), or
"legacy anon:ID vmas:N" (shared copy-on-write after fork, or MAP_SHARED:
its anon object and the VMAs of that family; pps-anon ID lists them).
For a PURE_PRIVATE VMA (the ones kppsd reclaims, unless LOCKED): how many
of its PTEs are present, UnmappedPTE and SwappedPTE; for a legacy one its
pgoff (a page of offset i in the object sits at start + (i - pgoff)
pages) and its present and SwappedPTEs."""

    name = "pps-vmas"

    def run(self, argv):
        if len(argv) > 1:
            raise PpsError("usage: pps-vmas [PID]")
        if argv:
            p = find_proc(parse_int(argv[0], "pid"))
            mm = p["mm"]
        else:
            p, mm = current_mm()
        if not ptr(mm):
            raise PpsError(f"pid {int(p['pid'])} has no address space")
        print(f"pid {int(p['pid'])} ({cstr(p['name'])}) mm {ptr(mm):#x}: "
              f"{int(mm['nr_vmas'])} VMAs, rss {u32(mm['rss'])} pages")
        for v in vmas(mm):
            s, e, f = u32(v["start"]), u32(v["end"]), u32(v["flags"])
            name = cstr(v["name"]) or ("" if f & VM_FILE else "[anon]")
            kind = legacy_vma_kind(v)
            line = (f"  {s:#010x}-{e:#010x} {(e - s) >> PAGE_SHIFT:6d} pages  flags {f:#06x} "
                    f"[{bits(f, VM_FLAGS)}]  {name}  {kind}")
            if f & VM_PURE_PRIVATE:
                c = count_vma_ptes(mm, s, e)
                line += (f"  (present {c['present']} unmapped {c['unmapped']} "
                         f"swapped {c['swapped']})")
            elif kind.startswith("legacy"):
                # pgoff: where the object's offsets start here (a page of
                # index i sits at start + (i - pgoff) pages)
                c = count_vma_ptes(mm, s, e)
                line += (f" pgoff {u32(v['pgoff']):#x}  (present {c['present']} swapped {c['swapped']}"
                         + (f" protnone {c['protnone']}" if c["protnone"] else "") + ")")
            print(line)


class PpsPs(PpsCommand):
    """pps-ps: every process: pid, name, state, number of threads, mm, rss
(resident pages), the CPUs that have its page directory in CR3 now
(mm->cpu_mask: who would owe a delayed TLB flush, and who an munmap's
shootdown interrupts), and its PTEs in PURE_PRIVATE VMAs by type, counted
by walking the page tables from GDB (present / unmapped / swapped), the
figures /proc/meminfo sums as PpsPte, PpsUnmapped, PpsSwapped. Under each
process, one line per thread: its TID, state, the CPU it runs on or last
ran on (t->cpu), and the CPUs it may run on (cpus_allowed; "any" for the
default mask, every bit set)."""

    name = "pps-ps"

    def run(self, argv):
        print(f"{'pid':>4} {'name':<16} {'state':<7} {'thr':>3} {'mm':<10} {'rss':>6} {'mm on cpus':<10} "
              f"{'present':>7} {'unmapped':>8} {'swapped':>7}")
        n = 0
        for p in procs():
            n += 1
            mm = p["mm"]
            head = f"{int(p['pid']):4d} {cstr(p['name']):<16} {proc_state(p):<7} {int(p['nr_threads']):3d}"
            if not ptr(mm):
                print(f"{head} {'-':<10}")
                self.print_threads(p)
                continue
            tot = {"present": 0, "unmapped": 0, "swapped": 0}
            for v in vmas(mm):
                if u32(v["flags"]) & VM_PURE_PRIVATE:
                    c = count_vma_ptes(mm, u32(v["start"]), u32(v["end"]))
                    for k in tot:
                        tot[k] += c[k]
            print(f"{head} {ptr(mm):#010x} {u32(mm['rss']):6d} {cpu_list(u32(mm['cpu_mask'])):<10} "
                  f"{tot['present']:7d} {tot['unmapped']:8d} {tot['swapped']:7d}")
            self.print_threads(p)
        if not n:
            print("(no processes yet: user space has not started)")

    @staticmethod
    def print_threads(p):
        for t in proc_threads(p):
            cpu = t["cpu"]
            where = f"cpu {int(cpu['id'])}" if ptr(cpu) else "cpu -"
            if ptr(cpu) and ptr(cpu["curr"]) == ptr(t):
                where += " (running there now)"
            allowed = u32(t["cpus_allowed"])
            # ~0 is the default (sched.c: any CPU, present or future)
            print(f"       tid {int(t['utid']):<5} {thread_state(t):<9} {where:<24} "
                  f"allowed {'any' if allowed == 0xFFFFFFFF else cpu_list(allowed)}")


class PpsPage(PpsCommand):
    """pps-page PFN | KERNEL-ADDR | ADDR [PID]: one frame's struct page, and who maps it.

A number below max_pfn without a PID is a frame number; a kernel address
without a PID is read through the direct map (the frame of a PTE's
address on a chain is its page table); otherwise it is a user address,
translated through the page tables of PID (default: the process whose
page directory the selected CPU has loaded, as pps-pte).
Prints the struct page (flags decoded), then either
  owned:   the one owner (owner_mm, owner_va -> pid) and whether the
           owner's PTE really holds this frame (PPS's one-to-one model), or
  legacy:  mapcount, count, the anon object and the page's index in it,
           the swap cache slot; then the object-based reverse map done by
           GDB, as the kernel's anon_collect: every VMA of the object's
           family, its process, the address where the page would sit
           (start + (index - pgoff) pages) and what that PTE holds: this
           frame (present or PROT_NONE), a SwappedPTE (the page's swap
           cache slot, or another), or something else (a copy of its own,
           after a copy-on-write fault); the count of PTEs found is checked
           against mapcount. With rmap=chain (the kernel's rmap_mode) also
           the PTE chain: page->chain and each PTE's next pointer, kept in
           the page of next-pointers paired with its page table."""

    name = "pps-page"

    def run(self, argv):
        if len(argv) not in (1, 2):
            raise PpsError("usage: pps-page PFN | pps-page KERNEL-ADDR | pps-page ADDR [PID]")
        x = parse_int(argv[0], "frame number or address") & 0xFFFFFFFF
        max_pfn = u32(val("max_pfn"))
        if len(argv) == 1 and x < max_pfn:
            pfn = x
        elif len(argv) == 1 and x >= KERNEL_BASE:
            pfn = (x - KERNEL_BASE) >> PAGE_SHIFT     # the direct map (e.g. a PTE's address)
            print(f"kernel va {x:#010x} -> pfn {pfn:#x}")
        else:
            if len(argv) == 2:
                p = find_proc(parse_int(argv[1], "pid"))
                mm = p["mm"]
                if not ptr(mm):
                    raise PpsError(f"pid {int(p['pid'])} has no address space (a zombie?)")
            else:
                p, mm = current_mm()
            va = x & _PAGE_FRAME
            pte = pte_at(mm, va)
            who = f"pid {int(p['pid'])} ({cstr(p['name'])}) va {va:#010x}"
            if pte is None:
                raise PpsError(f"{who}: no page table there (pps-vmas {int(p['pid'])} lists its VMAs)")
            kind = pte_type(pte)
            if not pte_has_frame(pte):
                raise PpsError(f"{who}: PTE {pte:#010x} is {kind}: no frame"
                               + (f" (swap slot {pte >> PAGE_SHIFT})" if kind.startswith("SwappedPTE")
                                  else ""))
            pfn = pte >> PAGE_SHIFT
            print(f"{who}: PTE {pte:#010x} {kind} -> pfn {pfn:#x}")
        if pfn >= max_pfn:
            raise PpsError(f"pfn {pfn:#x} is beyond max_pfn {max_pfn:#x}: no struct page")
        page = page_at(pfn)
        pf = u32(page["flags"])
        print(f"page: (struct page *){u32(page.address):#x} pfn {pfn:#x} (pa {pfn << PAGE_SHIFT:#010x}) "
              f"flags {pf:#x} [{bits(pf, PG_FLAGS)}]")
        if pf & PG_legacy:
            self.legacy(page)
        elif ptr(page["owner_mm"]):
            self.owned(page, pfn)
        else:
            print("owner: none, and not a legacy page: not a user page (free, slab, a page table, "
                  "the kernel's) or a file image page")

    @staticmethod
    def owned(page, pfn):
        mm, va = ptr(page["owner_mm"]), u32(page["owner_va"])
        pde = pte_lookup(page["owner_mm"], va).pde
        if pde & _PAGE_PRESENT and not pde & _PAGE_PSE and pde >> PAGE_SHIFT == pfn:
            # rmap=chain (mm/pte_chain.c) records a page table's mm and base
            # in the same fields, and its pair of next-pointers in sc_next
            pair = page["sc_next"]
            print(f"a page table: {proc_label(mm)} {va:#x}-{va + BIGPAGE_SIZE - 1:#x}"
                  + (f", paired with the next-pointer page pfn {page_pfn(pair):#x} (rmap=chain)"
                     if ptr(pair) else ""))
            return
        pte = pte_at(page["owner_mm"], va)
        verdict = "no page table there" if pte is None else \
            f"PTE {pte:#010x} " + ("holds it (one-to-one model holds)"
                                   if pte_has_frame(pte) and pte >> PAGE_SHIFT == pfn
                                   else f"is {pte_type(pte)}: it does not hold this frame: MISMATCH")
        print(f"owned: owner mm {mm:#x} {proc_label(mm)} va {va:#x}: {verdict}; "
              f"swap_slot {u32(page['swap_slot'])} dftlb_seq {u32(page['dftlb_seq'])}")

    @staticmethod
    def legacy(page):
        print(f"legacy: {legacy_state(page)}")
        mapcount = u32(page["mapcount"])
        a = page["anon"]

        def agrees(n, where):
            ok = "agrees" if n == mapcount else "MISMATCH"
            print(f"  {n} PTE{'' if n == 1 else 's'} {where} map{'s' if n == 1 else ''} it; "
                  f"mapcount {mapcount}: {ok}")

        if not ptr(a):
            print("anon: none: no PTE maps the page (it waits in the swap cache, or is being freed)")
        else:
            print(f"anon {u32(a['id'])}: {'shared' if bool(a['shared']) else 'private'}, "
                  f"{u32(a['nr_vmas'])} VMAs; the object-based walk (rmap=anon's) for index "
                  f"{u32(page['index']):#x}:")
            n = 0
            for v, va, maps, text in anon_walk(page):
                n += maps
                at = f"-> {va:#x}" if va is not None else "->"
                print(f"  {proc_label(ptr(v['mm']))} vma {u32(v['start']):#x}-{u32(v['end']):#x} "
                      f"pgoff {u32(v['pgoff']):#x} {at}: {text}")
            agrees(n, "of the family")
        mode = rmap_mode_name()
        if mode != "RMAP_CHAIN":
            print(f"chain: none: rmap_mode is {mode} (boot with rmap=chain for PTE chains)")
            return
        print(f"chain (rmap=chain): page->chain {ptr(page['chain']):#x}")
        n = 0
        for ptep, mm, va, maps, text in chain_walk(page):
            n += maps
            where = f"{proc_label(mm)} va {va:#x}: " if mm else ""
            print(f"  {ptep:#x}: {where}{text}")
        agrees(n, "on the chain")


class PpsAnon(PpsCommand):
    """pps-anon [ID]: anon objects (mm/anon.h), found through the VMAs of
every process. Without ID: one line per object (id, private or shared,
VMAs in its family). With ID (the number pps-vmas and /proc/PID/pps_maps
show after "legacy anon:"): the object and every VMA of its family: the
process, range, pgoff (the object's offset of the VMA's first page) and
its present and SwappedPTEs. A page of index i sits at
start + (i - pgoff) pages in each VMA that covers i."""

    name = "pps-anon"

    def run(self, argv):
        if len(argv) > 1:
            raise PpsError("usage: pps-anon [ID]")
        if not argv:
            seen = {}
            for p in procs():
                if ptr(p["mm"]):
                    for v in vmas(p["mm"]):
                        if ptr(v["anon"]):
                            seen.setdefault(ptr(v["anon"]), v["anon"])
            if not seen:
                print("no anon objects: every VMA is pps or own (nothing forked or shared yet)")
            for a in sorted(seen.values(), key=lambda a: u32(a["id"])):
                self.header(a)
            return
        anon_id = parse_int(argv[0], "anon id")
        a = find_anon(anon_id)
        if a is None:
            raise PpsError(f"no VMA of any process has anon object {anon_id} (pps-anon lists them)")
        self.header(a)
        for v in anon_vmas(a):
            s, e, f = u32(v["start"]), u32(v["end"]), u32(v["flags"])
            c = count_vma_ptes(v["mm"], s, e)
            print(f"  {proc_label(ptr(v['mm'])):<18} {s:#010x}-{e:#010x} pgoff {u32(v['pgoff']):#x} "
                  f"[{bits(f, VM_FLAGS)}] {cstr(v['name']) or '[anon]'}  "
                  f"(present {c['present']} swapped {c['swapped']})")

    @staticmethod
    def header(a):
        extra = f", {u32(a['npages'])} pages in its table" if bool(a["shared"]) else ""
        print(f"anon {u32(a['id'])} (struct anon *){ptr(a):#x}: "
              f"{'shared' if bool(a['shared']) else 'private'}, {u32(a['nr_vmas'])} VMAs{extra}")


def kppsd_mode_name():
    """kppsd's mode as kppsd= spells it (kppsd_modes[kppsd_mode]), and
    the enumerator's name if kppsd_mode is an enum: manual (KPPSD_MANUAL)."""
    mode = val("kppsd_mode")
    m = int(mode)
    text = str(m)
    names = static_var("kppsd_modes", "mm/kppsd.c")
    if names is not None and names.type.code == gdb.TYPE_CODE_ARRAY:
        lo, hi = names.type.range()
        if lo <= m <= hi and ptr(names[m]):
            text = cstr(names[m])
    if mode.type.strip_typedefs().code == gdb.TYPE_CODE_ENUM:
        text += f" ({enum_name(mode.type, m)})"
    return text


class PpsStats(PpsCommand):
    """pps-stats: the PPS and vmstat counters (vm_events[], by the names
/proc/vmstat uses), free frames, swap usage (swap_area_main: slots in use
of nslots), and kppsd: mode (on/off/manual), completed passes, a pending
request (kppsd_request), and the last pass's tally (kppsd_last: PTEs
scanned, PTEs each stage's steps moved on, by the names of enum pps_stage
without PPS_STAGE_ (AGE=... FREE=...), frames freed)."""

    name = "pps-stats"

    def run(self, argv):
        events = val("vm_events")
        names = val("vm_event_names")
        lo, hi = events.type.range()
        pairs = [(cstr(names[i]), u32(events[i])) for i in range(lo, hi + 1)]
        width = max(len(n) for n, _ in pairs)  # columns line up whatever the names
        for i in range(0, len(pairs), 4):
            print(("  " + "  ".join(f"{n:<{width}} {v:<8}" for n, v in pairs[i:i + 4])).rstrip())
        ff, mf = static_var("free_frames", "mm/frame.c"), static_var("managed_frames", "mm/frame.c")
        if ff is not None and mf is not None:
            print(f"frames: {u32(ff)} free of {u32(mf)} managed")
        area = val("swap_area_main")
        nslots, nfree = u32(area["nslots"]), u32(area["nfree"])
        enabled = static_var("swap_enabled", "mm/swapfile.c")
        if not nslots:
            print("swap: none (no swap disk, or swap=off)")
        else:
            used = nslots - 1 - nfree   # slot 0 is the header
            print(f"swap: {used} slots used, {nfree} free, {nslots} slots (slot 0: header)"
                  + ("" if enabled is None or bool(enabled) else "  [disabled]"))
        passes = static_var("passes", "mm/kppsd.c")
        req = int(val("kppsd_request"))
        thread = static_var("kppsd_thread", "mm/kppsd.c")
        line = f"kppsd: mode {kppsd_mode_name()}, passes {u32(passes) if passes is not None else '?'}"
        if req:
            line += f", request {req} pending: " + ("a full pass" if req < 0 else
                                                     f"stage {stage_label(req)} only")
        if thread is not None and not ptr(thread):
            line += " (no kppsd thread: kppsd=off, or not started yet)"
        print(line)
        last = val("kppsd_last")
        only = int(last["only_stage"])
        print(f"last pass: {tally(last)}"
              + (f", only stage {stage_label(only)}" if only else "")
              + (", swap full" if bool(last["swap_full"]) else "")
              + (f", {int(last['io_errors'])} I/O errors" if int(last["io_errors"]) else ""))


class PpsDftlb(PpsCommand):
    """pps-dftlb: the delayed TLB flush table (mm/dftlb.c), busy slots only:
slot, task sequence number, mm (and its pid), closed (ranges complete and
published), the ranges to flush, and the CPUs that still owe a flush
(cpu_mask; each CPU clears its bit in its LAPIC timer interrupt or on a
CR3 load). A task is done when it is closed and no CPU owes it: then stage
2 may unmap the pages it aged (page->dftlb_seq names the task)."""

    name = "pps-dftlb"

    def run(self, argv):
        table = val("dftlb_table")
        lo, hi = table.type.range()
        busy = 0
        for i in range(lo, hi + 1):
            t = table[i]
            seq = u32(t["seq"])
            if not seq:
                continue
            busy += 1
            mm = ptr(t["mm"])
            p = proc_of_mm(mm) if mm else None
            who = f" (pid {int(p['pid'])})" if p is not None else ""
            mask = u32(t["cpu_mask"])
            closed = bool(t["closed"])
            n = min(u32(t["nranges"]), t["ranges"].type.range()[1] + 1)
            ranges = " ".join(f"{u32(t['ranges'][r]['start']):#x}-{u32(t['ranges'][r]['end']):#x}"
                              for r in range(n))
            if not closed:
                state = "open (being filled)"
            elif mask:
                state = f"owed by CPUs {cpu_list(mask)}"
            else:
                state = "done"
            print(f"  slot {i:2d} seq {seq:<6} mm {mm:#010x}{who} closed {int(closed)} "
                  f"cpu_mask {mask:#x}: {state}  ranges {ranges or '-'}")
        if not busy:
            print("dftlb: no tasks (every slot free)")


class PpsSeries(PpsCommand):
    """pps-series: the series kppsd (or a reclaim request) is moving right
now (pps_current_series, set just before pps_series_enter()): its mm,
VMA, range [start, end) and the stage it is leaving. Meaningful when
stopped inside a step, e.g. at a pps-break-stage breakpoint."""

    name = "pps-series"

    def run(self, argv):
        s = val("pps_current_series")
        mm = ptr(s["mm"])
        if not mm:
            print("kppsd is not moving a series")
            return
        p = proc_of_mm(mm)
        who = f"pid {int(p['pid'])} ({cstr(p['name'])}) " if p is not None else ""
        start, end = u32(s["start"]), u32(s["end"])
        v = s["vma"]
        vtxt = f"vma {u32(v['start']):#x}-{u32(v['end']):#x}" if ptr(v) else "vma ?"
        print(f"series: {who}mm {mm:#x} {vtxt} range {start:#x}-{end:#x} "
              f"({(end - start) >> PAGE_SHIFT} pages) leaving stage {stage_label(int(s['stage']))}")


class PpsCpus(PpsCommand):
    """pps-cpus: every CPU the firmware listed (cpus[0..ncpus_found)): its
index, LAPIC id, online flag, the thread it runs now (cpus[i].curr, with
its process and TID), the address space in its CR3 (loaded_mm, and whose
it is: the CPUs holding one mm are the bits of that mm's cpu_mask), the
threads waiting on its run queue, timer ticks ("off" while idle with its
tick stopped), CR3 loads (address-space switches; a switch between two
threads of one mm loads none), pages on its deferred free list
(mm/deferred_free.h), ncli (depth of irq-off spinlocks held) and
irq_depth (>0 inside an interrupt handler). GDB thread N is the vCPU
with LAPIC id N-1."""

    name = "pps-cpus"

    def run(self, argv):
        n = int(val("ncpus_found"))
        cpus = val("cpus")
        print(f"{'cpu':>3} {'apic':>4} {'online':<6} {'current':<30} {'mm loaded':<16} {'rq':>2} "
              f"{'ticks':>8} {'cr3':>8} {'dfree':>5} {'ncli':>4} {'irq':>3}")
        for i in range(n):
            c = cpus[i]
            cur = c["curr"]
            if ptr(cur):
                name = cstr(cur["name"])
                pr = cur["proc"]
                if ptr(pr):
                    name += f" (pid {int(pr['pid'])} tid {int(cur['utid'])})"
            else:
                name = "-"
            mm = ptr(c["loaded_mm"])
            if mm:
                owner = proc_of_mm(mm)
                loaded = f"{mm:#x}" + (f" pid {int(owner['pid'])}" if owner is not None else "")
            else:
                loaded = "kernel"
            ticks = f"{int(c['ticks'])}" + ("/off" if bool(c["tick_stopped"]) else "")
            print(f"{int(c['id']):3d} {u32(c['apic_id']):4d} {'yes' if bool(c['online']) else 'no':<6} "
                  f"{name:<30} {loaded:<16} {int(c['nr_queued']):2d} {ticks:>8} {int(c['cr3_loads']):8d} "
                  f"{u32(c['dfree_count']):5d} {int(c['ncli']):4d} {int(c['irq_depth']):3d}")


class PpsBreakStage(PpsCommand):
    """pps-break-stage [N [ADDR]]: a breakpoint at pps_series_enter() that
stops when a series is about to leave stage N; with ADDR, only the series
that holds ADDR; without N, every series. N is a stage of enum pps_stage
(mm/pps.h) a series can leave, 1..5: its number, its name or the name's
end (3, PPS_STAGE_ATTACH and ATTACH are the same). Then pps-series shows the
series, pps-pte one of its PTEs before the move, and pps-finish-pass runs
to the end of the pass (or `finish` returns to pps_step_range() just
before the stage's function runs: `next` over it shows its effect).

The condition reads pps_current_series (a global the kernel sets just
before the call), not the `stage` argument: pps_series_enter's body is
empty, and although it is noinline and noipa (GCC neither drops the call
nor clones the function), at -O2 GDB may report its arguments as
<optimized out>. The global is always there.

A software breakpoint (`break`) is fine here: use this once the kernel
runs with paging on (after ppsos-boot, or attached to a booted kernel).
At the reset vector paging is off; use hbreak there (see ppsos-boot)."""

    name = "pps-break-stage"

    def run(self, argv):
        if len(argv) > 2:
            raise PpsError(f"usage: pps-break-stage [N [ADDR]]; N = {moving_stages_text()}")
        val("pps_current_series")   # a clear error if the symbol is missing
        cond, what = None, "every series"
        if argv:
            n = parse_stage(argv[0])
            if n not in moving_stages():
                raise PpsError(f"the stages a series can leave are {moving_stages_text()}")
            cond = f"pps_current_series.stage == {enum_name(PPS_STAGE, n)}"
            what = f"a series leaving stage {stage_label(n)}"
        if len(argv) == 2:
            a = parse_int(argv[1], "address") & 0xFFFFFFFF
            cond += (f" && pps_current_series.start <= {a:#x}"
                     f" && {a:#x} < pps_current_series.end")
            what += f" that holds {a:#x}"
        bp = gdb.Breakpoint("pps_series_enter")
        if cond:
            bp.condition = cond
        print(f"Breakpoint {bp.number}: pps_series_enter, stops at {what}"
              + (f" (condition: {cond})" if cond else ""))


def _check_kppsd():
    thread = static_var("kppsd_thread", "mm/kppsd.c")
    if thread is not None and not ptr(thread):
        raise PpsError("there is no kppsd thread (kppsd=off, or the kernel has not started it yet): "
                       "boot with kppsd=manual, or continue until boot is done")


def _set_request(argv, who):
    if len(argv) > 1:
        raise PpsError(f"usage: {who} [N]; no N: a full pass; N = {moving_stages_text()}: "
                       f"one pass of stage N")
    req = -1
    if argv:
        req = parse_stage(argv[0])
        if req not in moving_stages():
            raise PpsError(f"a stage to step is {moving_stages_text()}; no argument: every stage")
    _check_kppsd()
    old = int(val("kppsd_request"))
    gdb.execute(f"set var kppsd_request = {req}", to_string=True)
    st = moving_stages()
    what = f"one full pass (every series moves one stage, {st[0]}..{st[-1]})" if req < 0 else \
        f"one pass of stage {stage_label(req)} only"
    if old:
        print(f"(replacing a pending request {old})")
    return req, what


class PpsStep(PpsCommand):
    """pps-step [N]: ask kppsd for one pass: sets kppsd_request to -1 (a
full pass: every series in every PURE_PRIVATE VMA moves one stage, 1..5)
or to N (a pass that moves only series in stage N; 3, PPS_STAGE_ATTACH
and ATTACH are the same, as in pps-break-stage). kppsd polls the
variable every timer tick, whatever its mode (kppsd=manual makes it do
nothing else), runs the pass and sets it back to 0.

Nothing happens while GDB holds the machine: `continue` next, then Ctrl-C
(or use pps-step-wait, which stops by itself when the pass is over).
Stage 2 of a page waits for the dftlb task of its stage-1 step to be done
on every CPU (each CPU's timer tick): a stage-2 pass right after a stage-1
pass may leave pages old but present; pps-dftlb shows who still owes."""

    name = "pps-step"

    def run(self, argv):
        req, what = _set_request(argv, self.name)
        print(f"kppsd_request = {req}: kppsd does {what} at its next tick; `continue` to let it run")


def _pass_end_location():
    """The source line just after kppsd_main's `kppsd_request = 0;`, where
    a pass on request is over and the request already cleared."""
    sal = gdb.decode_line("kppsd_main")[1][0]
    path = sal.symtab.fullname()
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        raise PpsError(f"cannot read {path} to find the end of kppsd's pass")
    start = sal.line
    for n in range(start, min(start + 200, len(lines))):
        if "kppsd_request = 0;" in lines[n - 1]:
            return f"{sal.symtab.filename}:{n + 1}"
    raise PpsError(f"no `kppsd_request = 0;` in kppsd_main ({path}): the kernel changed; "
                   f"use pps-step and continue")


def _finish_pass(who):
    """Continue until kppsd_main is past `kppsd_request = 0;`, then print
    the pass's tally."""
    loc = _pass_end_location()
    # kppsd may be stopped on that very line already (the end of the
    # previous pass): then GDB can report the new breakpoint at once,
    # before kppsd has even seen the request. A stop there with the request
    # still pending is that one; go on.
    for _ in range(3):
        bp = gdb.Breakpoint(loc, temporary=True)
        try:
            gdb.execute("continue")
        finally:
            if bp.is_valid():
                bp.delete()
        if not (_at_pass_end(loc) and int(val("kppsd_request")) != 0):
            break
    if int(val("kppsd_request")) == 0 and _at_pass_end(loc):
        print(f"pass done: {tally(val('kppsd_last'))}")
    else:
        print(f"{who}: stopped before the pass was over (another breakpoint?); "
              f"pps-finish-pass continues to its end")


def _at_pass_end(loc):
    try:
        sal = gdb.selected_frame().find_sal()
        return sal.symtab is not None and f"{sal.symtab.filename}:{sal.line}" == loc
    except gdb.error:
        return False


class PpsStepWait(PpsCommand):
    """pps-step-wait [N]: pps-step [N], then pps-finish-pass: continue until
the pass is over and print its tally (kppsd_last). Then look at your PTE
with pps-pte. Another breakpoint (pps-break-stage) may stop first; then
pps-finish-pass goes on to the end of the pass.

While the machine runs, every CPU's timer keeps ticking and the other
processes run too (guest time moves only while GDB lets the machine run)."""

    name = "pps-step-wait"

    def run(self, argv):
        _pass_end_location()            # fail before touching anything
        req, what = _set_request(argv, self.name)
        print(f"kppsd_request = {req}: {what}; continuing until the pass is over")
        _finish_pass(self.name)


class PpsFinishPass(PpsCommand):
    """pps-finish-pass: continue until kppsd's current pass on request is
over (a temporary breakpoint on the line after kppsd_main's
`kppsd_request = 0;`), then print the pass's tally. Use it after a
pps-break-stage stop inside a pass; pps-step-wait is pps-step followed by
this."""

    name = "pps-finish-pass"

    def run(self, argv):
        if argv:
            raise PpsError("usage: pps-finish-pass")
        if not int(val("kppsd_request")):
            print("(no request pending: this waits for the next pass on request, "
                  "e.g. one a pps-step or /proc/kppsd asks for)")
        _finish_pass(self.name)


for _cls in (PpsPte, PpsPage, PpsAnon, PpsVmas, PpsPs, PpsStats, PpsDftlb, PpsSeries, PpsCpus,
             PpsBreakStage, PpsStep, PpsStepWait, PpsFinishPass):
    _cls()
PpsosPy()
