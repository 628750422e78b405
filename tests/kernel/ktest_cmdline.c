/* ktests for kernel/cmdline.c, against a table of test parameters. */
#include <kernel/ktest.h>
#include <kernel/cmdline.h>
#include <kernel/string.h>

static u32 num;
static char str[8];
static int mode;
static const char *const modes[] = { "off", "on", "manual", NULL };
static const struct cmdline_param params[] = {
	{ "num", CP_UINT, &num, 1, 100, NULL, "" },
	{ "str", CP_STRING, str, 0, sizeof(str), NULL, "" },
	{ "mode", CP_ENUM, &mode, 0, 0, modes, "" },
};

static int parse(const char *line)
{
	return cmdline_parse_table(line, params, ARRAY_SIZE(params));
}

KTEST(cmdline_good)
{
	num = 0;
	mode = 0;
	KT_EXPECT_EQ(t, parse("/boot/kernel.elf num=42 str=abc mode=manual"), 0);
	KT_EXPECT_EQ(t, num, 42);
	KT_EXPECT(t, !strcmp(str, "abc"));
	KT_EXPECT_EQ(t, mode, 2);
	KT_EXPECT_EQ(t, parse("build/kernel.elf   num=0x10\tmode=on "), 0);
	KT_EXPECT_EQ(t, num, 16);
	KT_EXPECT_EQ(t, parse(""), 0);
	KT_EXPECT_EQ(t, parse("num=7"), 0); /* no file name first (other loaders) */
	KT_EXPECT_EQ(t, num, 7);
}

KTEST(cmdline_bad_is_ignored)
{
	num = 5;
	strlcpy(str, "keep", sizeof(str));
	mode = 1;
	KT_EXPECT_EQ(t, parse("k.elf num=abc num= num=1000 num=-1 num=99999999999"), 5);
	KT_EXPECT_EQ(t, num, 5);
	KT_EXPECT_EQ(t, parse("k.elf str=waytoolongvalue mode=sideways"), 2);
	KT_EXPECT(t, !strcmp(str, "keep"));
	KT_EXPECT_EQ(t, mode, 1);
	KT_EXPECT_EQ(t, parse("k.elf nosuch=1 justaword =3 = =="), 5);
	KT_EXPECT_EQ(t, parse("justaword"), 1); /* not a path: ill-formed */
}
