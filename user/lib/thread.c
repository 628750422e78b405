/*
 * thread.c: threads over raw clone, futex and set_thread_area (thread.h
 * has the ABI). Invariants:
 *  - tls_entry is the GDT slot of every thread's TLS descriptor: chosen
 *    once, by the first thread_create or thread_self, while the process
 *    still has one thread, so reading it later needs no lock;
 *  - a struct thread lives at the top of its own stack mapping from
 *    thread_create to thread_join; its tid is nonzero until the kernel
 *    clears it (CLONE_CHILD_CLEARTID), after which the thread runs no user
 *    code and never touches its stack again: only then may join unmap it;
 *  - the main thread's struct thread is static and never joined.
 * Atomics are GCC's __atomic builtins (lock cmpxchg / xchg / xadd on i686).
 */
#include "thread.h"

#define THREAD_CLONE_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
                            CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |       \
                            CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
#define FUTEX_WAKE_ALL 0x7fffffff

/* clone.S */
long __thread_clone(unsigned long flags, void *stack, int *parent_tid,
                    struct user_desc *tls, int *child_tid);
/* Called from clone.S only, on the new thread's stack. */
void __thread_start(struct thread *t) __attribute__((noreturn, used));

static struct thread main_thread;
static int tls_entry = -1;

/* A flat 4 GiB data segment based at t, the form glibc gives its TLS. */
static struct user_desc tls_desc(struct thread *t, int entry)
{
    struct user_desc d;
    memset(&d, 0, sizeof(d));
    d.entry_number = (unsigned int)entry;
    d.base_addr = (unsigned int)(uintptr_t)t;
    d.limit = 0xfffff;
    d.seg_32bit = 1;
    d.limit_in_pages = 1;
    d.useable = 1;
    return d;
}

/* Gives the main thread its TLS slot and loads %gs; 0 or -errno. */
static long tls_setup(void)
{
    main_thread.self = &main_thread;
    main_thread.tid = (int)sys_gettid();
    struct user_desc d = tls_desc(&main_thread, -1);
    long r = sys_set_thread_area(&d);
    if (r < 0)
        return r;
    tls_entry = (int)d.entry_number;
    unsigned int sel = ((unsigned int)tls_entry << 3) | 3;    /* GDT, RPL 3 */
    __asm__ volatile("movl %0, %%gs" : : "r"(sel) : "memory");
    return 0;
}

struct thread *thread_self(void)
{
    if (tls_entry < 0 && tls_setup() < 0)
        return &main_thread;            /* no TLS: there is only one thread */
    struct thread *t;
    __asm__("movl %%gs:0, %0" : "=r"(t));
    return t;
}

void __thread_start(struct thread *t)
{
    t->ret = t->fn(t->arg);
    sys_exit(0);                        /* this thread only */
}

void thread_exit(void *ret)
{
    thread_self()->ret = ret;
    sys_exit(0);
}

struct thread *thread_create(void *(*fn)(void *), void *arg)
{
    if (tls_entry < 0) {
        long r = tls_setup();
        if (r < 0) {
            errno = (int)-r;
            return NULL;
        }
    }
    long a = sys_mmap2(NULL, THREAD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (IS_ERR_VALUE(a)) {
        errno = (int)-a;
        return NULL;
    }
    /* The struct at the top of the mapping, the stack right below it. */
    struct thread *t = (struct thread *)((a + THREAD_STACK_SIZE - sizeof(struct thread)) & ~15ul);
    memset(t, 0, sizeof(*t));
    t->self = t;
    t->fn = fn;
    t->arg = arg;
    t->map = (void *)a;
    t->map_len = THREAD_STACK_SIZE;
    /* The child's first stack word is __thread_start's argument (clone.S);
     * esp 16-byte aligned at that call, as the i386 ABI wants. */
    uint32_t *sp = (uint32_t *)(((uintptr_t)t - 16) & ~15ul);
    sp[0] = (uint32_t)(uintptr_t)t;
    struct user_desc d = tls_desc(t, tls_entry);
    long tid = __thread_clone(THREAD_CLONE_FLAGS, sp, (int *)&t->tid, &d, (int *)&t->tid);
    if (IS_ERR_VALUE(tid)) {
        sys_munmap((void *)a, THREAD_STACK_SIZE);
        errno = (int)-tid;
        return NULL;
    }
    return t;
}

int thread_join(struct thread *t, void **ret)
{
    if (!t || !t->map || t == thread_self())
        return EINVAL;
    for (;;) {
        int tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);
        if (tid == 0)
            break;
        /* Not FUTEX_PRIVATE: the exit's wake is a shared-futex wake, and
         * Linux keys the two flavours differently (glibc's pthread_join
         * waits the same way). -EAGAIN: tid changed already. */
        sys_futex((volatile uint32_t *)&t->tid, FUTEX_WAIT, (uint32_t)tid, NULL, NULL, 0);
    }
    if (ret)
        *ret = t->ret;
    sys_munmap(t->map, t->map_len);
    return 0;
}

/* ---- futexes ---- */

long futex_wait(volatile uint32_t *addr, uint32_t val)
{
    return sys_futex(addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

long futex_wake(volatile uint32_t *addr, int nr)
{
    return sys_futex(addr, FUTEX_WAKE_PRIVATE, (uint32_t)nr, NULL, NULL, 0);
}

/* ---- mutex: 0 free, 1 locked, 2 locked and someone may sleep ---- */

void thread_mutex_lock(struct thread_mutex *m)
{
    uint32_t c = 0;
    if (__atomic_compare_exchange_n(&m->state, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;                         /* uncontended: no system call */
    /* Announce a sleeper (2) before sleeping, so unlock knows to wake. */
    if (c != 2)
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        futex_wait(&m->state, 2);
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    }
}

void thread_mutex_unlock(struct thread_mutex *m)
{
    if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
        futex_wake(&m->state, 1);
    }
}

/* ---- barrier ---- */

void thread_barrier_init(struct thread_barrier *b, uint32_t n)
{
    b->n = n;
    b->arrived = 0;
    b->gen = 0;
}

int thread_barrier_wait(struct thread_barrier *b)
{
    /* Read the generation before arriving: once we have arrived, the last
     * thread may bump it at any moment. */
    uint32_t gen = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&b->arrived, 1, __ATOMIC_ACQ_REL) == b->n) {
        /* Nobody can arrive for the next round before gen moves. */
        __atomic_store_n(&b->arrived, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&b->gen, 1, __ATOMIC_RELEASE);
        futex_wake(&b->gen, FUTEX_WAKE_ALL);
        return 1;
    }
    while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == gen)
        futex_wait(&b->gen, gen);
    return 0;
}

/* ---- CPUs ---- */

int thread_pin(int cpu)
{
    if (cpu < 0 || cpu >= PPSOS_CPU_SETSIZE)
        return EINVAL;
    uint32_t mask = 1u << cpu;
    long r = sys_sched_setaffinity(0, sizeof(mask), &mask);
    return r < 0 ? (int)-r : 0;
}

int thread_ncpus(void)
{
    /* ppsos's mask is PPSOS_CPU_SETSIZE bits; Linux refuses a buffer
     * smaller than its own CPU count (EINVAL), so try a larger one then. */
    uint32_t mask[32];
    long r = sys_sched_getaffinity(0, sizeof(mask[0]), mask);
    if (r == -EINVAL)
        r = sys_sched_getaffinity(0, sizeof(mask), mask);
    if (r <= 0)
        return 1;
    int n = 0;
    for (long w = 0; w < r / 4; w++)
        n += __builtin_popcount(mask[w]);
    return n ? n : 1;
}
