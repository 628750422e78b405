/*
 * Command-line parsing (see cmdline.h). Runs once on the BSP before the
 * other CPUs start, so it needs no lock.
 *
 * Both loaders put the kernel's file name first (GRUB: "/boot/kernel.elf
 * hz=250", QEMU -kernel: "build/kernel.elf hz=250"); a first word without
 * '=' that looks like a path is taken as that name and skipped.
 */
#include <kernel/cmdline.h>
#include <kernel/string.h>
#include <kernel/printk.h>

extern const struct cmdline_param __cmdline_params_start[], __cmdline_params_end[];

static char saved[CMDLINE_MAX];

void cmdline_save(const char *s)
{
	size_t n = s ? strlcpy(saved, s, sizeof(saved)) : 0;

	if (n >= sizeof(saved))
		printk("cmdline: warning: command line longer than %u bytes, cut short\n",
		       CMDLINE_MAX - 1);
}

const char *cmdline_get(void)
{
	return saved;
}

/* Warnings quote the token, cut to a readable length. */
static void warn(const char *what, const char *tok, size_t len, const char *tail)
{
	printk("cmdline: warning: %s '%.*s%s'%s\n", what, (int)MIN(len, 48u), tok,
	       len > 48 ? "..." : "", tail);
}

static bool looks_like_path(const char *tok, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (tok[i] == '/' || tok[i] == '.')
			return true;
	return false;
}

static int set_param(const struct cmdline_param *p, const char *tok, size_t toklen, const char *val,
		     size_t vlen)
{
	char buf[64];
	u32 v;

	switch (p->type) {
	case CP_UINT:
		if (vlen == 0 || vlen >= sizeof(buf))
			goto bad;
		memcpy(buf, val, vlen);
		buf[vlen] = 0;
		if (!parse_uint(buf, &v))
			goto bad;
		if (v < p->min || v > p->max) {
			printk("cmdline: warning: bad value '%s' for %s (must be %u..%u, ignored)\n", buf,
			       p->name, p->min, p->max);
			return 1;
		}
		*(u32 *)p->var = v;
		return 0;
	case CP_STRING:
	case CP_REST:
		if (vlen >= p->max) {
			printk("cmdline: warning: value for %s longer than %u bytes (ignored)\n", p->name,
			       p->max - 1);
			return 1;
		}
		memcpy(p->var, val, vlen);
		((char *)p->var)[vlen] = 0;
		return 0;
	case CP_ENUM:
		for (int i = 0; p->choices[i]; i++) {
			if (strlen(p->choices[i]) == vlen && !strncmp(p->choices[i], val, vlen)) {
				*(int *)p->var = i;
				return 0;
			}
		}
		goto bad;
	}
bad:
	printk("cmdline: warning: bad value '%.*s' for %s (ignored)\n", (int)MIN(vlen, 48u), val,
	       p->name);
	(void)tok;
	(void)toklen;
	return 1;
}

int cmdline_parse_table(const char *line, const struct cmdline_param *params, int n)
{
	const char *p = line;
	int warnings = 0;
	bool first = true;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *tok = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t len = p - tok;
		const char *eq = memchr_n(tok, '=', len);

		if (!eq) {
			if (!(first && looks_like_path(tok, len))) {
				warn("ill-formed option", tok, len, " (ignored)");
				warnings++;
			}
			first = false;
			continue;
		}
		first = false;
		size_t klen = eq - tok;
		if (klen == 0) {
			warn("ill-formed option", tok, len, " (ignored)");
			warnings++;
			continue;
		}
		int i;
		for (i = 0; i < n; i++)
			if (strlen(params[i].name) == klen && !strncmp(params[i].name, tok, klen))
				break;
		if (i == n) {
			warn("unknown option", tok, len, " (ignored)");
			warnings++;
			continue;
		}
		if (params[i].type == CP_REST) {
			size_t vlen = strlen(eq + 1);
			while (vlen && (eq[vlen] == ' ' || eq[vlen] == '\t'))
				vlen--;
			warnings += set_param(&params[i], tok, len, eq + 1, vlen);
			break; /* the rest of the line was its value */
		}
		warnings += set_param(&params[i], tok, len, eq + 1, len - klen - 1);
	}
	return warnings;
}

void cmdline_parse(void)
{
	int n = __cmdline_params_end - __cmdline_params_start;

	cmdline_parse_table(saved, __cmdline_params_start, n);
}

void cmdline_help(void (*out)(const char *fmt, ...))
{
	for (const struct cmdline_param *p = __cmdline_params_start; p < __cmdline_params_end; p++) {
		out("  %-12s ", p->name);
		if (p->type == CP_UINT)
			out("%u..%u  ", p->min, p->max);
		else if (p->type == CP_ENUM)
			for (int i = 0; p->choices[i]; i++)
				out("%s%s", p->choices[i], p->choices[i + 1] ? "|" : "  ");
		else if (p->type == CP_REST)
			out("rest of line  ");
		else
			out("string  ");
		out("%s\n", p->help);
	}
}
