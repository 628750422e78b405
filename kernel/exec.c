/*
 * execve: replace the calling process's image with a static ELF32 program
 * from the initrd.
 *
 * Everything that can fail because of the file or the arguments is checked
 * before the old image is touched, so a bad exec returns an error to a
 * process that is still intact: the ELF header and every program header
 * (sizes, offsets, overflow, alignment, overlap), and the argument strings,
 * which are copied into the kernel first. Then a new mm is built, switched
 * to, and the old one dropped. Pages are not copied here: text and data
 * fault in from the initrd image, bss and stack are demand-zero (mm/fault.c).
 *
 * The initial stack follows the i386 System V ABI: argc, argv[], NULL,
 * envp[], NULL, auxv pairs (AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ,
 * AT_ENTRY, ..., AT_RANDOM), AT_NULL, then AT_RANDOM's 16 bytes and the
 * strings.
 *
 * In a process with several threads, exec first ends the others and waits
 * until they are gone (de_thread, kernel/thread_group.c); the exec'ing
 * thread then carries the pid as its TID.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/elf.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/fs/vfs.h>
#include <mm/mm.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <arch/x86/trap.h>
#include <arch/x86/gdt.h>
#include <arch/x86/tls.h>
#include <arch/x86/cpu.h>

#define ARG_MAX (128 * 1024)    /* bytes of argument and environment strings */
#define MAX_ARGS 1024           /* pointers in argv plus envp */
#define STACK_INITIAL (16 * PAGE_SIZE)

struct exec_args {
	char *buf;              /* argv strings, then envp strings */
	u32 used;
	int argc, envc;
};

static int copy_strings(struct exec_args *a, u32 uvec, int *count)
{
	if (!uvec)
		return 0; /* Linux allows a NULL argv or envp */
	for (;;) {
		u32 uptr;
		if (copy_from_user(&uptr, uvec, 4))
			return -EFAULT;
		if (!uptr)
			return 0;
		if (a->argc + a->envc >= MAX_ARGS)
			return -E2BIG;
		int n = strncpy_from_user(a->buf + a->used, uptr, ARG_MAX - a->used);
		if (n == -ENAMETOOLONG)
			return -E2BIG;
		if (n < 0)
			return n;
		a->used += n + 1;
		(*count)++;
		uvec += 4;
	}
}

/* Check the ELF image; 0 or -ENOEXEC, with the reason for the curious. */
static int elf_check(const u8 *img, u32 size, const char *path)
{
	const struct elf32_ehdr *eh = (const void *)img;
	const char *why = NULL;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4))
		return -ENOEXEC; /* not an ELF at all: no message, like Linux */
	if (eh->e_ident[4] != ELFCLASS32 || eh->e_ident[5] != ELFDATA2LSB)
		why = "not a 32-bit little-endian ELF";
	else if (eh->e_machine != EM_386)
		why = "not an i386 program";
	else if (eh->e_type != ET_EXEC)
		why = "not a static executable (ET_EXEC)";
	else if (eh->e_phentsize != sizeof(struct elf32_phdr) || eh->e_phnum == 0 || eh->e_phnum > 64)
		why = "bad program header table";
	else if (eh->e_phoff > size || eh->e_phnum * sizeof(struct elf32_phdr) > size - eh->e_phoff)
		why = "program headers beyond the end of the file";
	else if (eh->e_entry >= USER_TOP)
		why = "entry point in kernel space";
	if (!why) {
		const struct elf32_phdr *ph = (const void *)(img + eh->e_phoff);
		int loads = 0;
		for (int i = 0; i < eh->e_phnum && !why; i++, ph++) {
			if (ph->p_type == PT_INTERP)
				why = "needs a dynamic loader";
			if (ph->p_type != PT_LOAD)
				continue;
			loads++;
			if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
				why = "segment beyond the end of the file";
			else if (ph->p_filesz > ph->p_memsz)
				why = "segment file size larger than memory size";
			else if (ph->p_vaddr < PAGE_SIZE || ph->p_memsz > USER_TOP ||
				 ph->p_vaddr > USER_TOP - ph->p_memsz)
				why = "segment outside user space";
			else if ((ph->p_vaddr - ph->p_offset) & (PAGE_SIZE - 1))
				why = "segment not page-aligned with its file offset";
			else if (ph->p_vaddr + ph->p_memsz > STACK_TOP - STACK_LIMIT)
				why = "segment overlaps the stack";
		}
		if (!why && !loads)
			why = "no loadable segment";
	}
	if (why) {
		printk("exec: %s: %s\n", path, why);
		return -ENOEXEC;
	}
	return 0;
}

static int map_segment(struct mm *mm, const u8 *img, const struct elf32_phdr *ph, const char *name)
{
	u32 flags = (ph->p_flags & PF_R ? VM_READ : 0) | (ph->p_flags & PF_W ? VM_WRITE : 0) |
		    (ph->p_flags & PF_X ? VM_EXEC : 0);
	u32 start = ALIGN_DOWN(ph->p_vaddr, PAGE_SIZE);
	u32 file_end = ph->p_vaddr + ph->p_filesz;
	u32 mem_end = ALIGN_UP(ph->p_vaddr + ph->p_memsz, PAGE_SIZE);
	u32 anon_start = start;
	struct vma *v;

	if (ph->p_filesz) {
		anon_start = ALIGN_UP(file_end, PAGE_SIZE);
		v = vma_new(mm, start, anon_start, flags | VM_FILE, name);
		if (!v)
			return -ENOMEM;
		v->file_data = img;
		v->file_off = ph->p_offset;
		v->file_start = ph->p_vaddr;
		v->file_end = file_end;
		if (vma_insert(mm, v)) {
			kfree(v);
			return -ENOEXEC; /* overlapping segments */
		}
	}
	if (anon_start < mem_end) {
		/* bss: private anonymous memory, PPS's to reclaim */
		v = vma_new(mm, anon_start, mem_end, flags | VM_PURE_PRIVATE, NULL);
		if (!v)
			return -ENOMEM;
		if (vma_insert(mm, v)) {
			kfree(v);
			return -ENOEXEC;
		}
	}
	if (ph->p_flags & PF_X) {
		mm->start_code = start;
		mm->end_code = file_end;
	} else {
		mm->start_data = start;
		mm->end_data = ph->p_vaddr + ph->p_memsz;
	}
	return 0;
}

static struct mm *build_mm(const u8 *img, const char *name, int *err)
{
	const struct elf32_ehdr *eh = (const void *)img;
	const struct elf32_phdr *ph = (const void *)(img + eh->e_phoff);
	struct mm *mm = mm_create();
	u32 brk = 0;
	struct vma *stack;

	*err = -ENOMEM;
	if (!mm)
		return NULL;
	/* The new mm is on the mm list already: kppsd may walk its VMAs
	 * (under mmap_lock for reading) while they are being inserted. */
	down_write(&mm->mmap_lock);
	mm->exec_entry = eh->e_entry;
	mm->exec_phnum = eh->e_phnum;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_PHDR)
			mm->exec_phdr = ph[i].p_vaddr;
		if (ph[i].p_type != PT_LOAD)
			continue;
		if ((*err = map_segment(mm, img, &ph[i], name))) {
			up_write(&mm->mmap_lock);
			mm_put(mm);
			return NULL;
		}
		if (!mm->exec_phdr && ph[i].p_offset == 0 && eh->e_phoff < ph[i].p_filesz)
			mm->exec_phdr = ph[i].p_vaddr + eh->e_phoff;
		brk = MAX(brk, ALIGN_UP(ph[i].p_vaddr + ph[i].p_memsz, PAGE_SIZE));
	}
	mm->brk_start = mm->brk = brk;
	stack = vma_new(mm, STACK_TOP - STACK_INITIAL, STACK_TOP,
			VM_READ | VM_WRITE | VM_GROWSDOWN | VM_PURE_PRIVATE, "[stack]");
	if (!stack || vma_insert(mm, stack)) {
		kfree(stack);
		up_write(&mm->mmap_lock);
		mm_put(mm);
		*err = -ENOMEM;
		return NULL;
	}
	mm->stack_vm = STACK_INITIAL >> PAGE_SHIFT;
	up_write(&mm->mmap_lock);
	*err = 0;
	return mm;
}

/* Lay out argc, argv, envp, auxv and the strings below STACK_TOP in the
 * (active) new mm; returns the initial stack pointer or 0 on a fault. */
static u32 build_stack(struct mm *mm, struct exec_args *a)
{
	u32 strings = STACK_TOP - ALIGN_UP(a->used, 16);
	u32 random = strings - 16; /* AT_RANDOM's 16 bytes, below the strings */
	u32 auxv[] = { AT_PHDR, mm->exec_phdr, AT_PHENT, sizeof(struct elf32_phdr),
		       AT_PHNUM, mm->exec_phnum, AT_PAGESZ, PAGE_SIZE, AT_ENTRY, mm->exec_entry,
		       AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_RANDOM, random, AT_NULL, 0 };
	u32 nwords = 1 + a->argc + 1 + a->envc + 1 + ARRAY_SIZE(auxv);
	u32 sp = ALIGN_DOWN(random - nwords * 4, 16);
	u32 *vec = kmalloc(nwords * 4), *w = vec, s = strings;
	u32 rnd[4];
	int ok;

	/* Unpredictable enough for a canary, not for cryptography: the TSC
	 * stirred (ppsos has no entropy pool). */
	for (int i = 0; i < 4; i++)
		rnd[i] = (u32)(rdtsc() * 0x9E3779B97F4A7C15ull >> 32) ^ (i * 0x85EBCA6Bu);

	if (!vec)
		return 0;
	*w++ = a->argc;
	for (int i = 0; i < a->argc + a->envc; i++) {
		*w++ = s;
		s += strlen(a->buf + (s - strings)) + 1;
		if (i == a->argc - 1)
			*w++ = 0; /* end of argv */
	}
	if (a->argc == 0)
		*w++ = 0;
	*w++ = 0; /* end of envp */
	memcpy(w, auxv, sizeof(auxv));
	ok = !copy_to_user(strings, a->buf, a->used) && !copy_to_user(random, rnd, sizeof(rnd)) &&
	     !copy_to_user(sp, vec, nwords * 4);
	kfree(vec);
	return ok ? sp : 0;
}

/* Replace the current image with the program at path (a kernel string),
 * with the arguments already in a. 0, or -errno with the old image intact. */
int do_execve(const char *path, struct exec_args *a)
{
	struct proc *me = current_proc();
	struct inode *ino;
	struct mm *mm, *old;
	int err;
	u32 sp;

	err = vfs_lookup(path, &ino);
	if (err)
		return err;
	err = -EACCES;
	if (!inode_is_image(ino))
		goto out_put; /* a directory, a device, a /proc file */
	err = elf_check(ino->data, ino->size, path);
	if (err)
		goto out_put;
	mm = build_mm(ino->data, ino->path, &err);
	if (!mm)
		goto out_put;

	/* The other threads go first: nobody may use the old mm when it is
	 * dropped. Failing here means the group is being killed. */
	err = de_thread();
	if (err) {
		mm_put(mm);
		goto out_put;
	}
	current()->clear_child_tid = 0; /* a word in the old image */

	/* The point of no return: switch to the new image. */
	spin_lock(&proc_lock); /* /proc readers take p->mm under it */
	old = me->mm;
	me->mm = mm;
	mm_activate(mm);
	spin_unlock(&proc_lock);
	if (old)
		mm_put(old);
	sp = build_stack(mm, a);
	if (!sp) {
		iput(ino);
		proc_kill_fatal(SIGKILL, "exec: out of memory building the stack, killed");
	}
	proc_set_name(me, path);
	fpu_reset_current(); /* the new image starts with clean FP/SSE registers */

	struct trapframe *tf = current_user_tf();
	memset(tf, 0, sizeof(*tf));
	tf->eip = mm->exec_entry;
	tf->user_esp = sp;
	tf->cs = USER_CS;
	tf->ds = tf->es = tf->fs = tf->gs = tf->user_ss = USER_DS;
	tls_clear(current()); /* the new image starts without TLS segments */
	tf->eflags = EFLAGS_IF;
	err = 0;
out_put:
	iput(ino);
	return err;
}

struct exec_args *exec_args_alloc(void)
{
	struct exec_args *a = kzalloc(sizeof(*a));

	if (a && !(a->buf = kmalloc(ARG_MAX))) {
		kfree(a);
		return NULL;
	}
	return a;
}

void exec_args_free(struct exec_args *a)
{
	if (a) {
		kfree(a->buf);
		kfree(a);
	}
}

/* Append a kernel string to argv (or, with env, to envp: after all argv). */
int exec_args_add(struct exec_args *a, const char *s, bool env)
{
	u32 n = strlen(s) + 1;

	if (a->used + n > ARG_MAX || a->argc + a->envc >= MAX_ARGS)
		return -E2BIG;
	memcpy(a->buf + a->used, s, n);
	a->used += n;
	if (env)
		a->envc++;
	else
		a->argc++;
	return 0;
}

long sys_execve(u32 upath, u32 uargv, u32 uenvp, u32 a4, u32 a5)
{
	struct exec_args *a = exec_args_alloc();
	char *path = kmalloc(PATH_MAX);
	int err = -ENOMEM;

	if (!path || !a)
		goto out;
	err = strncpy_from_user(path, upath, PATH_MAX);
	if (err < 0)
		goto out;
	if ((err = copy_strings(a, uargv, &a->argc)) || (err = copy_strings(a, uenvp, &a->envc)))
		goto out;
	err = do_execve(path, a);
out:
	exec_args_free(a);
	kfree(path);
	return err;
}
