/*
 * init: process 1. Gives itself a console on fds 0-2, starts /bin/sh,
 * reaps every child (orphans are reparented to it) and starts a new shell
 * whenever the shell exits.
 */
#include "ulib.h"

static char *default_env[] = { "PATH=/bin", "HOME=/", "TERM=dumb", NULL };

static pid_t start_shell(char **envp)
{
    char *argv[] = { "sh", NULL };
    pid_t pid = fork();
    if (pid == 0) {
        execve("/bin/sh", argv, envp);
        fprintf(STDERR_FILENO, "init: exec /bin/sh: %s\n", strerror(errno));
        _exit(127);
    }
    if (pid < 0)
        fprintf(STDERR_FILENO, "init: fork: %s\n", strerror(errno));
    return pid;
}

static long now_ms(void)
{
    struct timespec ts = { 0, 0 };
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    /* Give fds 0, 1, 2 a console where they have none (dup fails only on
     * a closed fd); open() takes the lowest free fd, which is that one. */
    for (int fd = 0; fd < 3; fd++) {
        int d = dup(fd);
        if (d >= 0)
            close(d);
        else
            open("/dev/console", O_RDWR);
    }
    if (!envp || !envp[0])
        envp = default_env;

    printf("init: starting sh\n");
    pid_t sh = start_shell(envp);
    long started = now_ms();
    for (;;) {
        if (sh < 0) {                   /* fork failed: try again later */
            sleep(1);
            sh = start_shell(envp);
            started = now_ms();
            continue;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == sh) {
            int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                           : WEXITSTATUS(status);
            printf("init: sh exited with status %d, restarting\n", code);
            /* A shell that dies at once would make us spin: slow down. */
            if (now_ms() - started < 1000)
                sleep(1);
            sh = start_shell(envp);
            started = now_ms();
        } else if (pid < 0 && errno != EINTR) {
            fprintf(STDERR_FILENO, "init: waitpid: %s\n", strerror(errno));
            sleep(1);
        }
        /* any other pid: an orphan reaped, nothing more to do */
    }
}
