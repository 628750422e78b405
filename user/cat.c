/* cat: copy each file named (or stdin, or "-") to stdout. */
#include "ulib.h"

static int copy(int fd, const char *name)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0)
            return 0;
        if (n < 0) {
            fprintf(STDERR_FILENO, "cat: %s: %s\n", name, strerror(errno));
            return 1;
        }
        if (write_all(STDOUT_FILENO, buf, n) != n)
            return 1;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return copy(STDIN_FILENO, "stdin");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-")) {
            status |= copy(STDIN_FILENO, "stdin");
            continue;
        }
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            fprintf(STDERR_FILENO, "cat: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        status |= copy(fd, argv[i]);
        close(fd);
    }
    return status;
}
