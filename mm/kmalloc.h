/*
 * kmalloc/kfree: kernel objects of any size. Small sizes come from slab
 * pages of power-of-two objects (16 .. 2048 bytes); larger ones are whole
 * buddy blocks. Both may be called with spinlocks held; neither sleeps
 * (a failed allocation returns NULL and the caller decides).
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include <kernel/types.h>

void kmalloc_init(void);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(const void *p);
size_t kmalloc_bytes_in_use(void);  /* for leak checks */
void kmalloc_dump(void (*out)(const char *fmt, ...));

#endif
