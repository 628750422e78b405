/*
 * Kernel messages. printk() prefixes each line with the tick and the CPU,
 * "[    42 c1] ", and writes it to the serial console and the VGA mirror
 * under one lock, so lines from different CPUs do not interleave.
 * kprintf() writes without the prefix (interactive output, prompts).
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <kernel/types.h>

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(bool prefix, const char *fmt, va_list ap);

/* Raw bytes to the console (user output), under the console lock. */
void console_write(const char *s, size_t n);

/* The lock every console write holds: for code that changes where the
 * console goes (drivers/vga.h: the frame map takes the screen). Held
 * (true) always in panic mode, where printk takes no lock. */
void console_lock(void);
void console_unlock(void);
bool console_lock_held(void);

/* Called by panic(): from now on printk takes no lock. */
void printk_panic_mode(void);

#define pr_warn(fmt, ...) printk("warning: " fmt, ##__VA_ARGS__)

#endif
