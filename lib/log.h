/*
 * log.h - logging to syslog (daemon mode) or stderr (foreground), with
 * per-object identifier prefixes.
 *
 * Every line about a negotiation or session starts with the identifier tag
 * of its object (built by one helper per object, e.g. "ike#17 192.0.2.5:4500"
 * or "sess 4312:981/77:5"), so that one grep follows a session end to end.
 * The tag functions take that string as first argument; a NULL tag logs a
 * plain line.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * Start logging as `ident`. to_stderr: lines go to stderr (foreground, -d);
 * otherwise to syslog with `facility` (LOG_DAEMON, LOG_LOCAL0, ...).
 * May be called again to switch (e.g. after the config was read).
 */
void log_init(const char *ident, bool to_stderr, int facility);
/* Lines above `level` are dropped. The default is LOG_LEVEL_INFO. */
void log_setlevel(enum log_level level);
enum log_level log_getlevel(void);
/* Name of a level ("warning", "info", "debug"). */
const char *log_level_name(enum log_level level);

/* Plain lines. log_warn appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Tagged lines: "<tag>: <message>". tag may be NULL. */
void logt_warn(const char *tag, const char *fmt, ...) LOG_PRINTF(2, 3);
void logt_warnx(const char *tag, const char *fmt, ...) LOG_PRINTF(2, 3);
void logt_info(const char *tag, const char *fmt, ...) LOG_PRINTF(2, 3);
void logt_debug(const char *tag, const char *fmt, ...) LOG_PRINTF(2, 3);

/*
 * Only before the event loop runs (bad config, missing kernel feature) or on
 * a broken internal invariant: log and exit(1). Nothing a peer sends may
 * lead here. fatal appends strerror(errno).
 */
void fatal(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

/*
 * Rate limit for per-packet complaints (malformed input): returns true if a
 * line may be logged now. At most `burst` lines per `interval_s` seconds per
 * limiter; the number suppressed is reported with the next allowed line by
 * the caller via *suppressed (reset on read). Zero-initialise the struct.
 */
struct log_ratelimit {
	long window_start;	/* monotonic seconds */
	unsigned int count;
	unsigned int suppressed;
};
bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned int burst,
    long interval_s, unsigned int *suppressed);

/*
 * Test hook: when set, every formatted line is passed to `sink` (level,
 * full line without newline) instead of syslog/stderr. NULL restores.
 */
typedef void log_sink_cb(enum log_level, const char *line);
void log_set_sink(log_sink_cb *sink);

#endif
