/*
 * lab_todo(): what a lab's stub says when the code it stands for runs
 * (docs/labs/). The labs' student trees (`make lab-tree`) replace a marked
 * solution by a stub that calls this: one line on the console, the first
 * time only, naming the lab and what is missing, so that a test fails with
 * a reason instead of a mystery. The full tree never calls it.
 */
#ifndef KERNEL_LAB_TODO_H
#define KERNEL_LAB_TODO_H

#include <kernel/printk.h>

#define lab_todo(lab, what)                                                     \
	do {                                                                    \
		static bool said_;                                              \
		if (!said_) {                                                   \
			said_ = true;                                           \
			printk("LAB %d: not implemented yet: %s\n", (lab), (what)); \
		}                                                               \
	} while (0)

#endif
