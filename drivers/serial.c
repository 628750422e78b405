/*
 * COM1 16550 UART driver.
 *
 * Locks: serial_write() is called only under printk's console lock (or in
 * panic mode), so output needs no lock of its own. The receive ring is
 * filled by the IRQ handler and drained by readers under rx_wq.lock; the
 * handler takes the same lock, which is safe because spinlocks disable
 * interrupts on the reader's CPU.
 */
#include <drivers/serial.h>
#include <kernel/waitqueue.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include <arch/x86/cpu.h>
#include <arch/x86/trap.h>
#include <arch/x86/ioapic.h>

#define COM1 0x3F8
#define REG_DATA 0
#define REG_IER 1      /* interrupt enable */
#define REG_FCR 2      /* FIFO control */
#define REG_LCR 3      /* line control */
#define REG_MCR 4      /* modem control (OUT2 gates the IRQ line) */
#define REG_LSR 5      /* line status */
#define LSR_DR 0x01    /* data ready */
#define LSR_THRE 0x20  /* transmit holding register empty */
#define COM1_IRQ 4
#define RX_SIZE 256

static bool present;
static char rx_buf[RX_SIZE];
static u32 rx_head, rx_tail, rx_overruns; /* head: next write, tail: next read */
static struct waitqueue rx_wq;

void serial_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x80);     /* DLAB on: set the divisor */
	outb(COM1 + REG_DATA, 1);       /* 115200 baud */
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x03);     /* 8N1, DLAB off */
	outb(COM1 + REG_FCR, 0xC7);     /* FIFOs on, cleared, 14-byte trigger */
	outb(COM1 + REG_MCR, 0x0B);     /* DTR, RTS, OUT2 */
	present = inb(COM1 + REG_LSR) != 0xFF;
	waitqueue_init(&rx_wq, "serial_rx");
}

void serial_write(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			while (!(inb(COM1 + REG_LSR) & LSR_THRE))
				cpu_relax();
			outb(COM1 + REG_DATA, '\r');
		}
		while (!(inb(COM1 + REG_LSR) & LSR_THRE))
			cpu_relax();
		outb(COM1 + REG_DATA, s[i]);
	}
}

static void serial_irq(struct trapframe *tf)
{
	(void)tf;
	spin_lock(&rx_wq.lock);
	while (inb(COM1 + REG_LSR) & LSR_DR) {
		char c = inb(COM1 + REG_DATA);
		if (rx_head - rx_tail < RX_SIZE)
			rx_buf[rx_head++ % RX_SIZE] = c;
		else
			rx_overruns++;
	}
	spin_unlock(&rx_wq.lock);
	wake_up(&rx_wq);
}

void serial_enable_irq(void)
{
	if (!present)
		return;
	trap_set_handler(IRQ_BASE + COM1_IRQ, serial_irq);
	ioapic_route_isa(COM1_IRQ, IRQ_BASE + COM1_IRQ, 0);
	outb(COM1 + REG_IER, 0x01);     /* interrupt on received data */
}

int serial_trygetc(void)
{
	int c = -1;

	spin_lock(&rx_wq.lock);
	if (rx_head != rx_tail)
		c = (unsigned char)rx_buf[rx_tail++ % RX_SIZE];
	spin_unlock(&rx_wq.lock);
	return c;
}

int serial_getc(void)
{
	int c;

	wait_event(&rx_wq, rx_head != rx_tail);
	c = serial_trygetc();
	return c < 0 ? serial_getc() : c;
}

int serial_getc_interruptible(void)
{
	for (;;) {
		int r = wait_event_interruptible(&rx_wq, rx_head != rx_tail);
		if (r)
			return r;
		int c = serial_trygetc();
		if (c >= 0)
			return c;
	}
}

u32 serial_rx_overruns(void)
{
	return rx_overruns;
}
