/*
 * VGA text mirror. Called only under printk's console lock (or in panic
 * mode), like serial_write(). Scrolls by copying rows up; moves the
 * hardware cursor so a student watching QEMU's window sees where text goes.
 */
#include <drivers/vga.h>
#include <kernel/string.h>
#include <arch/x86/cpu.h>
#include <arch/x86/memlayout.h>

#define COLS 80
#define ROWS 25
#define ATTR 0x0700 /* light grey on black */

static u16 *const vram = (u16 *)P2V(0xB8000);
static int row, col;
static bool ready;

static void set_cursor(void)
{
	u16 pos = row * COLS + col;

	outb(0x3D4, 0x0F);
	outb(0x3D5, pos & 0xFF);
	outb(0x3D4, 0x0E);
	outb(0x3D5, pos >> 8);
}

void vga_init(void)
{
	for (int i = 0; i < COLS * ROWS; i++)
		vram[i] = ATTR | ' ';
	row = col = 0;
	ready = true;
	set_cursor();
}

static void newline(void)
{
	col = 0;
	if (++row < ROWS)
		return;
	memmove(vram, vram + COLS, (ROWS - 1) * COLS * 2);
	for (int i = 0; i < COLS; i++)
		vram[(ROWS - 1) * COLS + i] = ATTR | ' ';
	row = ROWS - 1;
}

void vga_write(const char *s, size_t n)
{
	if (!ready)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n') {
			newline();
		} else if (c == '\r') {
			col = 0;
		} else if (c == '\b') {
			if (col > 0)
				vram[row * COLS + --col] = ATTR | ' ';
		} else {
			vram[row * COLS + col] = ATTR | (u8)c;
			if (++col == COLS)
				newline();
		}
	}
	set_cursor();
}
