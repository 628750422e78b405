/*
 * Leaving QEMU with a status: QEMU's isa-debug-exit device (iobase 0xf4)
 * makes QEMU exit with (value << 1) | 1 when `value` is written to it.
 * Without the device (real hardware, or QEMU run without it) we power off
 * through ACPI's PIIX4 port, or halt.
 */
#ifndef DRIVERS_QEMU_EXIT_H
#define DRIVERS_QEMU_EXIT_H

#include <kernel/types.h>

#define QEMU_EXIT_PASS 0     /* QEMU exits 1 */
#define QEMU_EXIT_FAIL 1     /* QEMU exits 3 */
#define QEMU_EXIT_PANIC 0x7F /* QEMU exits 255 */

__noreturn void qemu_exit(u32 value);

#endif
