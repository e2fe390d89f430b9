/*
 * sesslog.c - per-session records as key=value log lines and JSON lines.
 * See sesslog.h for the formats and the file policy.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "sesslog.h"

/* Longest line: all fields with a 64-byte user and a 256-byte cause. */
#define SESSLOG_LINE_MAX	4096
#define SESSLOG_FILE_MODE	0640
#define SESSLOG_CAUSE_LOG_MAX	64

struct sesslog_out {
	char			*path;
	int			 fd;
	struct log_ratelimit	 rl;
};

static sesslog_wall_cb *sesslog_wall;

void
sesslog_set_wall_clock(sesslog_wall_cb *fn)
{
	sesslog_wall = fn;
}

const char *
sesslog_event_name(enum sesslog_event ev)
{
	switch (ev) {
	case SESSLOG_START:
		return "start";
	case SESSLOG_AUTH_OK:
		return "auth-ok";
	case SESSLOG_AUTH_FAIL:
		return "auth-fail";
	case SESSLOG_IP_UP:
		return "ip-up";
	case SESSLOG_COUNTERS:
		return "counters";
	case SESSLOG_END:
		return "end";
	}
	return "?";
}

const char *
sesslog_client_name(enum sesslog_client c)
{
	switch (c) {
	case SESSLOG_CLIENT_UNKNOWN:
		return "unknown";
	case SESSLOG_CLIENT_WINDOWS:
		return "windows";
	case SESSLOG_CLIENT_APPLE:
		return "apple";
	case SESSLOG_CLIENT_ANDROID:
		return "android";
	case SESSLOG_CLIENT_OTHER:
		return "other";
	}
	return "?";
}

void
sesslog_init(struct sesslog *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->peer.ss_family = AF_UNSPEC;
}

void
sesslog_set_user(struct sesslog *rec, const void *name, size_t len)
{
	if (len > sizeof(rec->user))
		len = sizeof(rec->user);
	if (len > 0)
		memcpy(rec->user, name, len);
	rec->user_len = len;
	rec->has_user = true;
}

/* Text writer on a wbuf that keeps room for the final NUL. */
static void
put_str(struct wbuf *w, const char *s)
{
	wbuf_put_bytes(w, s, strlen(s));
}

static void put_fmt(struct wbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
put_fmt(struct wbuf *w, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		w->overflow = true;
		return;
	}
	wbuf_put_bytes(w, tmp, (size_t)n);
}

static size_t
finish(struct wbuf *w, char *buf, size_t cap)
{
	if (!wbuf_ok(w)) {
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	buf[w->len] = '\0';
	return w->len;
}

/*
 * Length of the valid UTF-8 sequence at s[0..len), 0 if invalid
 * (RFC 3629 4: no overlongs, no surrogates, nothing above U+10FFFF).
 */
static size_t
utf8_seq(const uint8_t *s, size_t len)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* RFC 8259 7: the inside of a JSON string. */
static void
put_json_escaped(struct wbuf *w, const uint8_t *s, size_t len)
{
	size_t i = 0, n;
	uint8_t c;

	while (i < len) {
		c = s[i];
		switch (c) {
		case '"':
			put_str(w, "\\\"");
			break;
		case '\\':
			put_str(w, "\\\\");
			break;
		case '\b':
			put_str(w, "\\b");
			break;
		case '\f':
			put_str(w, "\\f");
			break;
		case '\n':
			put_str(w, "\\n");
			break;
		case '\r':
			put_str(w, "\\r");
			break;
		case '\t':
			put_str(w, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				put_fmt(w, "\\u%04x", c);
				break;
			}
			if ((n = utf8_seq(s + i, len - i)) == 0) {
				put_str(w, "\\ufffd");
				break;
			}
			wbuf_put_bytes(w, s + i, n);
			i += n;
			continue;
		}
		i++;
	}
}

size_t
sesslog_json_escape(char *buf, size_t cap, const void *s, size_t len)
{
	struct wbuf w;

	if (cap == 0)
		return 0;
	wbuf_init(&w, buf, cap - 1);
	put_json_escaped(&w, s, len);
	return finish(&w, buf, cap);
}

/* A log value: no spaces, quotes, backslashes, '=' or non-ASCII. */
static void
put_kv_value(struct wbuf *w, const uint8_t *s, size_t len)
{
	size_t i;

	if (len == 0) {
		put_str(w, "\"\"");
		return;
	}
	if (len == 1 && s[0] == '-') {
		put_str(w, "\\x2d");
		return;
	}
	for (i = 0; i < len; i++) {
		if (s[i] > ' ' && s[i] < 0x7f && s[i] != '\\' &&
		    s[i] != '"' && s[i] != '=')
			wbuf_put_u8(w, s[i]);
		else
			put_fmt(w, "\\x%02x", s[i]);
	}
}

static size_t
cause_len(const char *cause)
{
	return strnlen(cause, SESSLOG_CAUSE_MAX);
}

/*
 * In the log line the cause is cut at SESSLOG_CAUSE_LOG_MAX bytes (then
 * "..." follows) so the whole line, escaped, stays within lib/log.c's
 * 1024-byte lines; the JSON line has it up to SESSLOG_CAUSE_MAX.
 */
static void
put_kv_cause(struct wbuf *w, const char *cause)
{
	size_t len = strnlen(cause, SESSLOG_CAUSE_LOG_MAX + 1);

	if (len <= SESSLOG_CAUSE_LOG_MAX) {
		put_kv_value(w, (const uint8_t *)cause, len);
		return;
	}
	put_kv_value(w, (const uint8_t *)cause, SESSLOG_CAUSE_LOG_MAX);
	put_str(w, "...");
}

void
sesslog_format_tag(char *buf, size_t cap, const struct sesslog *rec)
{
	snprintf(buf, cap, "sess %u:%u/%u:%u", rec->local_tunnel,
	    rec->local_session, rec->remote_tunnel, rec->remote_session);
}

/* Peer address without port; false if unknown. */
static bool
peer_addr(const struct sesslog *rec, char *buf, size_t cap, uint16_t *port)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	switch (rec->peer.ss_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)&rec->peer;
		*port = ntohs(sin->sin_port);
		return inet_ntop(AF_INET, &sin->sin_addr, buf,
		    (socklen_t)cap) != NULL;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)&rec->peer;
		*port = ntohs(sin6->sin6_port);
		return inet_ntop(AF_INET6, &sin6->sin6_addr, buf,
		    (socklen_t)cap) != NULL;
	default:
		return false;
	}
}

static void
put_hex(struct wbuf *w, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_fmt(w, "%02x", p[i]);
}

static bool
has_duration(enum sesslog_event ev)
{
	return ev == SESSLOG_COUNTERS || ev == SESSLOG_END;
}

static bool
has_cause(enum sesslog_event ev, const char *cause)
{
	return cause != NULL && (ev == SESSLOG_AUTH_FAIL || ev == SESSLOG_END);
}

static uint64_t
duration_ms(const struct sesslog *rec, uint64_t now_ms)
{
	return now_ms > rec->start_ms ? now_ms - rec->start_ms : 0;
}

size_t
sesslog_format_line(char *buf, size_t cap, const struct sesslog *rec,
    enum sesslog_event ev, const char *cause, uint64_t now_ms)
{
	struct wbuf w;
	char a[INET6_ADDRSTRLEN];
	uint16_t port;
	uint64_t d;

	if (cap == 0)
		return 0;
	wbuf_init(&w, buf, cap - 1);
	put_fmt(&w, "event=%s peer=", sesslog_event_name(ev));
	if (!peer_addr(rec, a, sizeof(a), &port))
		put_str(&w, "-");
	else if (rec->peer.ss_family == AF_INET6)
		put_fmt(&w, "[%s]:%u", a, port);
	else
		put_fmt(&w, "%s:%u", a, port);
	put_fmt(&w, " nat=%s ike=", rec->nat ? "yes" : "no");
	if (rec->has_cookies) {
		put_hex(&w, rec->icookie, sizeof(rec->icookie));
		put_str(&w, ":");
		put_hex(&w, rec->rcookie, sizeof(rec->rcookie));
	} else
		put_str(&w, "-");
	if (rec->spi_in != 0)
		put_fmt(&w, " spi_in=0x%08x", rec->spi_in);
	else
		put_str(&w, " spi_in=-");
	if (rec->spi_out != 0)
		put_fmt(&w, " spi_out=0x%08x", rec->spi_out);
	else
		put_str(&w, " spi_out=-");
	put_fmt(&w, " client=%s tunnel=%u/%u session=%u/%u",
	    sesslog_client_name(rec->client), rec->local_tunnel,
	    rec->remote_tunnel, rec->local_session, rec->remote_session);
	if (rec->pppd_pid > 0)
		put_fmt(&w, " pppd=%ld", (long)rec->pppd_pid);
	else
		put_str(&w, " pppd=-");
	put_str(&w, " if=");
	if (rec->ifname[0] != '\0')
		put_kv_value(&w, (const uint8_t *)rec->ifname,
		    strnlen(rec->ifname, sizeof(rec->ifname)));
	else
		put_str(&w, "-");
	put_str(&w, " user=");
	if (rec->has_user)
		put_kv_value(&w, rec->user, rec->user_len);
	else
		put_str(&w, "-");
	put_str(&w, " addr=");
	if (rec->has_addr && inet_ntop(AF_INET, &rec->addr, a,
	    sizeof(a)) != NULL)
		put_str(&w, a);
	else
		put_str(&w, "-");
	if (has_duration(ev)) {
		d = duration_ms(rec, now_ms);
		put_fmt(&w, " duration=%llu.%03llu bytes_in=%llu "
		    "bytes_out=%llu pkts_in=%llu pkts_out=%llu",
		    (unsigned long long)(d / 1000),
		    (unsigned long long)(d % 1000),
		    (unsigned long long)rec->ctr.bytes_in,
		    (unsigned long long)rec->ctr.bytes_out,
		    (unsigned long long)rec->ctr.pkts_in,
		    (unsigned long long)rec->ctr.pkts_out);
	}
	if (has_cause(ev, cause)) {
		put_str(&w, " cause=");
		put_kv_cause(&w, cause);
	}
	return finish(&w, buf, cap);
}

static void
put_json_str(struct wbuf *w, const char *key, const void *s, size_t len)
{
	put_fmt(w, ",\"%s\":\"", key);
	put_json_escaped(w, s, len);
	put_str(w, "\"");
}

static void
put_json_null(struct wbuf *w, const char *key)
{
	put_fmt(w, ",\"%s\":null", key);
}

static void
put_json_u64(struct wbuf *w, const char *key, uint64_t v, bool known)
{
	if (known)
		put_fmt(w, ",\"%s\":%llu", key, (unsigned long long)v);
	else
		put_json_null(w, key);
}

size_t
sesslog_format_json(char *buf, size_t cap, const struct sesslog *rec,
    enum sesslog_event ev, const char *cause, uint64_t now_ms,
    const struct timespec *ts)
{
	struct wbuf w;
	struct tm tm;
	char a[INET6_ADDRSTRLEN], stamp[32];
	uint16_t port = 0;
	bool known;

	if (cap == 0)
		return 0;
	wbuf_init(&w, buf, cap - 1);
	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "1970-01-01T00:00:00");
	put_fmt(&w, "{\"ts\":\"%s.%03ldZ\",\"event\":\"%s\"", stamp,
	    ts->tv_nsec / 1000000, sesslog_event_name(ev));
	known = peer_addr(rec, a, sizeof(a), &port);
	if (known)
		put_json_str(&w, "peer", a, strlen(a));
	else
		put_json_null(&w, "peer");
	put_json_u64(&w, "peer_port", port, known);
	put_fmt(&w, ",\"nat\":%s", rec->nat ? "true" : "false");
	if (rec->has_cookies) {
		put_str(&w, ",\"icookie\":\"");
		put_hex(&w, rec->icookie, sizeof(rec->icookie));
		put_str(&w, "\",\"rcookie\":\"");
		put_hex(&w, rec->rcookie, sizeof(rec->rcookie));
		put_str(&w, "\"");
	} else {
		put_json_null(&w, "icookie");
		put_json_null(&w, "rcookie");
	}
	if (rec->spi_in != 0)
		put_fmt(&w, ",\"spi_in\":\"%08x\"", rec->spi_in);
	else
		put_json_null(&w, "spi_in");
	if (rec->spi_out != 0)
		put_fmt(&w, ",\"spi_out\":\"%08x\"", rec->spi_out);
	else
		put_json_null(&w, "spi_out");
	put_fmt(&w, ",\"client\":\"%s\"", sesslog_client_name(rec->client));
	put_json_u64(&w, "local_tunnel", rec->local_tunnel,
	    rec->local_tunnel != 0);
	put_json_u64(&w, "remote_tunnel", rec->remote_tunnel,
	    rec->remote_tunnel != 0);
	put_json_u64(&w, "local_session", rec->local_session,
	    rec->local_session != 0);
	put_json_u64(&w, "remote_session", rec->remote_session,
	    rec->remote_session != 0);
	put_json_u64(&w, "pppd_pid", (uint64_t)rec->pppd_pid,
	    rec->pppd_pid > 0);
	if (rec->ifname[0] != '\0')
		put_json_str(&w, "ifname", rec->ifname,
		    strnlen(rec->ifname, sizeof(rec->ifname)));
	else
		put_json_null(&w, "ifname");
	if (rec->has_user)
		put_json_str(&w, "user", rec->user, rec->user_len);
	else
		put_json_null(&w, "user");
	if (rec->has_addr && inet_ntop(AF_INET, &rec->addr, a,
	    sizeof(a)) != NULL)
		put_json_str(&w, "address", a, strlen(a));
	else
		put_json_null(&w, "address");
	if (has_duration(ev)) {
		put_json_u64(&w, "duration_ms", duration_ms(rec, now_ms),
		    true);
		put_json_u64(&w, "bytes_in", rec->ctr.bytes_in, true);
		put_json_u64(&w, "bytes_out", rec->ctr.bytes_out, true);
		put_json_u64(&w, "packets_in", rec->ctr.pkts_in, true);
		put_json_u64(&w, "packets_out", rec->ctr.pkts_out, true);
	}
	if (has_cause(ev, cause))
		put_json_str(&w, "cause", cause, cause_len(cause));
	put_str(&w, "}");
	return finish(&w, buf, cap);
}

/* Open path for appending, mode at most 0640. Returns the fd or -1. */
static int
sesslog_open_fd(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY, SESSLOG_FILE_MODE);
	if (fd == -1) {
		log_warn("session log %s: open", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("session log %s: fstat", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("session log %s: not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & 07777 & ~(mode_t)SESSLOG_FILE_MODE) != 0) {
		if (fchmod(fd, st.st_mode & SESSLOG_FILE_MODE) == -1) {
			log_warn("session log %s: fchmod", path);
			goto fail;
		}
		log_info("session log %s: permissions narrowed to %03o", path,
		    (unsigned int)(st.st_mode & SESSLOG_FILE_MODE));
	}
	return fd;
fail:
	close(fd);
	return -1;
}

struct sesslog_out *
sesslog_open(const char *path)
{
	struct sesslog_out *o;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		log_warn("session log: calloc");
		return NULL;
	}
	o->fd = -1;
	if (path == NULL)
		return o;
	if ((o->path = strdup(path)) == NULL) {
		log_warn("session log: strdup");
		free(o);
		return NULL;
	}
	if ((o->fd = sesslog_open_fd(path)) == -1) {
		free(o->path);
		free(o);
		return NULL;
	}
	return o;
}

int
sesslog_reopen(struct sesslog_out *o)
{
	int fd;

	if (o->path == NULL)
		return 0;
	if ((fd = sesslog_open_fd(o->path)) == -1)
		return -1;
	if (o->fd != -1)
		close(o->fd);
	o->fd = fd;
	return 0;
}

void
sesslog_close(struct sesslog_out *o)
{
	if (o == NULL)
		return;
	if (o->fd != -1)
		close(o->fd);
	free(o->path);
	free(o);
}

/* One write(2) for the whole line; loops only on EINTR/short writes. */
static void
sesslog_write(struct sesslog_out *o, const char *line, size_t len, bool sync)
{
	unsigned int suppressed;
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(o->fd, line + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (log_ratelimit_ok(&o->rl, 1, 60, &suppressed))
				log_warn("session log %s: write (%u more "
				    "failures suppressed)", o->path,
				    suppressed);
			return;
		}
		off += (size_t)n;
	}
	if (sync && fdatasync(o->fd) == -1 &&
	    log_ratelimit_ok(&o->rl, 1, 60, &suppressed))
		log_warn("session log %s: fdatasync", o->path);
}

void
sesslog_emit(struct sesslog_out *o, struct sesslog *rec,
    enum sesslog_event ev, const char *cause)
{
	char line[SESSLOG_LINE_MAX], tag[64];
	uint64_t now = clock_mono_ms();
	struct timespec ts;
	size_t len;

	if (ev == SESSLOG_START)
		rec->start_ms = now;
	sesslog_format_tag(tag, sizeof(tag), rec);
	if (sesslog_format_line(line, sizeof(line), rec, ev, cause, now) > 0)
		logt_info(tag, "%s", line);
	else
		logt_warnx(tag, "session %s: log line too long",
		    sesslog_event_name(ev));
	if (o == NULL || o->fd == -1)
		return;
	if (sesslog_wall != NULL)
		sesslog_wall(&ts);
	else if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		memset(&ts, 0, sizeof(ts));
	len = sesslog_format_json(line, sizeof(line) - 1, rec, ev, cause, now,
	    &ts);
	if (len == 0) {
		logt_warnx(tag, "session %s: JSON line too long",
		    sesslog_event_name(ev));
		return;
	}
	line[len++] = '\n';
	sesslog_write(o, line, len, ev == SESSLOG_END);
}
