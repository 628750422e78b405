; Copies between kernel and user memory that survive a fault.
;
; A user pointer may point at memory that is not there (yet): a demand-zero
; page, or nothing at all. The instructions that touch user memory are
; listed in the exception table (section .ex_table, pairs of "faulting
; instruction, where to go instead"). The page-fault handler first tries to
; bring the page in (handle_mm_fault); only if that fails does it resume at
; the fixup, which returns an error instead of panicking. This is Linux's
; design, and why the callers need not check VMAs before copying.
; The C wrappers (mm/uaccess.c) check that the range is below KERNEL_BASE.

section .text

; u32 __copy_user(void *dst, const void *src, u32 n): bytes NOT copied
global __copy_user
__copy_user:
	push esi
	push edi
	mov edi, [esp + 12]
	mov esi, [esp + 16]
	mov ecx, [esp + 20]
	cld
.copy:	rep movsb
.done:	mov eax, ecx                    ; 0, or what is left after a fault
	pop edi
	pop esi
	ret

; int __strncpy_user(char *dst, const char *src, u32 max):
; the length copied (without the NUL, which is copied), max if no NUL came
; within max bytes, or -1 on a fault.
global __strncpy_user
__strncpy_user:
	push esi
	push edi
	mov edi, [esp + 12]
	mov esi, [esp + 16]
	mov ecx, [esp + 20]
	xor edx, edx
	cld
.loop:	test ecx, ecx
	jz .full
.load:	lodsb
	stosb
	test al, al
	jz .end
	inc edx
	dec ecx
	jmp .loop
.full:	mov eax, [esp + 20]
	pop edi
	pop esi
	ret
.end:	mov eax, edx
	pop edi
	pop esi
	ret
.fault:	mov eax, -1
	pop edi
	pop esi
	ret

section .ex_table
	dd __copy_user.copy, __copy_user.done
	dd __strncpy_user.load, __strncpy_user.fault
