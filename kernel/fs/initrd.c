/*
 * The initrd: a cpio archive ("newc" format, as Linux's initramfs) loaded
 * as a multiboot module by GRUB (`module`) or QEMU (`-initrd`). Its files
 * become read-only inodes whose data stays where the loader put it (that
 * memory is reserved in mm/memmap.c), so nothing is copied.
 *
 * A newc entry is a 110-byte ASCII header ("070701" and 13 8-digit hex
 * fields), the NUL-terminated name, padding to 4 bytes, the data, padding
 * to 4; the entry named TRAILER!!! ends the archive. A malformed archive
 * is reported and parsing stops; what came before it is kept.
 */
#include <kernel/fs/vfs.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <boot/multiboot.h>
#include <arch/x86/memlayout.h>

static u32 total_size;

u32 initrd_size(void)
{
	return total_size;
}

static bool hex8(const char *s, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return false;
	}
	*out = v;
	return true;
}

/* Create the directories of `path` and the file or directory at its end. */
static void add_entry(char *path, u32 mode, const u8 *data, u32 size)
{
	struct inode *dir = &vfs_root;
	char *p = path;

	while (*p == '/' || (*p == '.' && p[1] == '/'))
		p += *p == '.' ? 2 : 1;
	if (!*p || !strcmp(p, "."))
		return;
	for (;;) {
		char *slash = strchr(p, '/');
		if (!slash)
			break;
		*slash = 0;
		dir = vfs_mkdir(dir, p);
		if (!dir)
			return;
		p = slash + 1;
	}
	if ((mode & 0170000) == 0040000)
		vfs_mkdir(dir, p);
	else if ((mode & 0170000) == 0100000)
		vfs_add_file(dir, p, data, size);
	/* other types (symlinks, devices) are skipped */
}

static int parse(const u8 *base, u32 len)
{
	u32 off = 0, files = 0;
	char name[NAME_MAX + 1];

	while (off + 110 <= len) {
		const char *h = (const char *)base + off;
		u32 f[13];
		if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6)) {
			printk("initrd: bad cpio magic at offset %u, stopping\n", off);
			return files;
		}
		for (int i = 0; i < 13; i++)
			if (!hex8(h + 6 + 8 * i, &f[i])) {
				printk("initrd: bad cpio header at offset %u, stopping\n", off);
				return files;
			}
		u32 mode = f[1], size = f[6], namesize = f[11];
		u32 name_off = off + 110, data_off = ALIGN_UP(name_off + namesize, 4);
		if (namesize == 0 || namesize > NAME_MAX || name_off + namesize > len || data_off > len ||
		    size > len - data_off) {
			printk("initrd: entry at offset %u runs past the archive, stopping\n", off);
			return files;
		}
		memcpy(name, base + name_off, namesize);
		name[namesize - 1] = 0;
		if (!strcmp(name, "TRAILER!!!"))
			return files;
		add_entry(name, mode, base + data_off, size);
		files++;
		off = ALIGN_UP(data_off + size, 4);
	}
	return files;
}

/* The loader's module list, noted before memmap_init() frees the memory
 * the multiboot structures may sit in (the modules themselves stay
 * reserved). */
#define MAX_MODULES 4
static struct { u32 start, end; } modules[MAX_MODULES];
static u32 nmodules;

void initrd_note_modules(void *mbi_v)
{
	struct multiboot_info *mbi = mbi_v;

	if (!(mbi->flags & MBI_MODS))
		return;
	struct multiboot_module *m = P2V(mbi->mods_addr);
	for (u32 i = 0; i < mbi->mods_count && nmodules < MAX_MODULES; i++) {
		modules[nmodules].start = m[i].start;
		modules[nmodules].end = m[i].end;
		nmodules++;
	}
}

void initrd_init(void)
{
	if (nmodules == 0) {
		printk("initrd: none loaded (GRUB: module /boot/initrd.cpio, QEMU: -initrd)\n");
		return;
	}
	for (u32 i = 0; i < nmodules; i++) {
		if (modules[i].end < modules[i].start || modules[i].end > DIRECT_MAP_MAX) {
			printk("initrd: module %u is outside the direct map, skipped\n", i);
			continue;
		}
		u32 len = modules[i].end - modules[i].start;
		int n = parse(P2V(modules[i].start), len);
		total_size += len;
		printk("initrd: %u KiB, %d entries\n", len >> 10, n);
	}
}
