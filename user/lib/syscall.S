/*
 * syscall.S: the only way into the kernel. Linux i386 convention:
 * eax = number, ebx, ecx, edx, esi, edi, ebp = arguments 1..6,
 * int $0x80, result (or -errno) in eax. ebx/esi/edi/ebp are callee-saved
 * in C, so save them around the trap.
 *
 * long __syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
 */
	.text
	.globl __syscall
	.type __syscall, @function
__syscall:
	pushl %ebp
	pushl %edi
	pushl %esi
	pushl %ebx
	movl 20(%esp), %eax
	movl 24(%esp), %ebx
	movl 28(%esp), %ecx
	movl 32(%esp), %edx
	movl 36(%esp), %esi
	movl 40(%esp), %edi
	movl 44(%esp), %ebp
	int $0x80
	popl %ebx
	popl %esi
	popl %edi
	popl %ebp
	ret
	.size __syscall, . - __syscall

	.section .note.GNU-stack,"",@progbits
