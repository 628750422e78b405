/* ktests for mm/kmalloc.c. */
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <mm/kmalloc.h>

KTEST(kmalloc_sizes)
{
	static const size_t sizes[] = { 1, 7, 16, 17, 100, 512, 1000, 2048, 2049, 4096, 10000, 70000 };
	void *p[ARRAY_SIZE(sizes)][8];
	size_t heap = kmalloc_bytes_in_use();

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
		for (int j = 0; j < 8; j++) {
			p[i][j] = kmalloc(sizes[i]);
			KT_ASSERT(t, p[i][j] != NULL);
			KT_EXPECT_EQ(t, (uintptr_t)p[i][j] & 7, 0);
			memset(p[i][j], (int)(i * 8 + j), sizes[i]);
		}
	/* Every object still holds its own pattern: no two overlap. */
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
		for (int j = 0; j < 8; j++) {
			u8 *b = p[i][j];
			bool ok = true;
			for (size_t k = 0; k < sizes[i]; k++)
				ok &= b[k] == (u8)(i * 8 + j);
			KT_EXPECT(t, ok);
			kfree(b);
		}
	KT_EXPECT_EQ(t, kmalloc_bytes_in_use(), heap);
	kfree(NULL);
}

KTEST(kmalloc_zero_and_huge)
{
	u8 *z = kzalloc(300);
	bool zero = true;

	KT_ASSERT(t, z);
	for (int i = 0; i < 300; i++)
		zero &= z[i] == 0;
	KT_EXPECT(t, zero);
	kfree(z);
	KT_EXPECT(t, kmalloc(0x7FFFFFFF) == NULL); /* absurd size: NULL, not a panic */
}

/* Many slab pages of one size: pages come and go as they fill and empty. */
KTEST(kmalloc_many)
{
	void *p[600];
	size_t heap = kmalloc_bytes_in_use();

	for (int i = 0; i < 600; i++)
		KT_ASSERT(t, (p[i] = kmalloc(64)));
	for (int i = 0; i < 600; i += 2)
		kfree(p[i]);
	for (int i = 0; i < 600; i += 2)
		KT_ASSERT(t, (p[i] = kmalloc(64)));
	for (int i = 0; i < 600; i++)
		kfree(p[i]);
	KT_EXPECT_EQ(t, kmalloc_bytes_in_use(), heap);
}
