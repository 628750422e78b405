/*
 * printf.c: formatted output. One formatter (fmt_core) writes through a
 * small sink that either fills a caller's buffer (snprintf) or flushes to a
 * file descriptor (fprintf), so output of any length works without malloc.
 *
 * Supported: %d %i %u %x %X %o %s %c %p %%, the l / ll / z length
 * modifiers, a width (or *), the '-', '0' and '+' flags and a precision for
 * %s.
 */
#include "ulib.h"

struct sink {
    char *buf;          /* snprintf: caller's buffer; fd mode: local chunk */
    size_t cap;         /* bytes buf can hold (including the NUL for snprintf) */
    size_t len;         /* bytes currently in buf */
    size_t total;       /* bytes produced so far (the return value) */
    int fd;             /* -1: string mode */
    int err;
};

ssize_t write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, p + done, n - done);
        if (r <= 0)
            return done ? (ssize_t)done : r;
        done += r;
    }
    return done;
}

static void flush(struct sink *s)
{
    if (s->fd >= 0 && s->len) {
        if (write_all(s->fd, s->buf, s->len) < 0)
            s->err = 1;
        s->len = 0;
    }
}

static void put(struct sink *s, char c)
{
    s->total++;
    if (s->fd >= 0) {
        if (s->len == s->cap)
            flush(s);
        s->buf[s->len++] = c;
    } else if (s->len + 1 < s->cap) {
        s->buf[s->len++] = c;
    }
}

static void pad(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

/* A number in base 2..16, with width/flags applied; sign is 0, '-' or '+'. */
static void put_num(struct sink *s, unsigned long long v, char sign, int base,
                    int upper, int width, int left, int zero)
{
    int signed_ = sign != 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    int len = n + signed_;
    if (left) {
        if (signed_)
            put(s, sign);
        while (n)
            put(s, tmp[--n]);
        pad(s, ' ', width - len);
    } else if (zero) {
        if (signed_)
            put(s, sign);
        pad(s, '0', width - len);
        while (n)
            put(s, tmp[--n]);
    } else {
        pad(s, ' ', width - len);
        if (signed_)
            put(s, sign);
        while (n)
            put(s, tmp[--n]);
    }
}

static void fmt_core(struct sink *s, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(s, *fmt);
            continue;
        }
        fmt++;
        int left = 0, zero = 0, plus = 0, width = 0, prec = -1, lng = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                zero = 1;
            else if (*fmt == '+')
                plus = 1;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0)
                left = 1, width = -width;
            fmt++;
        }
        while (isdigit(*fmt))
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            }
            while (isdigit(*fmt))
                prec = prec * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z') {
            if (*fmt == 'l')
                lng++;
            fmt++;
        }

        unsigned long long u;
        switch (*fmt) {
        case 'd':
        case 'i': {
            long long v = lng >= 2 ? va_arg(ap, long long)
                                   : (long long)va_arg(ap, long);
            u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
            put_num(s, u, v < 0 ? '-' : plus ? '+' : 0, 10, 0, width, left, zero);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            u = lng >= 2 ? va_arg(ap, unsigned long long)
                         : (unsigned long long)va_arg(ap, unsigned long);
            put_num(s, u, 0, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
                    *fmt == 'X', width, left, zero);
            break;
        case 'p':
            put(s, '0');
            put(s, 'x');
            put_num(s, (uintptr_t)va_arg(ap, void *), 0, 16, 0,
                    width > 2 ? width - 2 : 0, left, 1);
            break;
        case 'c':
            if (!left)
                pad(s, ' ', width - 1);
            put(s, (char)va_arg(ap, int));
            if (left)
                pad(s, ' ', width - 1);
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int n = prec >= 0 ? (int)strnlen(str, prec) : (int)strlen(str);
            if (!left)
                pad(s, ' ', width - n);
            for (int i = 0; i < n; i++)
                put(s, str[i]);
            if (left)
                pad(s, ' ', width - n);
            break;
        }
        case '%':
            put(s, '%');
            break;
        case 0:
            return;
        default:                    /* unknown: print it as written */
            put(s, '%');
            put(s, *fmt);
        }
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { .buf = buf, .cap = size, .fd = -1 };
    fmt_core(&s, fmt, ap);
    if (size)
        buf[s.len] = 0;
    return s.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* Output in chunks of 256 bytes: a short printf is a single write(), so
 * lines from concurrent processes rarely interleave mid-line. */
int vfprintf(int fd, const char *fmt, va_list ap)
{
    char chunk[256];
    struct sink s = { .buf = chunk, .cap = sizeof(chunk), .fd = fd };
    fmt_core(&s, fmt, ap);
    flush(&s);
    return s.err ? -1 : (int)s.total;
}

int fprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(STDOUT_FILENO, fmt, ap);
    va_end(ap);
    return n;
}

int fputs(const char *s, int fd)
{
    return write_all(fd, s, strlen(s)) < 0 ? -1 : 0;
}

int puts(const char *s)
{
    return printf("%s\n", s) < 0 ? -1 : 0;
}

int putchar(int c)
{
    char ch = (char)c;
    return write(STDOUT_FILENO, &ch, 1) == 1 ? (unsigned char)c : -1;
}
