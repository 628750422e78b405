/*
 * progress.h: a short progress line from a long-running program, only
 * when a person is watching: stdout is a terminal (isatty(1)).
 *
 *   thrash: progress 41% (61440/150000 accesses), 12 s, 3120 major faults
 *
 * At most one line every PROGRESS_EVERY_MS of CLOCK_MONOTONIC time, never
 * in the first interval (a short run prints none) and never at the end:
 * the program's own result lines say that. Lines start "NAME: progress "
 * so that no parser of the result lines (tests/, scripts/bench_*.py)
 * mistakes one for a result. "major faults" is the growth of /proc/vmstat's
 * pgmajfault since progress_start, for the whole machine; it is left out
 * where there is no such counter.
 *
 * The clock is cheap to ask: progress_tick only counts down, and reads
 * the clock once every `stride` ticks; the stride doubles (up to 1024)
 * while checks come faster than every quarter second and halves when they
 * are a second apart, so a loop of fast ticks pays one system call per
 * thousand, and a slow one (a tick per forked child) is still looked at.
 *
 * One reporter per process (the state is global): a program with several
 * threads ticks from one of them only.
 */
#ifndef USER_PROGRESS_H
#define USER_PROGRESS_H

#include "ulib.h"

#define PROGRESS_EVERY_MS 5000

/* Starts the clock. name prefixes the lines; total (0: unknown, no
 * percentage) is the number of units the run will do; unit names them
 * ("accesses"). Does nothing more unless stdout is a terminal. */
void progress_start(const char *name, uint64_t total, const char *unit);

void progress_check(uint64_t done);     /* the slow path of progress_tick */
extern uint32_t progress_countdown;     /* 0: off */

/* done units so far (monotonic); maybe prints a line. */
static inline void progress_tick(uint64_t done)
{
    if (progress_countdown && !--progress_countdown)
        progress_check(done);
}

#endif
