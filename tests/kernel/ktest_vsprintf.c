/* ktests for kernel/vsprintf.c and kernel/ksyms.c. */
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <kernel/ksyms.h>

#define EXPECT_FMT(t, want, ...)                                              \
	do {                                                                  \
		char b[64];                                                   \
		snprintf(b, sizeof(b), __VA_ARGS__);                          \
		if (strcmp(b, want))                                          \
			ktest_fail(t, __FILE__, __LINE__, "got '%s', want '%s'", b, want); \
	} while (0)

KTEST(vsprintf_formats)
{
	char small[6];

	EXPECT_FMT(t, "42 -7 ff FF 17", "%d %i %x %X %o", 42, -7, 255, 255, 15);
	EXPECT_FMT(t, "[   42] [42   ] [00042]", "[%5d] [%-5d] [%05d]", 42, 42, 42);
	EXPECT_FMT(t, "-2147483648 4294967295", "%d %u", (int)0x80000000, 0xFFFFFFFFu);
	EXPECT_FMT(t, "18446744073709551615 -5", "%llu %lld", ~0ull, -5ll);
	EXPECT_FMT(t, "0xc0100000 (null) abc x %", "%p %s %.3s %c %%", (void *)0xC0100000, (char *)NULL,
		   "abcdef", 'x');
	/* '#': 0x/0X before non-zero hex (zero padding after it), 0 for octal */
	EXPECT_FMT(t, "0x804b16f 0XFF 0 017 0", "%#x %#X %#x %#o %#o", 0x804b16f, 255, 0, 15, 0);
	EXPECT_FMT(t, "[0x00ff] [  0xff] [0xff  ]", "[%#06x] [%#6x] [%-#6x]", 255, 255, 255);
	KT_EXPECT_EQ(t, snprintf(small, sizeof(small), "%s", "truncated"), 9);
	KT_EXPECT(t, !strcmp(small, "trunc"));
}

void kmain(u32, u32);

KTEST(ksyms_lookup_names)
{
	u32 off = 99;
	const char *n = ksyms_lookup((u32)kmain, &off);

	KT_ASSERT(t, n != NULL);
	KT_EXPECT(t, !strcmp(n, "kmain"));
	KT_EXPECT_EQ(t, off, 0);
	n = ksyms_lookup((u32)kmain + 5, &off);
	KT_EXPECT(t, n && !strcmp(n, "kmain") && off == 5);
	KT_EXPECT(t, ksyms_lookup(0x1000, &off) == NULL);
	KT_EXPECT_EQ(t, ksyms_address("kmain"), (u32)kmain);
}
