/*
 * The 16550 UART on COM1: the kernel's console. Output is polled (simple,
 * and works in a panic with interrupts off); input is interrupt driven
 * into a ring buffer that serial_getc() sleeps on.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <kernel/types.h>

void serial_init(void);          /* early: output only */
void serial_enable_irq(void);    /* once the IOAPIC is up */
void serial_write(const char *s, size_t n);
int serial_getc(void);           /* sleeps until a character arrives */
int serial_getc_interruptible(void); /* same, or -EINTR on a signal */
int serial_trygetc(void);        /* -1 if none buffered */
u32 serial_rx_overruns(void);

#endif
