; ppsos boot entry: the multiboot v1 header and the first instructions run.
;
; The loader (GRUB's `multiboot` command or QEMU's -kernel) jumps to _start
; in 32-bit protected mode with paging off, EAX = multiboot magic and
; EBX = physical address of the multiboot info. We are linked at 0xC0100000
; but loaded at 0x00100000, so until paging is on only this .boot section
; (linked at its physical address) may run. We build nothing here: the boot
; page directory below is static and maps the first 16 MiB twice, at 0 (so
; the instruction after `mov cr0` still executes) and at KERNEL_BASE. C code
; (arch/x86/paging.c) replaces it with the real kernel directory at once;
; APs reuse it on their way up (boot/trampoline.asm).

%define KERNEL_BASE     0xC0000000
%define MB_MAGIC        0x1BADB002
%define MB_FLAGS        0x00000003      ; page-align modules, give memory map
%define PDE_P           0x001
%define PDE_RW          0x002
%define PDE_PS          0x080           ; 4 MiB page (needs CR4.PSE)
%define CR4_PSE         0x010
%define CR0_PG          0x80000000
%define CR0_WP          0x00010000
%define KSTACK_SIZE     16384

section .multiboot
align 4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)

section .boot.data
align 4096
global boot_pgdir
boot_pgdir:
%assign i 0
%rep 1024
%if i < 4
	dd (i << 22) | PDE_PS | PDE_RW | PDE_P         ; identity 0..16 MiB
%elif i >= 768 && i < 772
	dd ((i - 768) << 22) | PDE_PS | PDE_RW | PDE_P ; KERNEL_BASE + 0..16 MiB
%else
	dd 0
%endif
%assign i i + 1
%endrep

section .boot.text
global _start
_start:
	cli
	; Remember when we started, for the boot-time figure printed at
	; "smp: N CPUs online". boot_tsc lives in .data, at its load address.
	mov esi, eax
	rdtsc
	mov [boot_tsc - KERNEL_BASE], eax
	mov [boot_tsc - KERNEL_BASE + 4], edx

	mov eax, cr4
	or eax, CR4_PSE
	mov cr4, eax
	mov eax, boot_pgdir
	mov cr3, eax
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	; Paging is on and the higher half is mapped. Enter C through a
	; register: kmain is linked at 0xC01xxxxx, and an absolute indirect
	; call gets there from this low copy. kmain never returns.
	; The BSP's boot stack is also the stack of its idle thread: struct
	; thread sits at its base, where `current` expects it (kernel/sched.h).
	mov esp, bsp_stack + KSTACK_SIZE
	xor ebp, ebp                    ; ends backtraces here
	push ebx                        ; multiboot info (physical)
	push esi                        ; multiboot magic
	extern kmain
	mov eax, kmain
	call eax
.hang:
	cli
	hlt
	jmp .hang

section .data
align 8
global boot_tsc
boot_tsc: dq 0

section .bss
align KSTACK_SIZE
global bsp_stack
bsp_stack: resb KSTACK_SIZE
