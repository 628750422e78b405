; Context switch between two kernel threads (kernel/sched.c).
;
; The scheduler calls this with the run-queue lock held and interrupts off;
; the thread switched to releases the lock (sched_finish_switch).
; void switch_to(u32 *save_esp, u32 next_esp)
; Saves the callee-saved registers on the current stack, stores the stack
; pointer in *save_esp, loads next_esp and pops the next thread's registers.
; Everything else (EIP included, as the return address) is on the stacks.
section .text
global switch_to
switch_to:
	mov eax, [esp + 4]
	mov edx, [esp + 8]
	push ebp
	push ebx
	push esi
	push edi
	mov [eax], esp
	mov esp, edx
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

