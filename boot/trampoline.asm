; AP trampoline: the code an application processor runs after INIT-SIPI-SIPI.
;
; arch/x86/smp.c copies the bytes between trampoline_start and trampoline_end
; to TRAMPOLINE_PA (0x8000) and sends a SIPI with vector 0x08, so the AP
; starts here in 16-bit real mode at CS:IP = 0800:0000. Every address below
; is therefore computed as TRAMPOLINE_PA + (label - trampoline_start).
; The BSP fills the three parameter words at trampoline_params before each
; SIPI: the page directory to load (the boot one, which still identity-maps
; this page), the top of the AP's idle-thread stack, and the C entry point.

%define TRAMPOLINE_PA   0x8000
%define REL(x)          (TRAMPOLINE_PA + (x) - trampoline_start)
%define CR4_PSE         0x010
%define CR0_PE          0x1
%define CR0_PG          0x80000000
%define CR0_WP          0x00010000

section .rodata
global trampoline_start, trampoline_end, trampoline_params

bits 16
trampoline_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	lgdt [REL(tramp_gdt_desc)]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword 0x08:REL(tramp_32)

bits 32
tramp_32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ax, ax
	mov fs, ax
	mov gs, ax
	mov eax, cr4
	or eax, CR4_PSE
	mov cr4, eax
	mov eax, [REL(tp_pgdir)]
	mov cr3, eax
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	mov esp, [REL(tp_stack)]
	xor ebp, ebp
	mov eax, [REL(tp_entry)]
	call eax                        ; never returns
.hang:
	hlt
	jmp .hang

align 8
tramp_gdt:
	dq 0
	dq 0x00CF9A000000FFFF           ; flat 4 GiB code, ring 0
	dq 0x00CF92000000FFFF           ; flat 4 GiB data, ring 0
tramp_gdt_desc:
	dw tramp_gdt_desc - tramp_gdt - 1
	dd REL(tramp_gdt)

align 4
trampoline_params:
tp_pgdir: dd 0
tp_stack: dd 0
tp_entry: dd 0
trampoline_end:
