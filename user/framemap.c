/* framemap: the live frame map (/proc/framemap).
 *   framemap on      draw it on the VGA screen, redrawn 4 times a second
 *   framemap off     give the screen back to the console
 *   framemap freeze  draw it once and keep it (the text then shows that pass)
 *   framemap text    print it here: a character per frame and the legend
 * Bad arguments: the usage, and exit status 2. */
#include "ulib.h"

#define PROC "/proc/framemap"

static int usage(void)
{
    fprintf(STDERR_FILENO, "usage: framemap on|off|freeze|text\n");
    return 2;
}

static int request(const char *word)
{
    long fd = sys_open(PROC, O_WRONLY, 0), r;
    if (fd < 0) {
        fprintf(STDERR_FILENO, "framemap: %s: %s\n", PROC, strerror(-fd));
        return 1;
    }
    r = sys_write(fd, word, strlen(word));
    sys_close(fd);
    if (r < 0) {
        fprintf(STDERR_FILENO, "framemap: %s %s: %s\n", PROC, word, strerror(-r));
        return 1;
    }
    return 0;
}

static int text(void)
{
    static char buf[4096];
    long fd = sys_open(PROC, O_RDONLY, 0), n;
    if (fd < 0) {
        fprintf(STDERR_FILENO, "framemap: %s: %s\n", PROC, strerror(-fd));
        return 1;
    }
    while ((n = sys_read(fd, buf, sizeof(buf))) > 0)
        sys_write(STDOUT_FILENO, buf, n);
    sys_close(fd);
    if (n < 0) {
        fprintf(STDERR_FILENO, "framemap: %s: %s\n", PROC, strerror(-n));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return usage();
    if (!strcmp(argv[1], "on") || !strcmp(argv[1], "off") || !strcmp(argv[1], "freeze"))
        return request(argv[1]);
    if (!strcmp(argv[1], "text"))
        return text();
    return usage();
}
