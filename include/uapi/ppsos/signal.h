/*
 * uapi/ppsos/signal.h: signal numbers, shared by the kernel and user/lib.
 * They are Linux's i386 ABI (arch/x86/include/uapi/asm/signal.h).
 */
#ifndef UAPI_PPSOS_SIGNAL_H
#define UAPI_PPSOS_SIGNAL_H

#define SIGHUP       1
#define SIGINT       2
#define SIGQUIT      3
#define SIGILL       4
#define SIGTRAP      5
#define SIGABRT      6
#define SIGBUS       7
#define SIGFPE       8
#define SIGKILL      9
#define SIGUSR1     10
#define SIGSEGV     11
#define SIGUSR2     12
#define SIGPIPE     13
#define SIGALRM     14
#define SIGTERM     15
#define SIGSTKFLT   16
#define SIGCHLD     17
#define SIGCONT     18
#define SIGSTOP     19
#define SIGTSTP     20
#define SIGTTIN     21
#define SIGTTOU     22
#define SIGURG      23
#define SIGXCPU     24
#define SIGXFSZ     25
#define SIGVTALRM   26
#define SIGPROF     27
#define SIGWINCH    28
#define SIGIO       29
#define SIGPWR      30
#define SIGSYS      31

/* Real-time signals are SIGRTMIN..SIGRTMAX; _NSIG is the highest signal. */
#define _NSIG       64
#define SIGRTMIN    32
#define SIGRTMAX    _NSIG

#endif
