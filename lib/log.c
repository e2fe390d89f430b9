/*
 * log.c - syslog/stderr logging with identifier tags and rate limits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "log.h"

#define LOG_LINE_MAX 1024

static const char *log_ident = "vpn";
static bool log_stderr = true;
static enum log_level log_level = LOG_LEVEL_INFO;
static log_sink_cb *log_sink;

void
log_init(const char *ident, bool to_stderr, int facility)
{
	log_ident = ident;
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

enum log_level
log_getlevel(void)
{
	return log_level;
}

const char *
log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_WARNING:
		return "warning";
	case LOG_LEVEL_INFO:
		return "info";
	case LOG_LEVEL_DEBUG:
		return "debug";
	}
	return "?";
}

void
log_set_sink(log_sink_cb *sink)
{
	log_sink = sink;
}

static int
log_syslog_prio(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_WARNING:
		return LOG_WARNING;
	case LOG_LEVEL_INFO:
		return LOG_INFO;
	case LOG_LEVEL_DEBUG:
		return LOG_DEBUG;
	}
	return LOG_ERR;
}

/*
 * Format "<tag>: <msg>[: <strerror>]" into one bounded line and emit it.
 * Control characters are replaced so a peer-supplied string cannot forge
 * extra log lines.
 */
static void log_emit(enum log_level, const char *, int, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

static void
log_emit(enum log_level level, const char *tag, int errnum, const char *fmt,
    va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t len = 0;
	int n;

	if (level > log_level)
		return;
	if (tag != NULL) {
		n = snprintf(line, sizeof(line), "%s: ", tag);
		len = n < 0 ? 0 : (size_t)n;
	}
	if (len < sizeof(line)) {
		n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
		if (n > 0)
			len += (size_t)n;
	}
	if (errnum != 0 && len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, ": %s",
		    strerror(errnum));
	for (char *c = line; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';

	if (log_sink != NULL) {
		log_sink(level, line);
		return;
	}
	if (log_stderr) {
		struct timespec ts;
		struct tm tm;
		char stamp[32] = "";

		if (clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
		    localtime_r(&ts.tv_sec, &tm) != NULL)
			strftime(stamp, sizeof(stamp), "%F %T", &tm);
		fprintf(stderr, "%s.%03ld %s[%s]: %s\n", stamp,
		    ts.tv_nsec / 1000000, log_ident, log_level_name(level),
		    line);
	} else
		syslog(log_syslog_prio(level), "%s", line);
}

#define LOG_FN(name, level, tagarg, errflag)				\
	void								\
	name(const char *fmt, ...)					\
	{								\
		va_list ap;						\
		int saved = errno;					\
									\
		va_start(ap, fmt);					\
		log_emit(level, NULL, (errflag) ? saved : 0, fmt, ap);	\
		va_end(ap);						\
		errno = saved;						\
	}

#define LOGT_FN(name, level, errflag)					\
	void								\
	name(const char *tag, const char *fmt, ...)			\
	{								\
		va_list ap;						\
		int saved = errno;					\
									\
		va_start(ap, fmt);					\
		log_emit(level, tag, (errflag) ? saved : 0, fmt, ap);	\
		va_end(ap);						\
		errno = saved;						\
	}

LOG_FN(log_warn, LOG_LEVEL_WARNING, NULL, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARNING, NULL, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, NULL, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, NULL, 0)
LOGT_FN(logt_warn, LOG_LEVEL_WARNING, 1)
LOGT_FN(logt_warnx, LOG_LEVEL_WARNING, 0)
LOGT_FN(logt_info, LOG_LEVEL_INFO, 0)
LOGT_FN(logt_debug, LOG_LEVEL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARNING, "fatal", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARNING, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

bool
log_ratelimit_ok(struct log_ratelimit *rl, unsigned int burst,
    long interval_s, unsigned int *suppressed)
{
	long now = (long)clock_mono_s();

	if (now - rl->window_start >= interval_s) {
		rl->window_start = now;
		rl->count = 0;
	}
	if (rl->count < burst) {
		rl->count++;
		if (suppressed != NULL)
			*suppressed = rl->suppressed;
		rl->suppressed = 0;
		return true;
	}
	rl->suppressed++;
	return false;
}
