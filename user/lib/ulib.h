/*
 * ulib.h: the tiny ppsos libc: strings, formatted output to file
 * descriptors, conversions, a brk/mmap malloc and a few helpers.
 * Everything a user program needs; include only this.
 */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "syscall.h"

#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern char **environ;

/* string.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);
size_t strlcpy(char *dst, const char *src, size_t size);
char *strcat(char *dst, const char *src);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
char *strdup(const char *s);
int isdigit(int c);
int isspace(int c);
int isalpha(int c);

/* printf.c: fd-based stdio (there are no FILE streams) */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vfprintf(int fd, const char *fmt, va_list ap);
int fprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *s);            /* s and a newline on stdout */
int fputs(const char *s, int fd);   /* s alone on fd */
int putchar(int c);
ssize_t write_all(int fd, const void *buf, size_t n);

/* stdlib.c */
void exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));
int atoi(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
const char *strerror(int err);      /* short message: "no such file" */
const char *errname(int err);       /* symbolic: "ENOENT" */
char *getenv(const char *name);
unsigned int sleep(unsigned int seconds);
int usleep(unsigned long usec);
/* One line from fd, read byte by byte (so nothing past the newline is
 * consumed). Stores at most n-1 bytes without the newline, NUL-terminated.
 * Returns the length, or -1 at end of file with nothing read. */
int readline(int fd, char *buf, size_t n);
/* Whole small file into buf (NUL-terminated); bytes read, or -errno. */
long read_file(const char *path, char *buf, size_t n);
/* The number after "NAME" + sep at the start of a line of text, or -1:
 * text_field(meminfo, "MemFree", ':'), text_field(vmstat, "pswpout", ' '). */
long text_field(const char *text, const char *name, char sep);

/* malloc.c */
void *malloc(size_t n);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);

#endif
