#include <drivers/qemu_exit.h>
#include <arch/x86/cpu.h>

__noreturn void qemu_exit(u32 value)
{
	outl(0xF4, value);      /* isa-debug-exit: QEMU is gone after this */
	outw(0x604, 0x2000);    /* QEMU's ACPI power off (PIIX4 PM1a_CNT) */
	for (;;) {
		cli();
		hlt();
	}
}
