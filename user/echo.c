/* echo: print the arguments separated by spaces; -n: no final newline. */
#include "ulib.h"

int main(int argc, char **argv)
{
    int i = 1, newline = 1;
    if (i < argc && !strcmp(argv[i], "-n")) {
        newline = 0;
        i++;
    }
    /* Build the line first so it goes out in one write. */
    size_t len = 2;
    for (int j = i; j < argc; j++)
        len += strlen(argv[j]) + 1;
    char *line = malloc(len);
    if (!line)
        return 1;
    line[0] = 0;
    for (int j = i; j < argc; j++) {
        if (j > i)
            strcat(line, " ");
        strcat(line, argv[j]);
    }
    if (newline)
        strcat(line, "\n");
    if (write_all(STDOUT_FILENO, line, strlen(line)) < 0) {
        /* as GNU echo says it: `echo x > /proc/PID/reclaim` must not
         * fail silently */
        fprintf(STDERR_FILENO, "echo: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
