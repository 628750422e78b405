/* sleep: pause for SECONDS, an integer or a decimal like 0.5. */
#include "ulib.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(STDERR_FILENO, "usage: sleep SECONDS\n");
        return 1;
    }
    char *p;
    struct timespec ts = { (long)strtoul(argv[1], &p, 10), 0 };
    if (*p == '.') {
        /* up to nine fraction digits, scaled to nanoseconds */
        long scale = 100000000;
        for (p++; isdigit(*p); p++, scale /= 10)
            ts.tv_nsec += (*p - '0') * scale;
    }
    if (*p || p == argv[1]) {
        fprintf(STDERR_FILENO, "sleep: invalid time '%s'\n", argv[1]);
        return 1;
    }
    while (nanosleep(&ts, &ts) < 0) {
        if (errno != EINTR) {
            fprintf(STDERR_FILENO, "sleep: %s\n", strerror(errno));
            return 1;
        }
    }
    return 0;
}
