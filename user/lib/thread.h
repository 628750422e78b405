/*
 * thread.h: threads for ppsos user programs, a small pthread-like library
 * over the Linux i386 ABI (so a program using it runs unchanged on Linux
 * and on ppsos): thread_create/thread_join, thread_self, a futex mutex, a
 * futex barrier and CPU pinning.
 *
 * The ABI it relies on (thread.c, clone.S):
 *
 *  - clone(2), __NR_clone = 120, int $0x80 with eax = 120,
 *      ebx = flags, ecx = the child's stack pointer, edx = parent_tid *,
 *      esi = struct user_desc * (the TLS descriptor), edi = child_tid *.
 *    (i386 order: tls before child_tid, unlike x86_64.) thread_create
 *    passes CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
 *    CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
 *    CLONE_CHILD_CLEARTID and no exit signal (CSIGNAL bits 0), as glibc's
 *    pthread_create does. The child returns from the trap with eax = 0 and
 *    esp = the given stack, every other register as the parent had it; it
 *    must not return through the parent's frames, so its path is written
 *    in assembly (clone.S) and never touches the parent's stack.
 *  - CLONE_PARENT_SETTID stores the new TID at edx before clone returns
 *    in the parent; CLONE_CHILD_CLEARTID makes the kernel write 0 at edi
 *    when the thread exits and FUTEX_WAKE it: thread_join sleeps in
 *    FUTEX_WAIT on that word (struct thread's tid) until it reads 0. That
 *    wait must be the shared flavour (no FUTEX_PRIVATE_FLAG): the exit's
 *    wake is shared, and Linux keys private and shared futexes apart.
 *    Linux stores the parent's copy before the child can run (so join
 *    never sees a 0 left from before clone); ppsos must too.
 *  - TLS: set_thread_area (243) with entry_number -1 picks a GDT slot and
 *    writes its number back (6 on i386 Linux and ppsos, 12 under an x86_64
 *    kernel: never assume one); %gs = (entry << 3) | 3. The first
 *    thread_create (or thread_self) does this for the main thread; each
 *    child gets the same slot with its own base through CLONE_SETTLS.
 *    Every thread's %gs base is its struct thread, whose first word points
 *    at itself, so thread_self() is one load of %gs:0 (the i386 TLS ABI's
 *    rule for the thread pointer, which glibc follows too).
 *  - futex (240): FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE on aligned u32s.
 *  - sched_setaffinity (241) / sched_getaffinity (242) with pid 0 (the
 *    calling thread), a mask of PPSOS_CPU_SETSIZE bits.
 *  - A thread ends with exit (1), which ends only it; exit_group (252,
 *    what exit() and _exit() call) ends the whole process.
 *
 * Memory: each thread's stack and its struct thread share one private
 * anonymous mmap (THREAD_STACK_SIZE, the struct at the top); thread_join
 * unmaps it, so every thread created must be joined exactly once. Nothing
 * here calls malloc, which is not thread-safe; neither is errno (one per
 * process): threads should call the raw sys_* wrappers, whose -errno is
 * their own. printf may be called from several threads: each call formats
 * into a 256-byte buffer on its own stack and writes it with one write(),
 * so lines of up to that size never mix.
 *
 * fork in a threaded process copies only the calling thread, as on Linux;
 * the child's thread_self() is still the forking thread's block (its tid
 * field is the parent's TID): a child should not create threads of its
 * own from a threaded parent.
 */
#ifndef USER_THREAD_H
#define USER_THREAD_H

#include "ulib.h"

#define THREAD_STACK_SIZE (64 * 1024)

struct thread {
    struct thread *self;        /* word 0: %gs:0 (thread_self) */
    volatile int tid;           /* set by clone, zeroed and woken at exit */
    void *(*fn)(void *);
    void *arg;
    void *ret;                  /* fn's return value, for thread_join */
    void *map;                  /* the stack mapping (NULL: main thread) */
    size_t map_len;
};

/* Starts fn(arg) in a new thread of this process. NULL with errno set on
 * failure (ENOSYS: no threads in this kernel; ENOMEM; EAGAIN): call it
 * from one thread at a time, as errno is shared. */
struct thread *thread_create(void *(*fn)(void *), void *arg);
/* Waits for t to end, stores fn's return value in *ret (if ret) and frees
 * t. 0, or an errno value as pthread_join returns it (EINVAL: t is NULL
 * or the calling thread); errno is left alone. */
int thread_join(struct thread *t, void **ret);
/* Ends the calling thread (not the process) with return value ret. The
 * main thread must not call it while others may still join it. */
void thread_exit(void *ret) __attribute__((noreturn));
/* The calling thread's control block (the main thread's is static). */
struct thread *thread_self(void);

/* Raw private futex calls: 0 / woken count, or -errno (-EAGAIN: *addr !=
 * val). */
long futex_wait(volatile uint32_t *addr, uint32_t val);
long futex_wake(volatile uint32_t *addr, int nr);

/* A mutex: 0 unlocked, 1 locked, 2 locked with (maybe) sleepers
 * (Drepper, "Futexes Are Tricky", mutex 3). Zero-initialised is unlocked. */
struct thread_mutex {
    volatile uint32_t state;
};
#define THREAD_MUTEX_INIT { 0 }
void thread_mutex_lock(struct thread_mutex *m);
void thread_mutex_unlock(struct thread_mutex *m);

/* A reusable barrier for n threads: the n-th arrival bumps gen and wakes
 * the rest, who sleep on gen. wait returns 1 in exactly one thread per
 * round (the last to arrive), 0 in the others. */
struct thread_barrier {
    uint32_t n;
    volatile uint32_t arrived;
    volatile uint32_t gen;
};
void thread_barrier_init(struct thread_barrier *b, uint32_t n);
int thread_barrier_wait(struct thread_barrier *b);

/* Pins the calling thread to one CPU. 0, or an errno value (EINVAL: no
 * such CPU; ENOSYS); errno is left alone. */
int thread_pin(int cpu);
/* CPUs the process may run on (bits set in its affinity mask); 1 if the
 * kernel cannot say. */
int thread_ncpus(void);

#endif
