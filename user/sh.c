/*
 * sh: a small shell. Reads a line at a time (byte by byte, so it works on
 * any stdin, terminal or not), splits it into words and runs /bin/NAME
 * (or NAME itself if it contains a '/') with fork + execve.
 *
 *   words      separated by blanks; '...' and "..." group, '#' at the start
 *              of a word begins a comment; $? is the last foreground status
 *   > FILE     stdout to FILE (created or truncated)
 *   CMD &      run in the background, print [pid]
 *   builtins   help, exit [N], wait
 *
 * Usage: sh (commands from stdin, with a "$ " prompt), sh -c "CMD",
 * sh FILE (commands from FILE).
 */
#include "ulib.h"

#define MAXLINE 1024
#define MAXARGS 64
#define MAXJOBS 64

struct cmd {
    char *argv[MAXARGS + 1];
    int argc;
    char *out;                  /* > FILE, or NULL */
    int bg;                     /* trailing & */
};

static int last_status;         /* $? */
static pid_t jobs[MAXJOBS];     /* background pids not yet reaped */

/* Exit code of a wait status, as bash reports it. */
static int status_code(int st)
{
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static void add_job(pid_t pid)
{
    for (int i = 0; i < MAXJOBS; i++)
        if (!jobs[i]) {
            jobs[i] = pid;
            return;
        }
    /* table full: the job still runs, init reaps it after we exit */
}

/* Reap background jobs: all of them (block) or just the finished ones. */
static void reap_jobs(int block)
{
    for (int i = 0; i < MAXJOBS; i++) {
        if (!jobs[i])
            continue;
        int st;
        pid_t r = waitpid(jobs[i], &st, block ? 0 : WNOHANG);
        if (r == jobs[i])
            printf("[%d] done status %d\n", jobs[i], status_code(st));
        if (r != 0)                 /* done, or gone (ECHILD) */
            jobs[i] = 0;
    }
}

/*
 * Split line into cmd. Words are built in store (which needs room for
 * the expansion of $?). Returns -1 on a syntax error.
 */
static int parse(const char *p, struct cmd *c, char *store, size_t size)
{
    char *end = store + size - 1;
    int want_file = 0;
    memset(c, 0, sizeof(*c));
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p || *p == '#')
            break;
        if (c->bg) {
            fprintf(STDERR_FILENO, "sh: syntax error: '&' must end the line\n");
            return -1;
        }
        if (*p == '&' || *p == '>') {
            if (want_file)
                goto missing_file;
            if (*p++ == '&')
                c->bg = 1;
            else
                want_file = 1;
            continue;
        }
        /* a word: up to an unquoted blank, & or > */
        char *word = store, quote = 0;
        for (; *p; p++) {
            if (quote) {
                if (*p == quote) {
                    quote = 0;
                    continue;
                }
            } else if (*p == '\'' || *p == '"') {
                quote = *p;
                continue;
            } else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '&' ||
                       *p == '>') {
                break;
            }
            if (quote != '\'' && p[0] == '$' && p[1] == '?') {
                store += snprintf(store, end - store, "%d", last_status);
                if (store > end)
                    store = end;
                p++;
                continue;
            }
            if (store < end)
                *store++ = *p;
        }
        if (quote) {
            fprintf(STDERR_FILENO, "sh: syntax error: unterminated %c\n", quote);
            return -1;
        }
        if (store < end)
            *store++ = 0;
        *end = 0;
        if (want_file) {
            c->out = word;
            want_file = 0;
        } else if (c->argc < MAXARGS) {
            c->argv[c->argc++] = word;
        } else {
            fprintf(STDERR_FILENO, "sh: too many arguments\n");
            return -1;
        }
    }
    if (want_file)
        goto missing_file;
    return 0;
missing_file:
    fprintf(STDERR_FILENO, "sh: syntax error: '>' needs a file name\n");
    return -1;
}

/* help: the builtins, then every program in /bin. */
static void help(void)
{
    printf("builtins: help, exit [N], wait\n");
    printf("syntax: CMD ARGS... [> FILE] [&], $? is the last status, # comment\n");
    int fd = open("/bin", O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return;
    printf("programs in /bin:");
    char buf[2048];
    int n, col = 17;
    while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
        for (int off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] == '.')
                continue;
            int len = strlen(d->d_name) + 1;
            if (col + len > 78) {
                printf("\n ");
                col = 1;
            }
            printf(" %s", d->d_name);
            col += len;
        }
    }
    printf("\n");
    close(fd);
}

/* The child side of a command: redirect, then exec. */
static void child(struct cmd *c)
{
    if (c->out) {
        int fd = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            fprintf(STDERR_FILENO, "sh: %s: %s\n", c->out, strerror(errno));
            _exit(1);
        }
        if (fd != STDOUT_FILENO) {
            if (dup2(fd, STDOUT_FILENO) < 0) {
                /* no dup2: open again, it gets the lowest free fd, 1 */
                close(STDOUT_FILENO);
                int fd1 = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd1 != STDOUT_FILENO) {
                    fprintf(STDERR_FILENO, "sh: cannot redirect to %s\n", c->out);
                    _exit(1);
                }
            }
            close(fd);
        }
    }
    char path[256];
    const char *name = c->argv[0];
    if (strchr(name, '/'))
        strlcpy(path, name, sizeof(path));
    else
        snprintf(path, sizeof(path), "/bin/%s", name);
    execve(path, c->argv, environ);
    if (errno == ENOENT) {
        fprintf(STDERR_FILENO, "sh: %s: not found\n", name);
        _exit(127);
    }
    fprintf(STDERR_FILENO, "sh: %s: %s\n", name, strerror(errno));
    _exit(126);
}

/* Run one line; updates last_status. Returns 1 if the shell should exit. */
static int run_line(const char *line)
{
    struct cmd c;
    char store[MAXLINE * 2];
    if (parse(line, &c, store, sizeof(store)) < 0) {
        last_status = 2;
        return 0;
    }
    if (c.argc == 0)
        return 0;
    const char *name = c.argv[0];
    if (!strcmp(name, "exit")) {
        if (c.argc > 1)
            last_status = atoi(c.argv[1]) & 0xff;
        return 1;
    }
    if (!strcmp(name, "wait")) {
        reap_jobs(1);
        last_status = 0;
        return 0;
    }
    if (!strcmp(name, "help")) {
        help();
        last_status = 0;
        return 0;
    }

    pid_t pid = fork();
    if (pid < 0) {
        fprintf(STDERR_FILENO, "sh: fork: %s\n", strerror(errno));
        last_status = 1;
        return 0;
    }
    if (pid == 0)
        child(&c);
    if (c.bg) {
        add_job(pid);
        printf("[%d]\n", pid);
        last_status = 0;
        return 0;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            fprintf(STDERR_FILENO, "sh: waitpid: %s\n", strerror(errno));
            last_status = 1;
            return 0;
        }
    }
    last_status = status_code(st);
    if (WIFSIGNALED(st))
        fprintf(STDERR_FILENO, "sh: %s: killed by signal %d\n", name,
                WTERMSIG(st));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "-c")) {
        run_line(argv[2]);
        return last_status;
    }
    int fd = STDIN_FILENO, prompt = 1;
    if (argc >= 2) {
        fd = open(argv[1], O_RDONLY);
        if (fd < 0) {
            fprintf(STDERR_FILENO, "sh: %s: %s\n", argv[1], strerror(errno));
            return 127;
        }
        prompt = 0;
    }
    char line[MAXLINE];
    for (;;) {
        reap_jobs(0);
        if (prompt)
            fputs("$ ", STDOUT_FILENO);
        if (readline(fd, line, sizeof(line)) < 0)
            break;                  /* end of input */
        if (run_line(line))
            break;
    }
    return last_status;
}
