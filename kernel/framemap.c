/*
 * The live frame map (see framemap.h): its state, its classification
 * pass, kframemapd and the framemap= boot option.
 *
 * A pass runs frame_classify() over every pfn into pass.cls and counts
 * the classes as it goes, so the legend's counts are those of exactly the
 * frames drawn. Frames change meanwhile (no mm lock is taken, see
 * mm/framemap_class.c); a pass is a picture, not a consistent snapshot.
 *
 * Lock: framemap_lock, an rwsem always taken for writing (a sleeping
 * mutex), guards state, pass (cls and counts) and the screen while the map
 * has it: kframemapd's redraw, every state change and every /proc reader
 * hold it, so a redraw never races with `off` giving the screen back. The
 * console lock (kernel/printk.h) nests inside it, only to detach or attach
 * the VGA console. kframemapd sleeps on framemap_wq while the map is not ON.
 */
#include <kernel/framemap.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/rwsem.h>
#include <kernel/waitqueue.h>
#include <kernel/lock_assert.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <drivers/vga.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>

#define FRAMEMAP_REFRESH_MS 250

const char *const framemap_state_names[] = { "off", "on", "frozen", NULL };

/* framemap=off|on: the map from boot on (kernel/cmdline.h). */
static int framemap_boot = FRAMEMAP_OFF;
CMDLINE_PARAM_ENUM(framemap, framemap_boot, framemap_state_names,
		   "on: the live frame map on the VGA screen from boot (/proc/framemap)");

static struct rwsem framemap_lock;
static struct waitqueue framemap_wq;
static volatile enum framemap_state state = FRAMEMAP_OFF;
static struct framemap_pass pass;
static u16 console_shadow[VGA_COLS * VGA_ROWS]; /* the console while the map has the screen */

static void make_pass(void)
{
	ASSERT_WRITE_HELD(&framemap_lock);
	memset(pass.count, 0, sizeof(pass.count));
	for (u32 pfn = 0; pfn < pass.nframes; pfn++) {
		enum frame_class c = frame_classify(pfn);
		pass.cls[pfn] = c;
		pass.count[c]++;
	}
	pass.seq++;
}

static void redraw(void)
{
	ASSERT_WRITE_HELD(&framemap_lock);
	make_pass();
	vga_framemap_draw(&pass, state);
}

int framemap_set(enum framemap_state s)
{
	if (!pass.cls)
		return -ENOMEM;
	down_write(&framemap_lock);
	if (s != FRAMEMAP_OFF && state == FRAMEMAP_OFF) {
		console_lock();
		vga_console_detach(console_shadow);
		console_unlock();
	}
	state = s;
	if (s == FRAMEMAP_OFF) {
		console_lock();
		vga_console_attach();
		console_unlock();
	} else {
		redraw();
	}
	up_write(&framemap_lock);
	if (s == FRAMEMAP_ON)
		wake_up(&framemap_wq);
	return 0;
}

bool framemap_lock_held(void)
{
	return rwsem_write_held(&framemap_lock);
}

enum framemap_state framemap_get(void)
{
	return state;
}

int framemap_with_pass(void (*fn)(const struct framemap_pass *p, enum framemap_state s, void *arg),
		       void *arg)
{
	if (!pass.cls)
		return -ENOMEM;
	down_write(&framemap_lock);
	if (state != FRAMEMAP_FROZEN)
		make_pass();
	fn(&pass, state, arg);
	up_write(&framemap_lock);
	return 0;
}

/* kframemapd: redraw every FRAMEMAP_REFRESH_MS while ON; sleep otherwise. */
static void kframemapd(void *arg)
{
	(void)arg;
	for (;;) {
		wait_event(&framemap_wq, state == FRAMEMAP_ON);
		down_write(&framemap_lock);
		if (state == FRAMEMAP_ON)
			redraw();
		up_write(&framemap_lock);
		sleep_ms(FRAMEMAP_REFRESH_MS);
	}
}

void framemap_init(void)
{
	rwsem_init(&framemap_lock, "framemap_lock");
	waitqueue_init(&framemap_wq, "framemap_wq");
	pass.nframes = max_pfn;
	_Static_assert(sizeof(enum frame_class) == 1, "a pass keeps a byte per frame");
	pass.cls = kmalloc(max_pfn * sizeof(enum frame_class));
	if (!pass.cls) {
		printk("framemap: no memory for %u frames' classes: no frame map\n", max_pfn);
		return;
	}
	kthread_run(kframemapd, NULL, "kframemapd");
	if (framemap_boot == FRAMEMAP_ON)
		framemap_set(FRAMEMAP_ON);
}
