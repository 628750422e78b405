/*
 * vsnprintf: the printf engine behind printk and snprintf. Supports the
 * conversions the kernel uses: %d %i %u %x %X %o %c %s %p %%, the flags
 * '-', '0' and '#' (0x / 0X before a non-zero hex number, a leading 0 for
 * octal, as in C), a field width (or '*'), a precision for strings, and the
 * l / ll length modifiers. Output is always NUL-terminated and truncated to
 * `size`; the return value is the length the full output would have had.
 */
#include <kernel/string.h>

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, int n, int width, bool left, char pad)
{
	int i;

	if (!left)
		for (i = n; i < width; i++)
			put(o, pad);
	for (i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		for (i = n; i < width; i++)
			put(o, ' ');
}

static void put_num(struct out *o, u64 v, int base, bool neg, bool upper, int width, bool left, char pad,
		    bool alt)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	bool hex_prefix = alt && base == 16 && v != 0;
	char tmp[26];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (alt && base == 8 && tmp[n - 1] != '0')
		tmp[n++] = '0';
	if (hex_prefix) {
		/* zero padding goes between the prefix and the digits */
		if (pad == '0') {
			put(o, '0');
			put(o, upper ? 'X' : 'x');
			width -= 2;
		} else {
			tmp[n++] = upper ? 'X' : 'x';
			tmp[n++] = '0';
		}
	}
	if (neg) {
		if (pad == '0') {
			put(o, '-');
			width--;
		} else {
			tmp[n++] = '-';
		}
	}
	/* reverse into place */
	for (int i = 0; i < n / 2; i++) {
		char t = tmp[i];
		tmp[i] = tmp[n - 1 - i];
		tmp[n - 1 - i] = t;
	}
	put_padded(o, tmp, n, width, left, pad);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, alt = false;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		if (*fmt == 'z')
			fmt++;

		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng >= 2 ? va_arg(ap, s64) : va_arg(ap, int);
			put_num(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, false, width, left, pad, false);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			u64 v = lng >= 2 ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			int base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			put_num(&o, v, base, false, *fmt == 'X', width, left, pad, alt);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (u32)va_arg(ap, void *), 16, false, false, 8, false, '0', false);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = prec >= 0 ? (int)strnlen(s, prec) : (int)strlen(s);
			put_padded(&o, s, n, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
