/*
 * The multiboot v1 information structure the loader hands us (EBX at
 * _start). Only the parts ppsos reads are spelled out. All addresses in it
 * are physical.
 */
#ifndef BOOT_MULTIBOOT_H
#define BOOT_MULTIBOOT_H

#include <kernel/types.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

#define MBI_MEMORY 0x001
#define MBI_CMDLINE 0x004
#define MBI_MODS 0x008
#define MBI_MMAP 0x040
#define MBI_LOADER_NAME 0x200

struct multiboot_info {
	u32 flags;
	u32 mem_lower, mem_upper;       /* KiB below 1 MiB, KiB above 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
} __packed;

struct multiboot_mmap_entry {
	u32 size;                       /* of the rest of the entry */
	u64 addr, len;
	u32 type;                       /* 1 = available RAM */
} __packed;

struct multiboot_module {
	u32 start, end;
	u32 string;
	u32 reserved;
} __packed;

#endif
