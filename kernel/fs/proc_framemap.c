/*
 * /proc/framemap: the frame map as text, and its switch (kernel/framemap.h).
 *
 * Reading prints one pass: a header line, then the map, one character per
 * frame (mm/framemap_class.h: '.' free, 'K' kernel, 'P' page table, 'y'
 * young, 'o' old, 'u' unmapped, 's' slot attached, 'w' written, 'c' swap
 * cache, 'L' legacy, 'C' COW, ...), 64 to a line after the line's first
 * pfn in hex; then the legend, a line per class: its character, name, VGA
 * colour and count in this pass, and the total. While the map is frozen
 * this is the pass on the screen; otherwise a fresh one. The format is
 * fixed: tests/kernel/test_framemap.py and user/framemap.c read it.
 *
 *   framemap: state on, frames 3072, pass 17
 *   00000 ################################################################
 *   ...
 *   legend: char name colour count
 *   . free 0 1234
 *   ...
 *   total 3072
 *
 * Writing `on`, `off` or `freeze` switches the map (see framemap.h);
 * anything else is -EINVAL with a kernel message that says what is taken.
 * No lock here: framemap_with_pass() and framemap_set() take the map's.
 */
#include <kernel/fs/procfs.h>
#include <kernel/framemap.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/errno.h>

#define PER_LINE 64

static void print_pass(const struct framemap_pass *p, enum framemap_state s, void *arg)
{
	struct seqbuf *sb = arg;
	char line[PER_LINE + 1];

	sb_printf(sb, "framemap: state %s, frames %u, pass %u\n", framemap_state_names[s], p->nframes,
		  p->seq);
	for (u32 pfn = 0; pfn < p->nframes; pfn += PER_LINE) {
		u32 n = 0;
		for (; n < PER_LINE && pfn + n < p->nframes; n++)
			line[n] = frame_class_info[p->cls[pfn + n]].ch;
		line[n] = 0;
		sb_printf(sb, "%05x %s\n", pfn, line);
	}
	sb_printf(sb, "legend: char name colour count\n");
	for (u32 c = 0; c < NR_FRAME_CLASSES; c++)
		sb_printf(sb, "%c %s %u %u\n", frame_class_info[c].ch, frame_class_info[c].name,
			  frame_class_info[c].colour, p->count[c]);
	sb_printf(sb, "total %u\n", p->nframes);
}

static int show_framemap(struct seqbuf *sb, int pid)
{
	(void)pid;
	return framemap_with_pass(print_pass, sb);
}

/* buf is "word" or "word\n". */
static bool is_word(const char *buf, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(buf, word, n) && (buf[n] == 0 || (buf[n] == '\n' && buf[n + 1] == 0));
}

static long write_framemap(int pid, const char *buf, u32 n)
{
	(void)pid, (void)n;
	if (is_word(buf, "on"))
		return framemap_set(FRAMEMAP_ON);
	if (is_word(buf, "off"))
		return framemap_set(FRAMEMAP_OFF);
	if (is_word(buf, "freeze"))
		return framemap_set(FRAMEMAP_FROZEN);
	const char *nl = strchr(buf, '\n');
	size_t len = strnlen(buf, 32);
	if (nl && (size_t)(nl - buf) < len)
		len = nl - buf;
	printk("framemap: bad request '%.*s': write on, off or freeze to /proc/framemap\n", (int)len,
	       buf);
	return -EINVAL;
}

void framemap_proc_init(void)
{
	procfs_register("framemap", false, show_framemap, write_framemap);
}
