/* VGA text-mode mirror of the console (80x25 at physical 0xB8000). */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

#include <kernel/types.h>

void vga_init(void);
void vga_write(const char *s, size_t n);

#endif
