/* pagestamp.c: stamps in pages (pagestamp.h). */
#include "pagestamp.h"

#define WORDS (PAGE_SIZE / 4)
#define NSECT 8

/* One word per 512-byte sector after the header, the last the page's last. */
static const uint16_t sect_pos[NSECT] = {
    0 * 128 + 4 + (0 * 37) % 120, 1 * 128 + 4 + (1 * 37) % 120,
    2 * 128 + 4 + (2 * 37) % 120, 3 * 128 + 4 + (3 * 37) % 120,
    4 * 128 + 4 + (4 * 37) % 120, 5 * 128 + 4 + (5 * 37) % 120,
    6 * 128 + 4 + (6 * 37) % 120, WORDS - 1,
};

static uint32_t fmix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint32_t sect_word(uint32_t tag, uint32_t index, uint32_t gen, unsigned s)
{
    return fmix(tag * 0x9e3779b1u ^ fmix(index + 0x632be5abu * gen) ^ (s + 1) * 0x27d4eb2fu);
}

void ps_write(volatile uint32_t *page, uint32_t tag, uint32_t index, uint32_t gen)
{
    for (unsigned s = 0; s < NSECT; s++)
        page[sect_pos[s]] = sect_word(tag, index, gen, s);
    page[1] = tag;
    page[2] = index;
    page[3] = gen;
    page[0] = PS_MAGIC ^ tag;
}

int ps_read(const volatile uint32_t *page, struct stamp *out)
{
    uint32_t tag = page[1], index = page[2], gen = page[3];
    if (page[0] != (PS_MAGIC ^ tag))
        return 0;
    for (unsigned s = 0; s < NSECT; s++)
        if (page[sect_pos[s]] != sect_word(tag, index, gen, s))
            return 0;
    out->tag = tag;
    out->index = index;
    out->gen = gen;
    return 1;
}

int ps_is(const volatile uint32_t *page, uint32_t tag, uint32_t index, uint32_t gen)
{
    struct stamp st;
    return ps_read(page, &st) && st.tag == tag && st.index == index && st.gen == gen;
}

char *ps_describe(const volatile uint32_t *page, char *buf, size_t n)
{
    struct stamp st;
    if (ps_read(page, &st)) {
        snprintf(buf, n, "tag 0x%08x page %u gen %u", st.tag, st.index, st.gen);
        return buf;
    }
    int zero = 1;
    for (unsigned i = 0; i < WORDS && zero; i++)
        zero = page[i] == 0;
    if (zero)
        snprintf(buf, n, "no stamp (zeros)");
    else
        snprintf(buf, n, "no stamp (garbage: 0x%08x 0x%08x 0x%08x 0x%08x, last 0x%08x)", page[0], page[1],
                 page[2], page[3], page[WORDS - 1]);
    return buf;
}

uint32_t ps_sum(const volatile uint32_t *page)
{
    uint32_t h = 0x811c9dc5u;
    for (unsigned i = 0; i < WORDS; i++)
        h = (h ^ page[i]) * 0x01000193u + i;
    return h;
}
