/*
 * The live frame map: every physical frame as one coloured half-cell of
 * the VGA text screen, by what it is (mm/framemap_class.h), redrawn by
 * kframemapd four times a second while it is on; /proc/framemap prints
 * the same map as text (kernel/fs/proc_framemap.c).
 *
 * States: OFF (the VGA console is on the screen), ON (the map has the
 * screen and is redrawn), FROZEN (the map has the screen, drawn once by
 * the freeze and then left alone; /proc/framemap prints that same pass, so
 * a test compares the screen with exact counts).
 */
#ifndef KERNEL_FRAMEMAP_H
#define KERNEL_FRAMEMAP_H

#include <kernel/types.h>
#include <mm/framemap_class.h>

enum framemap_state { FRAMEMAP_OFF, FRAMEMAP_ON, FRAMEMAP_FROZEN };

/* One classification pass over every frame. */
struct framemap_pass {
	u32 nframes;                    /* max_pfn: frames [0, nframes) */
	u32 seq;                        /* passes made since boot */
	enum frame_class *cls;          /* the class of each frame (one byte each) */
	u32 count[NR_FRAME_CLASSES];    /* frames of each class in cls */
};

extern const char *const framemap_state_names[];

void framemap_init(void);               /* kinit: the pass buffer, kframemapd, framemap= */
/* Go to state s (OFF, ON, FROZEN); ON and FROZEN draw a pass before
 * returning. May sleep. 0, or -ENOMEM if boot found no room for a pass. */
int framemap_set(enum framemap_state s);
enum framemap_state framemap_get(void);
/* Call fn on the latest pass under the frame map's lock: a fresh pass,
 * unless the map is FROZEN (then the pass on the screen). May sleep. 0,
 * or -ENOMEM as framemap_set. */
int framemap_with_pass(void (*fn)(const struct framemap_pass *p, enum framemap_state s, void *arg),
			void *arg);

/* Does this thread hold the frame map's lock (for assertions)? */
bool framemap_lock_held(void);

/* The VGA renderer (drivers/vga_framemap.c): draw p on the screen. The
 * caller owns the screen (the console detached) and holds the frame
 * map's lock (asserted). */
void vga_framemap_draw(const struct framemap_pass *p, enum framemap_state s);

#endif
