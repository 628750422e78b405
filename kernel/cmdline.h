/*
 * The kernel command line: space-separated key=value options.
 *
 * A subsystem declares its options next to the variable they set:
 *     u32 hz = 100;
 *     CMDLINE_PARAM_UINT(hz, hz, 10, 1000, "timer interrupts per second");
 * The declarations land in the .cmdline_params section, and cmdline_parse()
 * sets every variable named on the line. An unknown option, a token
 * without '=', or a value out of range is warned about and ignored; it is
 * never fatal (a typo at the GRUB prompt must not cost a boot).
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <kernel/types.h>

enum cmdline_type { CP_UINT, CP_STRING, CP_ENUM, CP_REST };

struct cmdline_param {
	const char *name;
	enum cmdline_type type;
	void *var;
	u32 min, max;                   /* CP_UINT range; CP_STRING: buffer size in max */
	const char *const *choices;     /* CP_ENUM: NULL-terminated; var is an int (or enum) index */
	const char *help;
};

#define CMDLINE_PARAM_UINT(name, var, lo, hi, help_)                                           \
	static const struct cmdline_param __cmdline_##name __section(".cmdline_params") __used = { \
		#name, CP_UINT, &(var), (lo), (hi), NULL, help_ }
#define CMDLINE_PARAM_STRING(name, buf, help_)                                                 \
	static const struct cmdline_param __cmdline_##name __section(".cmdline_params") __used = { \
		#name, CP_STRING, (buf), 0, sizeof(buf), NULL, help_ }
/* var is an int or an enum (an int's size); choices_[i] names value i. */
#define CMDLINE_PARAM_ENUM(name, var, choices_, help_)                                         \
	_Static_assert(sizeof(var) == sizeof(int), #var ": an ENUM parameter is set as an int"); \
	static const struct cmdline_param __cmdline_##name __section(".cmdline_params") __used = { \
		#name, CP_ENUM, &(var), 0, 0, (choices_), help_ }

/* Takes everything after "name=" to the end of the line, spaces included
 * (init=/bin/prog arg1 arg2): it must come last. */
#define CMDLINE_PARAM_REST(name, buf, help_)                                                   \
	static const struct cmdline_param __cmdline_##name __section(".cmdline_params") __used = { \
		#name, CP_REST, (buf), 0, sizeof(buf), NULL, help_ }

#define CMDLINE_MAX 1024

/* Copy the loader's command line (it may be overwritten later). */
void cmdline_save(const char *s);
const char *cmdline_get(void);
/* Parse the saved line against every declared parameter. */
void cmdline_parse(void);
/* Parse `line` against a given table; returns the number of warnings.
 * Used by cmdline_parse() and by the ktests. */
int cmdline_parse_table(const char *line, const struct cmdline_param *params, int n);
void cmdline_help(void (*out)(const char *fmt, ...));

#endif
