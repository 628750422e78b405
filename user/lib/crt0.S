/*
 * crt0.S: process entry. The kernel starts us with the i386 System V
 * initial stack:  esp -> argc, argv[0..argc-1], NULL, envp..., NULL, auxv...
 * We hand argc/argv/envp to __libc_start (stdlib.c), which sets environ,
 * calls main and exits with its return value.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp			/* outermost frame, for debuggers */
	movl (%esp), %eax		/* argc */
	leal 4(%esp), %ecx		/* argv */
	leal 8(%esp,%eax,4), %edx	/* envp = argv + argc + 1 */
	andl $-16, %esp			/* the ABI wants 16-byte alignment at calls */
	subl $4, %esp			/* 4 + 3 pushes = 16 */
	pushl %edx
	pushl %ecx
	pushl %eax
	call __libc_start
	hlt				/* not reached: __libc_start exits */
	.size _start, . - _start

	.section .note.GNU-stack,"",@progbits
