/*
 * VGA text mirror. Called only under printk's console lock (or in panic
 * mode), like serial_write(). Scrolls by copying rows up; moves the
 * hardware cursor so a student watching QEMU's window sees where text goes.
 *
 * vram is where console text goes: the screen, or the shadow buffer while
 * another owner (the frame map) has the screen (vga.h). It changes only
 * under the console lock, so a vga_write never sees it change half-way.
 */
#include <drivers/vga.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <arch/x86/cpu.h>
#include <arch/x86/memlayout.h>

#define COLS VGA_COLS
#define ROWS VGA_ROWS
#define ATTR 0x0700 /* light grey on black */

/* Attribute controller: index/data port, its mode control register and
 * that register's blink bit; reading 0x3DA resets the index/data flip-flop.
 * CRTC register 0x0A: cursor start line, bit 5 hides the cursor. */
#define VGA_AC_PORT 0x3C0
#define VGA_AC_READ 0x3C1
#define VGA_AC_MODE (0x10 | 0x20) /* index 0x10, PAS bit kept so the screen stays on */
#define VGA_AC_BLINK 0x08
#define VGA_INPUT_STATUS 0x3DA
#define VGA_CRTC_INDEX 0x3D4
#define VGA_CRTC_DATA 0x3D5
#define VGA_CRTC_CURSOR_START 0x0A
#define VGA_CURSOR_OFF 0x20

static u16 *const screen = (u16 *)P2V(0xB8000);
static u16 *vram = (u16 *)P2V(0xB8000);
static int row, col;
static bool ready;
static u8 saved_ac_mode, saved_cursor_start;

static void set_cursor(void)
{
	u16 pos = row * COLS + col;

	if (vram != screen)
		return; /* the screen's owner hid it */
	outb(VGA_CRTC_INDEX, 0x0F);
	outb(VGA_CRTC_DATA, pos & 0xFF);
	outb(VGA_CRTC_INDEX, 0x0E);
	outb(VGA_CRTC_DATA, pos >> 8);
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

u16 *vga_screen(void)
{
	return screen;
}

static u8 ac_read_mode(void)
{
	inb(VGA_INPUT_STATUS);
	outb(VGA_AC_PORT, VGA_AC_MODE);
	return inb(VGA_AC_READ);
}

static void ac_write_mode(u8 v)
{
	inb(VGA_INPUT_STATUS);
	outb(VGA_AC_PORT, VGA_AC_MODE);
	outb(VGA_AC_PORT, v);
}

void vga_console_detach(u16 *shadow)
{
	ASSERT(console_lock_held());
	if (vram != screen)
		return;
	memcpy(shadow, screen, COLS * ROWS * 2);
	vram = shadow;
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_START);
	saved_cursor_start = inb(VGA_CRTC_DATA);
	outb(VGA_CRTC_DATA, saved_cursor_start | VGA_CURSOR_OFF);
	saved_ac_mode = ac_read_mode();
	ac_write_mode(saved_ac_mode & ~VGA_AC_BLINK);
}

void vga_console_attach(void)
{
	ASSERT(console_lock_held());
	if (vram == screen)
		return;
	memcpy(screen, vram, COLS * ROWS * 2);
	vram = screen;
	ac_write_mode(saved_ac_mode);
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_START);
	outb(VGA_CRTC_DATA, saved_cursor_start);
	set_cursor();
}
