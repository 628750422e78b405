/* kmon, the kernel monitor on the serial console (see kmon.c). */
#ifndef KERNEL_KMON_H
#define KERNEL_KMON_H

#include <kernel/types.h>

struct kmon_cmd {
	const char *name;
	void (*fn)(int argc, char **argv);
	const char *help;
};

#define KMON_CMD(n, f, h) \
	static const struct kmon_cmd __kmon_##n __section(".kmon_cmds") __used = { #n, f, h }

void kmon_thread(void *arg);

#endif
