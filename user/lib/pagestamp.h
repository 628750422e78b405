/*
 * pagestamp.h: who wrote a page, which page it is and which write it was,
 * stamped into the page itself; for the copy-on-write and shared-memory
 * workloads (cowtest, shmtest, cowbomb, cowthreads), which must tell
 * "the original", "my own last write" and "another process's write"
 * apart when they read a page.
 *
 * A stamp is (tag, index, gen): tag names the writer (ps_tag: a kind and
 * a pid), index the page in its region, gen the write. It is written into
 * 12 words of the page: the 4 header words
 *
 *   word 0   PS_MAGIC ^ tag        word 2   index
 *   word 1   tag                   word 3   gen
 *
 * and one word in each 512-byte sector (the last one in the page's last
 * word), a hash of tag, index, gen and position; so a page that is stale,
 * another page, another writer's or only partly copied is caught, and a
 * read says whose it is. A page of zeros has no stamp.
 */
#ifndef USER_PAGESTAMP_H
#define USER_PAGESTAMP_H

#include "ulib.h"

#define PS_MAGIC 0x434f5750u            /* "COWP" */

/* Kinds of writer, in a tag's top byte. */
#define PS_ORIG   0x01u                 /* the fill before fork */
#define PS_PROC   0x02u                 /* a process's own writes */
#define PS_THREAD 0x03u                 /* a thread's (cowthreads) */

struct stamp {
    uint32_t tag, index, gen;
};

static inline uint32_t ps_tag(uint32_t kind, uint32_t id)
{
    return kind << 24 | (id & 0xffffffu);
}

void ps_write(volatile uint32_t *page, uint32_t tag, uint32_t index, uint32_t gen);
/* 1 and *out filled if the page holds a whole, consistent stamp; else 0
 * (zeros, torn, garbage). */
int ps_read(const volatile uint32_t *page, struct stamp *out);
/* 1 if the page holds exactly this stamp. */
int ps_is(const volatile uint32_t *page, uint32_t tag, uint32_t index, uint32_t gen);
/* What the page holds, for a message: "tag 0x02000007 page 12 gen 3",
 * "no stamp (zeros)" or "no stamp (garbage: 0x... 0x...)". Returns buf. */
char *ps_describe(const volatile uint32_t *page, char *buf, size_t n);
/* A hash of all 1024 words of the page (cowthreads: has it changed?). */
uint32_t ps_sum(const volatile uint32_t *page);

#endif
