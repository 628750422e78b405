/* kill: send a signal (default SIGTERM) to processes:
 * kill [-9|-15|-KILL|-TERM|-SIGNAME|-N] PID... */
#include "ulib.h"

static const struct {
    const char *name;
    int sig;
} names[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
    { "ILL", SIGILL }, { "ABRT", SIGABRT }, { "FPE", SIGFPE },
    { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
    { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
    { "TERM", SIGTERM }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
    { "STOP", SIGSTOP },
};

static int parse_sig(const char *s)
{
    char *end;
    if (isdigit(*s)) {
        long n = strtol(s, &end, 10);
        return *end || n >= NSIG ? -1 : (int)n;
    }
    if (!strncmp(s, "SIG", 3))
        s += 3;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (!strcmp(s, names[i].name))
            return names[i].sig;
    return -1;
}

int main(int argc, char **argv)
{
    int sig = SIGTERM, i = 1;
    if (i < argc && argv[i][0] == '-') {
        sig = parse_sig(argv[i] + 1);
        if (sig < 0) {
            fprintf(STDERR_FILENO, "kill: unknown signal %s\n", argv[i]);
            return 1;
        }
        i++;
    }
    if (i >= argc) {
        fprintf(STDERR_FILENO, "usage: kill [-SIGNAL] PID...\n");
        return 1;
    }
    int status = 0;
    for (; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (*end || end == argv[i]) {
            fprintf(STDERR_FILENO, "kill: bad pid '%s'\n", argv[i]);
            status = 1;
        } else if (kill(pid, sig) < 0) {
            fprintf(STDERR_FILENO, "kill: (%ld): %s\n", pid, strerror(errno));
            status = 1;
        }
    }
    return status;
}
