/*
 * The memory map of ppsos. Keep this picture open while reading mm/ and
 * arch/x86/: every constant below is one line of it.
 *
 *  Virtual address space (4 GiB, non-PAE two-level paging, 4 KiB pages)
 *
 *  0xFFFFFFFF +------------------------------+
 *             | LAPIC  0xFEE00000 (uncached) |  one 4 MiB PSE page, mapped
 *             | IOAPIC 0xFEC00000 (uncached) |  virtual == physical
 *  0xFEC00000 +------------------------------+
 *             | (unused)                     |
 *  0xF0800000 +------------------------------+
 *             | fw_map() window, 8 MiB       |  two PDEs: ACPI tables above
 *             |                              |  the direct map (paging.c)
 *  0xF0000000 +------------------------------+  DIRECT_MAP_END
 *             | direct map of RAM            |  phys 0 .. min(RAM, 768 MiB)
 *             |   kernel image at 0xC0100000 |  4 MiB PSE pages, global;
 *             |   VGA text at     0xC00B8000 |  P2V(pa) == pa + KERNEL_BASE
 *  0xC0000000 +------------------------------+  KERNEL_BASE (PDE 768)
 *             | user space                   |  per-mm page tables;
 *             |   user stack grows down      |  PDEs 0..767 belong to the mm,
 *             |   heap, bss, data, text      |  768..1023 are shared by all
 *  0x00000000 +------------------------------+
 *
 *  Physical memory
 *
 *  0x00000000  real-mode IVT and BIOS data (reserved)
 *  0x00008000  AP trampoline page (TRAMPOLINE_PA), copied there at SMP boot
 *  0x0009FC00  EBDA, VGA, option ROMs, BIOS up to 1 MiB (reserved)
 *  0x00100000  kernel image (.text .rodata .ksyms .data .bss), then the
 *              multiboot modules, then free frames managed by mm/frame.c
 *
 * The first 16 MiB are also mapped virtual == physical in the boot page
 * directory (boot/entry.asm) only; the kernel's own directory drops that
 * mapping, so a NULL dereference in the kernel faults.
 */
#ifndef ARCH_X86_MEMLAYOUT_H
#define ARCH_X86_MEMLAYOUT_H

#define KERNEL_BASE 0xC0000000
#define KERNEL_LOAD_PA 0x00100000
#define DIRECT_MAP_END 0xF0000000
#define DIRECT_MAP_MAX (DIRECT_MAP_END - KERNEL_BASE) /* 768 MiB */
#define MMIO_WINDOW 0xFEC00000                        /* IOAPIC + LAPIC */
#define TRAMPOLINE_PA 0x00008000

#define PAGE_SIZE 4096
#define PAGE_SHIFT 12
#define BIGPAGE_SIZE 0x400000 /* a 4 MiB PSE page: one PDE */

#define KSTACK_SIZE 16384 /* kernel stack + struct thread at its base */
#define KSTACK_ORDER 2

#ifndef __ASSEMBLER__
#include <kernel/types.h>
#define P2V(pa) ((void *)((uintptr_t)(pa) + KERNEL_BASE))
#define V2P(va) ((phys_addr_t)((uintptr_t)(va) - KERNEL_BASE))
#endif

#endif
