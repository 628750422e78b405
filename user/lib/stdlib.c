/*
 * stdlib.c: program start and exit, number conversions, error strings,
 * the environment, sleeping, and line/file reading helpers.
 */
#include "ulib.h"

char **environ;

int main(int argc, char **argv, char **envp);

/* Called by _start (crt0.S) with the initial stack's argc/argv/envp. */
void __libc_start(int argc, char **argv, char **envp)
{
    environ = envp;
    exit(main(argc, argv, envp));
}

/* No stdio buffers to flush and no atexit: exit is _exit. */
void exit(int status)
{
    _exit(status);
}

void abort(void)
{
    sys_kill(sys_getpid(), SIGABRT);
    _exit(128 + SIGABRT);
}

/* ---- numbers ---- */
static int digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 32) >= 'a' && (c | 32) <= 'z')
        return (c | 32) - 'a' + 10;
    return 99;
}

/* base 0 means: 0x.. hex, 0.. octal, else decimal (as in C). */
unsigned long strtoul(const char *s, char **end, int base)
{
    const char *p = s;
    while (isspace(*p))
        p++;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' &&
        digit_val(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = *p == '0' ? 8 : 10;
    }
    unsigned long v = 0;
    const char *start = p;
    for (; digit_val(*p) < base; p++)
        v = v * base + digit_val(*p);
    if (end)
        *end = (char *)(p == start ? s : p);
    return neg ? -v : v;
}

long strtol(const char *s, char **end, int base)
{
    return (long)strtoul(s, end, base);
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

/* ---- errors ---- */
static const struct {
    int err;
    const char *name, *msg;
} errors[] = {
    { EPERM, "EPERM", "operation not permitted" },
    { ENOENT, "ENOENT", "no such file or directory" },
    { ESRCH, "ESRCH", "no such process" },
    { EINTR, "EINTR", "interrupted" },
    { EIO, "EIO", "I/O error" },
    { ENXIO, "ENXIO", "no such device or address" },
    { E2BIG, "E2BIG", "argument list too long" },
    { ENOEXEC, "ENOEXEC", "exec format error" },
    { EBADF, "EBADF", "bad file descriptor" },
    { ECHILD, "ECHILD", "no child processes" },
    { EAGAIN, "EAGAIN", "try again" },
    { ENOMEM, "ENOMEM", "out of memory" },
    { EACCES, "EACCES", "permission denied" },
    { EFAULT, "EFAULT", "bad address" },
    { EBUSY, "EBUSY", "device busy" },
    { EEXIST, "EEXIST", "file exists" },
    { ENODEV, "ENODEV", "no such device" },
    { ENOTDIR, "ENOTDIR", "not a directory" },
    { EISDIR, "EISDIR", "is a directory" },
    { EINVAL, "EINVAL", "invalid argument" },
    { ENFILE, "ENFILE", "file table overflow" },
    { EMFILE, "EMFILE", "too many open files" },
    { ENOTTY, "ENOTTY", "not a terminal" },
    { EFBIG, "EFBIG", "file too large" },
    { ENOSPC, "ENOSPC", "no space left" },
    { ESPIPE, "ESPIPE", "illegal seek" },
    { EROFS, "EROFS", "read-only file system" },
    { EPIPE, "EPIPE", "broken pipe" },
    { ERANGE, "ERANGE", "result out of range" },
    { ENAMETOOLONG, "ENAMETOOLONG", "name too long" },
    { ENOSYS, "ENOSYS", "function not implemented" },
    { ENOTEMPTY, "ENOTEMPTY", "directory not empty" },
    { ELOOP, "ELOOP", "too many symlinks" },
    { EOPNOTSUPP, "EOPNOTSUPP", "operation not supported" },
};

const char *strerror(int err)
{
    for (size_t i = 0; i < ARRAY_SIZE(errors); i++)
        if (errors[i].err == err)
            return errors[i].msg;
    return "unknown error";
}

const char *errname(int err)
{
    static char buf[16];            /* only for unnamed values */
    if (err == 0)
        return "0";
    for (size_t i = 0; i < ARRAY_SIZE(errors); i++)
        if (errors[i].err == err)
            return errors[i].name;
    snprintf(buf, sizeof(buf), "E%d", err);
    return buf;
}

/* ---- environment ---- */
char *getenv(const char *name)
{
    size_t n = strlen(name);
    for (char **e = environ; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

/* ---- time ---- */
unsigned int sleep(unsigned int seconds)
{
    struct timespec ts = { (long)seconds, 0 }, rem = { 0, 0 };
    if (nanosleep(&ts, &rem) < 0)
        return rem.tv_sec;
    return 0;
}

int usleep(unsigned long usec)
{
    struct timespec ts = { (long)(usec / 1000000), (long)(usec % 1000000) * 1000 };
    return nanosleep(&ts, NULL);
}

/* ---- reading ---- */
int readline(int fd, char *buf, size_t n)
{
    size_t len = 0;
    int got = 0;
    char c;
    while (read(fd, &c, 1) == 1) {
        got = 1;
        if (c == '\n')
            break;
        if (len + 1 < n)
            buf[len++] = c;
    }
    if (n)
        buf[len] = 0;
    return got ? (int)len : -1;
}

long read_file(const char *path, char *buf, size_t n)
{
    long fd = sys_open(path, O_RDONLY, 0);
    if (fd < 0)
        return fd;
    size_t len = 0;
    while (len + 1 < n) {
        long r = sys_read(fd, buf + len, n - 1 - len);
        if (r < 0) {
            sys_close(fd);
            return r;
        }
        if (r == 0)
            break;
        len += r;
    }
    buf[len] = 0;
    sys_close(fd);
    return len;
}

long text_field(const char *text, const char *name, char sep)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (!strncmp(p, name, n) && p[n] == sep)
            return strtol(p + n + 1, NULL, 10);
    return -1;
}
