/*
 * printk: format, prefix, and send to every console (serial and VGA).
 *
 * Lock: console_spin serialises whole printk calls. It is a spinlock, so
 * printk works with interrupts off and from interrupt handlers. In panic
 * mode the lock is ignored: the CPU holding it may be the one that died.
 * console_lock()/console_unlock() hand it to code that changes where the
 * console goes (the frame map takes the VGA screen: drivers/vga.h).
 */
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/percpu.h>
#include <drivers/serial.h>
#include <drivers/vga.h>

static DEFINE_SPINLOCK(console_spin);
static bool at_line_start = true;
static volatile bool panicking;

static void console_put(const char *s, size_t n)
{
	serial_write(s, n);
	vga_write(s, n);
}

void vprintk(bool prefix, const char *fmt, va_list ap)
{
	char msg[512], pre[32];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	const char *p = msg, *nl;
	bool locked = !panicking;

	if (n >= (int)sizeof(msg)) {
		/* Cut short: keep the line ending, or the next line loses its prefix. */
		n = sizeof(msg) - 1;
		if (fmt[0] && fmt[strlen(fmt) - 1] == '\n')
			msg[n - 1] = '\n';
	}
	if (locked)
		spin_lock(&console_spin);
	while (p < msg + n) {
		nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (prefix && at_line_start) {
			int k = snprintf(pre, sizeof(pre), "[%6u c%d] ", (u32)jiffies, this_cpu()->id);
			console_put(pre, k);
		}
		console_put(p, len);
		at_line_start = nl != NULL;
		p += len;
	}
	if (locked)
		spin_unlock(&console_spin);
}

void console_write(const char *s, size_t n)
{
	bool locked = !panicking;

	if (locked)
		spin_lock(&console_spin);
	console_put(s, n);
	if (n)
		at_line_start = s[n - 1] == '\n';
	if (locked)
		spin_unlock(&console_spin);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(true, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(false, fmt, ap);
	va_end(ap);
}

void console_lock(void)
{
	spin_lock(&console_spin);
}

void console_unlock(void)
{
	spin_unlock(&console_spin);
}

bool console_lock_held(void)
{
	return panicking || spin_held(&console_spin);
}

void printk_panic_mode(void)
{
	panicking = true;
	vga_console_attach(); /* the report must reach the screen (a frame map may have it) */
	if (!at_line_start)
		console_put("\n", 1);
	at_line_start = true;
}
