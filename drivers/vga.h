/*
 * VGA text-mode mirror of the console (80x25 at physical 0xB8000).
 *
 * The screen can be handed to someone else for a while (the frame map,
 * kernel/framemap.h): vga_console_detach() copies the screen into a shadow
 * buffer and sends console text there from then on; the new owner draws
 * on vga_screen(). vga_console_attach() copies the shadow back, so the
 * console reappears with everything printed meanwhile. Both with the
 * console lock held (console_lock(), kernel/printk.h; asserted).
 */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

#include <kernel/types.h>

#define VGA_COLS 80
#define VGA_ROWS 25

void vga_init(void);
void vga_write(const char *s, size_t n);

/* The screen itself, for its owner while the console is detached. */
u16 *vga_screen(void);
/* Console text goes to shadow (VGA_COLS * VGA_ROWS cells) from now on;
 * the cursor is hidden and blinking is off, so the owner has 16
 * background colours (attribute controller mode register, bit 3). */
void vga_console_detach(u16 *shadow);
/* The console is back on the screen, cursor and blinking as before. No-op
 * when attached. */
void vga_console_attach(void);

#endif
