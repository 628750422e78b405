/*
 * clone.S: the clone(2) trap for thread_create (thread.c).
 *
 * long __thread_clone(unsigned long flags, void *stack, int *parent_tid,
 *                     struct user_desc *tls, int *child_tid)
 *
 * i386 clone: eax = __NR_clone, ebx = flags, ecx = stack, edx = parent_tid,
 * esi = tls, edi = child_tid. The parent gets the child's TID (or -errno)
 * in eax and returns normally. The child comes back from the same int
 * $0x80 with eax = 0 and esp = stack, on a stack that holds none of the
 * parent's frames: it must not `ret`, nor touch anything at the old esp.
 * The caller has stored the struct thread * at stack[0], 16-byte aligned,
 * so the child calls __thread_start(t) with that word as its argument
 * (the call pushes the return address: t is then at 4(%esp), where C
 * expects the first argument). __thread_start never returns; hlt makes a
 * return a fault rather than a run into whatever follows.
 */
#include <uapi/ppsos/unistd.h>

	.text
	.globl __thread_clone
	.type __thread_clone, @function
__thread_clone:
	pushl %ebp
	pushl %edi
	pushl %esi
	pushl %ebx
	movl $__NR_clone, %eax
	movl 20(%esp), %ebx		/* flags */
	movl 24(%esp), %ecx		/* child's stack */
	movl 28(%esp), %edx		/* parent_tid */
	movl 32(%esp), %esi		/* tls */
	movl 36(%esp), %edi		/* child_tid */
	int $0x80
	testl %eax, %eax
	jz 1f
	popl %ebx			/* parent (or error): an ordinary return */
	popl %esi
	popl %edi
	popl %ebp
	ret
1:	xorl %ebp, %ebp			/* child: outermost frame, for debuggers */
	call __thread_start		/* __thread_start(stack[0]) */
	hlt
	.size __thread_clone, . - __thread_clone

	.section .note.GNU-stack,"",@progbits
