/* Turning the multiboot memory map into free frames (see memmap.c). */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include <boot/multiboot.h>

phys_addr_t memmap_ram_end(struct multiboot_info *mbi);
void memmap_init(struct multiboot_info *mbi, phys_addr_t ram_end);

#endif
