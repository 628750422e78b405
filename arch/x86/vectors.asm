; Interrupt and exception entry stubs, one per IDT vector.
;
; Each stub makes the stack look the same whatever the vector: exceptions
; that push no error code get a dummy 0, then the vector number is pushed
; and all stubs join trap_common, which saves the rest of struct trapframe
; (arch/x86/trap.h: segment registers and pusha) and calls trap_dispatch(tf).
; The layout here and struct trapframe must change together.
;
; The kernel runs with %fs = %gs = 0: a user's %gs may name a TLS slot
; (arch/x86/tls.c) that is empty in the GDT of the thread we switch to,
; and an interrupt taken in kernel mode pops what it pushed, so a stale
; selector left in %gs would fault that pop. The user's values come back
; from the trap frame on the way out.

%define KERNEL_DS 0x10

section .text

%macro STUB_NOERR 1
vector_%1:
	push dword 0
	push dword %1
	jmp trap_common
%endmacro

%macro STUB_ERR 1
vector_%1:
	push dword %1                   ; the CPU already pushed an error code
	jmp trap_common
%endmacro

%assign v 0
%rep 256
%if v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21 || v == 29 || v == 30
	STUB_ERR v
%else
	STUB_NOERR v
%endif
%assign v v + 1
%endrep

extern trap_dispatch
global trap_common, trap_return
trap_common:
	push ds
	push es
	push fs
	push gs
	pusha
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	push esp                        ; struct trapframe *
	call trap_dispatch
	add esp, 4
trap_return:
	popa
	pop gs
	pop fs
	pop es
	pop ds
	add esp, 8                      ; vector and error code
	iret

; void enter_user(struct trapframe *tf): start running user code. A new
; process's thread builds its trap frame at the top of its kernel stack and
; leaves the kernel the way every trap does.
global enter_user
enter_user:
	mov esp, [esp + 4]
	jmp trap_return

section .rodata
global vector_table
vector_table:
%assign v 0
%rep 256
	dd vector_%+v
%assign v v + 1
%endrep
