/*
 * sesslog.h - the per-session accounting record and its events.
 *
 * One struct sesslog per L2TP session holds every identifier of the
 * session across the layers (outer peer address and port, NAT, IKE
 * cookies, ESP SPIs, client kind, L2TP tunnel and session ids both ways,
 * pppd pid and interface, user, assigned address) plus its counters. Each
 * event (start, auth-ok, auth-fail, ip-up, counters, end) becomes
 *  - one log line (lib/log.h, info) tagged "sess LT:LS/RT:RS" with every
 *    identifier in a fixed key=value order, unknown ones as "-", so one
 *    grep for a user, address, SPI or port follows the session:
 *      event=start peer=203.0.113.5:4500 nat=yes ike=<icky>:<rcky>
 *      spi_in=0x.. spi_out=0x.. client=windows tunnel=4312/77
 *      session=981/5 pppd=1234 if=ppp0 user=alice addr=192.168.42.10
 *    followed by the event's own keys (cause=, duration=, bytes_in=,
 *    bytes_out=, pkts_in=, pkts_out=). Values never contain spaces:
 *    bytes outside '!'..'~' and '\\', '"', '=' are written \xHH; an empty
 *    value is "" and a value that is just "-" is \x2d; a cause is cut
 *    at 64 bytes (and "..." added) to keep the line within 1024 bytes;
 *  - one JSON object per line appended to log.session_log (when set), with
 *    the same fields in the same order, unknown ones null, a UTC "ts" and
 *    strings escaped per RFC 8259: quote, backslash and control characters
 *    escaped, valid UTF-8 kept as is, each byte of invalid UTF-8 (bad
 *    lead, bad or missing continuation, overlong, surrogate, > U+10FFFF)
 *    replaced by \ufffd.
 *
 * File policy: opened O_APPEND|O_CREAT|O_NOFOLLOW with mode 0640 (an
 * existing file with wider permissions is narrowed to at most 0640); each
 * line is written with one write(2), so concurrent appenders never
 * interleave inside a line; fdatasync(2) only after "end" events (the
 * accounting record must survive a crash; the others are not worth a
 * disk flush each, and the loop must not block per packet counter).
 * sesslog_reopen() (from a SIGHUP handler's event, after logrotate)
 * reopens the path.
 */
#ifndef LIB_SESSLOG_H
#define LIB_SESSLOG_H

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SESSLOG_USER_MAX	64	/* bytes kept of a user name */
#define SESSLOG_IFNAME_MAX	16	/* IFNAMSIZ */
#define SESSLOG_CAUSE_MAX	256	/* bytes of a cause in JSON */

enum sesslog_client {
	SESSLOG_CLIENT_UNKNOWN,
	SESSLOG_CLIENT_WINDOWS,
	SESSLOG_CLIENT_APPLE,
	SESSLOG_CLIENT_ANDROID,
	SESSLOG_CLIENT_OTHER
};

enum sesslog_event {
	SESSLOG_START,
	SESSLOG_AUTH_OK,
	SESSLOG_AUTH_FAIL,	/* with a cause */
	SESSLOG_IP_UP,
	SESSLOG_COUNTERS,	/* periodic: duration so far + counters */
	SESSLOG_END		/* duration, counters, cause */
};

struct sesslog_counters {
	uint64_t	 bytes_in;	/* from the client */
	uint64_t	 bytes_out;	/* to the client */
	uint64_t	 pkts_in;
	uint64_t	 pkts_out;
};

/*
 * The record. Zero-initialise (sesslog_init), then fill in what is known
 * as the layers learn it; 0 / false / empty means unknown.
 */
struct sesslog {
	struct sockaddr_storage	 peer;		/* AF_UNSPEC: unknown */
	bool			 nat;		/* NAT-T in use */
	bool			 has_cookies;
	uint8_t			 icookie[8];
	uint8_t			 rcookie[8];
	uint32_t		 spi_in;	/* host order; 0 unknown */
	uint32_t		 spi_out;
	enum sesslog_client	 client;
	uint16_t		 local_tunnel;	/* 0 unknown (RFC 2661 3.1) */
	uint16_t		 remote_tunnel;
	uint16_t		 local_session;
	uint16_t		 remote_session;
	pid_t			 pppd_pid;	/* 0 none */
	char			 ifname[SESSLOG_IFNAME_MAX];
	bool			 has_user;
	uint8_t			 user[SESSLOG_USER_MAX];	/* raw bytes */
	size_t			 user_len;
	bool			 has_addr;
	struct in_addr		 addr;
	uint64_t		 start_ms;	/* clock_mono_ms() at start */
	struct sesslog_counters	 ctr;
};

struct sesslog_out;

/* Zero the record. */
void		 sesslog_init(struct sesslog *);
/*
 * Set the user name from len raw bytes (as the peer sent it; any bytes,
 * NUL included). Names longer than SESSLOG_USER_MAX are cut.
 */
void		 sesslog_set_user(struct sesslog *, const void *name,
		    size_t len);

/*
 * The sink: JSON lines to path (NULL: log lines only). Returns NULL
 * (logged) if the file cannot be opened. The result is owned by the
 * caller (sesslog_close).
 */
struct sesslog_out *sesslog_open(const char *path);
/*
 * Reopen the file (after rotation). On failure the old descriptor stays
 * in use and -1 is returned (logged); 0 otherwise.
 */
int		 sesslog_reopen(struct sesslog_out *);
/* Close. NULL is a no-op. */
void		 sesslog_close(struct sesslog_out *);

/*
 * Emit event ev of rec: the log line and the JSON line. SESSLOG_START
 * sets rec->start_ms to now; COUNTERS and END report the duration since.
 * cause (may be NULL) goes with AUTH_FAIL and END, ignored otherwise.
 * out may be NULL (log line only).
 */
void		 sesslog_emit(struct sesslog_out *, struct sesslog *rec,
		    enum sesslog_event ev, const char *cause);

/*
 * The two lines of an event, without newline, into buf (NUL-terminated).
 * now_ms is the monotonic time for durations, ts the wall-clock time for
 * the JSON "ts". Return the length, or 0 if buf was too small.
 * sesslog_format_tag writes "sess LT:LS/RT:RS".
 */
size_t		 sesslog_format_line(char *buf, size_t cap,
		    const struct sesslog *rec, enum sesslog_event ev,
		    const char *cause, uint64_t now_ms);
size_t		 sesslog_format_json(char *buf, size_t cap,
		    const struct sesslog *rec, enum sesslog_event ev,
		    const char *cause, uint64_t now_ms,
		    const struct timespec *ts);
void		 sesslog_format_tag(char *buf, size_t cap,
		    const struct sesslog *rec);

/*
 * Escape len bytes of s as the inside of a JSON string into buf
 * (NUL-terminated). Returns the length, or 0 if it did not fit (an empty
 * input also gives 0 with buf[0] = 0).
 */
size_t		 sesslog_json_escape(char *buf, size_t cap, const void *s,
		    size_t len);

/* Test hook: the wall clock used for "ts" (NULL: CLOCK_REALTIME). */
typedef void sesslog_wall_cb(struct timespec *);
void		 sesslog_set_wall_clock(sesslog_wall_cb *);

const char	*sesslog_event_name(enum sesslog_event);
const char	*sesslog_client_name(enum sesslog_client);

#endif
