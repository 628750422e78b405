/* Program loading (kernel/exec.c), for execve and for starting init. */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <kernel/types.h>

struct exec_args;
struct exec_args *exec_args_alloc(void);
void exec_args_free(struct exec_args *a);
int exec_args_add(struct exec_args *a, const char *s, bool env);
int do_execve(const char *path, struct exec_args *a);

#endif
