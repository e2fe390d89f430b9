/*
 * probe_check.h - the pass/fail reporter of the lab probes
 * (tests/e2e/xfrm_probe.c, tests/e2e/kdp_probe.c): one line per check,
 * "ok   NAME[: detail]" or "FAIL NAME[: detail]", counted in probe_passed
 * and probe_failed for the closing "probe: N passed, M failed" line.
 * Header only: each probe is a single translation unit.
 */
#ifndef TESTS_E2E_PROBE_CHECK_H
#define TESTS_E2E_PROBE_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int probe_failed, probe_passed;

static void check(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		probe_passed++;
		printf("ok   %s", name);
	} else {
		probe_failed++;
		printf("FAIL %s", name);
	}
	if (fmt != NULL && fmt[0] != '\0') {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
}

#endif
