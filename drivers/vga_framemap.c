/*
 * The frame map's VGA renderer: one pass (kernel/framemap.h) drawn on the
 * 80x25 text screen, which the frame map owns while it is on.
 *
 *   row 0        title: frames, frames per half-cell, pass number, state
 *   rows 1..21   the map: each cell is CP437 glyph 0xDF (upper half
 *                block); its foreground colour is one frame, its
 *                background the next, so a row holds 160 frames, in pfn
 *                order, left to right and top to bottom
 *   rows 22..24  the legend: a swatch, the class name and its count, five
 *                classes to a row
 *
 * Background colours 8..15 need blinking off; vga_console_detach() turns
 * it off (drivers/vga.h). 21 rows of 160 frames hold 3360 frames (13 MiB
 * of RAM) one frame per half-cell. With more frames each half-cell stands
 * for `scale` consecutive frames (the title says how many) and shows the
 * class most of them have (the lower class number on a tie).
 *
 * The caller holds framemap_lock (kernel/framemap.c; asserted), the one
 * lock that guards the screen while the console is detached.
 */
#include <kernel/framemap.h>
#include <kernel/string.h>
#include <kernel/panic.h>
#include <drivers/vga.h>

#define MAP_ROW0 1
#define LEGEND_ROW0 (VGA_ROWS - LEGEND_ROWS)
#define LEGEND_PER_ROW 5
#define LEGEND_ROWS ((NR_FRAME_CLASSES + LEGEND_PER_ROW - 1) / LEGEND_PER_ROW)
#define MAP_ROWS (LEGEND_ROW0 - MAP_ROW0)
#define HALVES (MAP_ROWS * VGA_COLS * 2)
#define LEGEND_WIDTH (VGA_COLS / LEGEND_PER_ROW)
#define GLYPH_UPPER_HALF 0xDF
#define GLYPH_FULL 0xDB
#define TEXT_ATTR 0x07

static u16 cell(u8 ch, u8 fg, u8 bg)
{
	return (u16)((bg << 4 | fg) << 8 | ch);
}

static void put_text(u16 *scr, int row, int col, int width, const char *s)
{
	for (int i = 0; i < width && col + i < VGA_COLS; i++)
		scr[row * VGA_COLS + col + i] = cell(*s ? (u8)*s++ : ' ', TEXT_ATTR, 0);
}

/* The colour of half-cell h: its frames' majority class. */
static u8 half_colour(const struct framemap_pass *p, u32 h, u32 scale)
{
	u32 first = h * scale, n[NR_FRAME_CLASSES] = { 0 }, best = 0;

	if (first >= p->nframes)
		return 0;
	if (scale == 1)
		return frame_class_info[p->cls[first]].colour;
	for (u32 f = first; f < first + scale && f < p->nframes; f++)
		n[p->cls[f]]++;
	for (u32 c = 1; c < NR_FRAME_CLASSES; c++)
		if (n[c] > n[best])
			best = c;
	return frame_class_info[best].colour;
}

void vga_framemap_draw(const struct framemap_pass *p, enum framemap_state s)
{
	u16 *scr = vga_screen();
	u32 scale = (p->nframes + HALVES - 1) / HALVES;
	char line[VGA_COLS + 1];

	ASSERT(framemap_lock_held());
	snprintf(line, sizeof(line), "ppsos frame map: %u frames, %u per half-cell, pass %u, %s",
		 p->nframes, scale, p->seq, framemap_state_names[s]);
	put_text(scr, 0, 0, VGA_COLS, line);
	for (u32 c = 0; c < MAP_ROWS * VGA_COLS; c++)
		scr[MAP_ROW0 * VGA_COLS + c] =
			cell(GLYPH_UPPER_HALF, half_colour(p, 2 * c, scale), half_colour(p, 2 * c + 1, scale));
	for (u32 i = 0; i < LEGEND_ROWS * LEGEND_PER_ROW; i++) {
		int row = LEGEND_ROW0 + i / LEGEND_PER_ROW, col = (i % LEGEND_PER_ROW) * LEGEND_WIDTH;
		if (i >= NR_FRAME_CLASSES) {
			put_text(scr, row, col, LEGEND_WIDTH, "");
			continue;
		}
		scr[row * VGA_COLS + col] = cell(GLYPH_FULL, frame_class_info[i].colour, 0);
		snprintf(line, sizeof(line), " %-9s%5u", frame_class_info[i].name, p->count[i]);
		put_text(scr, row, col + 1, LEGEND_WIDTH - 1, line);
	}
}
