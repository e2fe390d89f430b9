/*
 * clock.c - monotonic time source, mockable for tests.
 */
#include <time.h>

#include "clock.h"
#include "log.h"

static clock_fn_cb *clock_mock;

static uint64_t
clock_real_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
clock_mono_ms(void)
{
	if (clock_mock != NULL)
		return clock_mock();
	return clock_real_ms();
}

uint64_t
clock_mono_s(void)
{
	return clock_mono_ms() / 1000;
}

void
clock_set_mock(clock_fn_cb *fn)
{
	clock_mock = fn;
}
