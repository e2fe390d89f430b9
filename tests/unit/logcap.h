/*
 * logcap.h - the unit tests' capture of lib/log output, through
 * log_set_sink(): lines counted per level and in total, the last line and
 * its level, the first LOGCAP_LINES lines kept with their levels, and a
 * search for the first kept line that holds some words.
 *
 * Header-only (static inline, one capture per test binary), so a test
 * needs no Makefile rule for it. A test that must keep more lines defines
 * LOGCAP_LINES before including this file. Lines are kept whole: lib/log
 * never hands the sink more than LOGCAP_LINE_MAX - 1 characters.
 *
 *	logcap_start(LOG_LEVEL_DEBUG);		(setup)
 *	...code under test...
 *	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), 0);
 *	assert_true(logcap_find("refused", "reqid", NULL) >= 0);
 *	logcap_stop();				(teardown)
 *
 * logcap_setup_debug/logcap_setup_info and logcap_teardown are those two
 * calls as cmocka fixtures.
 */
#ifndef TESTS_UNIT_LOGCAP_H
#define TESTS_UNIT_LOGCAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"

#ifndef LOGCAP_LINES
#define LOGCAP_LINES	64
#endif
/* lib/log's own line limit (LOG_LINE_MAX in lib/log.c), NUL included. */
#define LOGCAP_LINE_MAX	1024
#define LOGCAP_NLEVELS	(LOG_LEVEL_DEBUG + 1)

struct logcap {
	size_t total;			/* lines since start/reset */
	size_t count[LOGCAP_NLEVELS];	/* the same, per level */
	char last[LOGCAP_LINE_MAX];	/* "" before the first line */
	enum log_level last_level;
	char line[LOGCAP_LINES][LOGCAP_LINE_MAX];	/* the first lines */
	enum log_level level[LOGCAP_LINES];
	enum log_level saved_level;	/* log_getlevel() at start */
};

static struct logcap logcap_st;

static inline void
logcap_sink(enum log_level lvl, const char *text)
{
	struct logcap *c = &logcap_st;

	if ((unsigned int)lvl < LOGCAP_NLEVELS)
		c->count[lvl]++;
	snprintf(c->last, sizeof(c->last), "%s", text);
	c->last_level = lvl;
	if (c->total < LOGCAP_LINES) {
		snprintf(c->line[c->total], sizeof(c->line[0]), "%s", text);
		c->level[c->total] = lvl;
	}
	c->total++;
}

/* Forget every line captured so far; the capture goes on. */
static inline void
logcap_reset(void)
{
	struct logcap *c = &logcap_st;

	c->total = 0;
	memset(c->count, 0, sizeof(c->count));
	c->last[0] = '\0';
	c->last_level = LOG_LEVEL_WARNING;
}

/*
 * Capture every line at `lvl` and below (log_setlevel) from now on, instead
 * of syslog/stderr, starting from nothing.
 */
static inline void
logcap_start(enum log_level lvl)
{
	logcap_st.saved_level = log_getlevel();
	logcap_reset();
	log_setlevel(lvl);
	log_set_sink(logcap_sink);
}

/* Stop capturing and put back the level logcap_start() found. */
static inline void
logcap_stop(void)
{
	log_set_sink(NULL);
	log_setlevel(logcap_st.saved_level);
}

/* cmocka setup/teardown for the tests that need nothing but the capture. */
static inline int
logcap_setup_debug(void **state)
{
	(void)state;
	logcap_start(LOG_LEVEL_DEBUG);
	return 0;
}

static inline int
logcap_setup_info(void **state)
{
	(void)state;
	logcap_start(LOG_LEVEL_INFO);
	return 0;
}

static inline int
logcap_teardown(void **state)
{
	(void)state;
	logcap_stop();
	return 0;
}

/* Lines captured at `lvl`. */
static inline size_t
logcap_count(enum log_level lvl)
{
	return (unsigned int)lvl < LOGCAP_NLEVELS ? logcap_st.count[lvl] : 0;
}

/* Lines captured at any level (kept or not). */
static inline size_t
logcap_total(void)
{
	return logcap_st.total;
}

/* The last line captured, "" if none; valid until the next line. */
static inline const char *
logcap_last(void)
{
	return logcap_st.last;
}

static inline enum log_level
logcap_last_level(void)
{
	return logcap_st.last_level;
}

/* How many of the first lines are kept: min(total, LOGCAP_LINES). */
static inline size_t
logcap_kept(void)
{
	return logcap_st.total < LOGCAP_LINES ? logcap_st.total : LOGCAP_LINES;
}

/* Kept line i (0 = first since start/reset), or NULL past logcap_kept(). */
static inline const char *
logcap_line(size_t i)
{
	return i < logcap_kept() ? logcap_st.line[i] : NULL;
}

/* Level of kept line i; LOG_LEVEL_DEBUG past logcap_kept(). */
static inline enum log_level
logcap_level(size_t i)
{
	return i < logcap_kept() ? logcap_st.level[i] : LOG_LEVEL_DEBUG;
}

/*
 * Index of the first kept line holding every word of the NULL-terminated
 * list (the first word is required), or -1.
 */
static inline int __attribute__((sentinel))
logcap_find(const char *word, ...)
{
	const char *w;
	va_list ap;
	size_t i;
	bool all;

	for (i = 0; i < logcap_kept(); i++) {
		if (strstr(logcap_st.line[i], word) == NULL)
			continue;
		all = true;
		va_start(ap, word);
		while (all && (w = va_arg(ap, const char *)) != NULL)
			if (strstr(logcap_st.line[i], w) == NULL)
				all = false;
		va_end(ap);
		if (all)
			return (int)i;
	}
	return -1;
}

#endif
