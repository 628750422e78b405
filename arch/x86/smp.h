/* Bringing the application processors online (see smp.c). */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

void smp_boot_aps(void);

#endif
