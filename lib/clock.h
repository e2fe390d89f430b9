/*
 * clock.h - the one monotonic clock of every process. Timers, lifetimes and
 * rate limits read time only through here, so tests can drive time by hand.
 */
#ifndef LIB_CLOCK_H
#define LIB_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC (or of the mock clock when one is set). */
uint64_t clock_mono_ms(void);
/* Whole seconds of clock_mono_ms(). */
uint64_t clock_mono_s(void);

/*
 * Tests: replace the clock by `fn` (NULL restores CLOCK_MONOTONIC).
 */
typedef uint64_t clock_fn_cb(void);
void clock_set_mock(clock_fn_cb *fn);

#endif
